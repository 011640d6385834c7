// The webhook POST itself, over node:http(s) with a lookup that refuses internal addresses at connect time: the address
// checked is the address connected to, so a name that resolves elsewhere on a second lookup (DNS rebinding) gets nowhere.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isInternalAddress } from './url-guard.ts';

/** The target resolved (or is) an internal address: never retried, the webhook must change. */
export class InternalAddressError extends Error {
  constructor(host: string) {
    super(`${host} resolves to a private or loopback address; webhooks go to public endpoints only`);
    this.name = 'InternalAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isInternalAddress(a.address))) return callback(new InternalAddressError(hostname) as NodeJS.ErrnoException, '');
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

/** POSTs `body` and resolves with the HTTP status (redirects are not followed); rejects on network errors and timeouts. */
export function postWebhook(url: URL, body: string, headers: Record<string, string>, opts: { timeoutMs: number; allowPrivate: boolean }): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && isIP(host) && isInternalAddress(host)) return Promise.reject(new InternalAddressError(host));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: opts.timeoutMs,
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup as never }),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
