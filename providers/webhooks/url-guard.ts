// Webhook targets must be public: only globally routable unicast addresses are reachable (server-side request forgery),
// unless WEBHOOK_ALLOW_PRIVATE_URLS is set (local development, tests). Ranges come from ipaddr.js, a maintained list.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../../domain/errors.ts';

// Global unicast IPv6 is allocated from 2000::/3 only; anything else (::/96 IPv4-compatible, ::ffff:0:0/96, 100::/64…)
// is reserved, internal or a translation form that can lead back to an IPv4 host.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** True for an address no webhook may reach: anything but public unicast (IPv4-mapped IPv6 is judged as its IPv4). */
export function isInternalAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const ip = ipaddr.process(address);
  if (ip.range() !== 'unicast') return true;
  return ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6);
}

/** Parses a webhook URL: http(s), no credentials; throws ValidationError otherwise. */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ValidationError('url must be http or https');
  if (parsed.username || parsed.password) throw new ValidationError('url must not carry credentials');
  return parsed;
}

/**
 * Throws ValidationError unless `url` is http(s) and every address its host resolves to is public (or private ones are
 * allowed). The WHATWG URL parser has already turned `2130706433` or `0x7f.0.0.1` into `127.0.0.1`.
 */
export async function assertDeliverableUrl(url: string, allowPrivate: boolean): Promise<URL> {
  const parsed = parseWebhookUrl(url);
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (r) => r.map((a) => a.address),
        () => {
          throw new ValidationError(`url host ${host} does not resolve`);
        },
      );
  if (addresses.length === 0 || addresses.some(isInternalAddress))
    throw new ValidationError(`url ${parsed.origin} resolves to a private, loopback or reserved address; webhooks go to public endpoints only`);
  return parsed;
}
