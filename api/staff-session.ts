// Staff sessions of the codec endpoint: a stateless HMAC-signed cookie naming the admin key that signed in.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** Name of the HttpOnly cookie; sent only to /codec. */
export const SESSION_COOKIE = 'codec_session';
const COOKIE_PATH = '/codec';

/** What a session asserts: which key signed in, for which tenant, until when (unix seconds). */
export type StaffSession = { keyId: string; tenantId: string; expiresAt: number };

/** Signs and checks sessions with a key derived from the payload key (every API replica shares it; rotating it ends sessions). */
export function sessionSigner(payloadKey: Buffer) {
  const key = Buffer.from(hkdfSync('sha256', payloadKey, Buffer.alloc(0), 'temporal-commerce/staff-session/v1', 32));
  const mac = (body: string) => createHmac('sha256', key).update(body).digest();
  return {
    sign(session: StaffSession): string {
      const body = Buffer.from(JSON.stringify({ k: session.keyId, t: session.tenantId, e: session.expiresAt })).toString('base64url');
      return `v1.${body}.${mac(body).toString('base64url')}`;
    },
    verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): StaffSession | null {
      const [version, body, signature] = token.split('.');
      if (version !== 'v1' || !body || !signature) return null;
      const expected = mac(body);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const { k, t, e } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { k: unknown; t: unknown; e: unknown };
        if (typeof k !== 'string' || typeof t !== 'string' || typeof e !== 'number' || e <= nowSeconds) return null;
        return { keyId: k, tenantId: t, expiresAt: e };
      } catch {
        return null;
      }
    },
  };
}

/** The session cookie's value in a request, if any. */
export function sessionCookie(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // a malformed escape is no session (401), not a server error
      }
    }
  }
  return undefined;
}

// SameSite=None so the Web UI's credentialed fetch carries it from another site; that requires Secure, which browsers
// also accept from http://localhost (a secure context), so local development works without TLS.
/** Sets the session cookie (HttpOnly, Secure, SameSite=None, Path=/codec). */
export function setSessionCookie(res: Response, token: string, maxAgeMs: number): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'none', path: COOKIE_PATH, maxAge: maxAgeMs });
}

/** Expires the session cookie. */
export function clearSessionCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'none', path: COOKIE_PATH });
}
