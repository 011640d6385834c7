// Webhook targets must be public: a URL resolving to loopback, private, link-local or other internal ranges is refused
// (server-side request forgery), unless WEBHOOK_ALLOW_PRIVATE_URLS is set (local development, tests).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../../domain/errors.ts';

const blocked = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True for an address no webhook may reach (IPv4-mapped IPv6 is checked as IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
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

/** Throws ValidationError unless `url` is http(s) and every address its host resolves to is public (or private ones are allowed). */
export async function assertDeliverableUrl(url: string, allowPrivate: boolean): Promise<URL> {
  const parsed = parseWebhookUrl(url);
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await lookup(host, { all: true, verbatim: true }).then((r) => r.map((a) => a.address), () => {
    throw new ValidationError(`url host ${host} does not resolve`);
  });
  if (addresses.length === 0 || addresses.some(isInternalAddress)) throw new ValidationError(`url ${parsed.origin} resolves to a private or loopback address; webhooks go to public endpoints only`);
  return parsed;
}
