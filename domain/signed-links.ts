// Signed, expiring link tokens (export downloads, digital deliveries): HMAC-SHA256 over the claims, so a token cannot be
// guessed or altered, and nothing secret (no API key) ever travels in a URL. Uses Node's crypto: API and activities only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a link grants: a purpose (so an export token never opens a download), the record id and an expiry (epoch ms). */
export type LinkClaims = { purpose: string; id: string; tenantId: string; expiresAt: number };

/** Why a token was refused; `expired` only once the signature is known good. */
export type LinkRefusal = 'invalid' | 'expired';

const linkKey = (keyMaterial: string) => createHash('sha256').update(`temporal-commerce/signed-links/v1:${keyMaterial}`).digest();

const mac = (body: string, keyMaterial: string) => createHmac('sha256', linkKey(keyMaterial)).update(body).digest();

/** Signs claims into a URL-safe token `<claims>.<mac>`. */
export function signLink(claims: LinkClaims, keyMaterial: string): string {
  const body = Buffer.from(JSON.stringify([claims.purpose, claims.id, claims.tenantId, claims.expiresAt])).toString('base64url');
  return `${body}.${mac(body, keyMaterial).toString('base64url')}`;
}

/** Verifies a token for one purpose at `now`; the claims, or why it is refused. */
export function verifyLink(token: string, purpose: string, keyMaterial: string, now: number): LinkClaims | LinkRefusal {
  const [body, given, extra] = token.split('.');
  if (!body || !given || extra !== undefined || body.length > 2000) return 'invalid';
  const expected = mac(body, keyMaterial);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'invalid';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return 'invalid';
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return 'invalid';
  const [p, id, tenantId, expiresAt] = parsed as unknown[];
  if (p !== purpose || typeof id !== 'string' || typeof tenantId !== 'string' || typeof expiresAt !== 'number') return 'invalid';
  if (now >= expiresAt) return 'expired';
  return { purpose: p, id, tenantId, expiresAt };
}
