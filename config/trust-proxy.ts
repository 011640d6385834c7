// TRUST_PROXY as Express's 'trust proxy' setting: which hops may set X-Forwarded-For (the client address rate limits key on).
import ipaddr from 'ipaddr.js';

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `false` (default: req.ip is the socket peer), `true` (trust every hop), a hop count, or a comma list of addresses, CIDRs and loopback/linklocal/uniquelocal. */
export function parseTrustProxy(text: string): boolean | number | string[] {
  const value = text.trim().toLowerCase();
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !NAMED.has(e) && !ipaddr.isValid(e) && !ipaddr.isValidCIDR(e));
  if (entries.length === 0 || bad.length > 0)
    throw new Error(`invalid TRUST_PROXY "${text}" (expected false, true, a hop count, or addresses/CIDRs/loopback/linklocal/uniquelocal separated by commas)`);
  return entries;
}
