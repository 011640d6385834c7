// CORS for /store: each store admits its own browser origins (PATCH /admin/store), decided in memory.
import cors, { type CorsOptions } from 'cors';
import type { Request, RequestHandler } from 'express';
import type { StoreOrigins } from './store-origins.ts';

/** Request headers a storefront may send cross-origin. */
export const STORE_ALLOWED_HEADERS = ['Content-Type', 'Authorization', 'X-Publishable-Key', 'Idempotency-Key', 'X-Order-Token'];

/** Response headers a storefront script may read. */
export const STORE_EXPOSED_HEADERS = ['ETag', 'Retry-After', 'X-Request-Id'];

/**
 * CORS middleware for /store, mounted before key checks, body parsing and rate limits so that their problem
 * answers stay readable by allowed origins. Preflights (no key) are answered here: 204, with CORS headers only
 * when some store admits the origin. Other requests get `Access-Control-Allow-Origin` when the key's store admits it.
 */
export function storeCors(origins: StoreOrigins, maxAgeMs: number): RequestHandler[] {
  const allowed: CorsOptions = {
    origin: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: STORE_ALLOWED_HEADERS,
    exposedHeaders: STORE_EXPOSED_HEADERS,
    maxAge: Math.floor(maxAgeMs / 1000),
    optionsSuccessStatus: 204,
  };
  const refused: CorsOptions = { origin: false };
  const decide = cors<Request>((req, callback) => {
    const origin = req.get('origin');
    if (!origin) return callback(null, refused);
    const answer = req.method === 'OPTIONS' ? origins.allowedBySome(origin) : origins.allowedFor(req.get('x-publishable-key'), origin);
    answer.then(
      (ok) => callback(null, ok ? allowed : refused),
      (err: Error) => callback(err),
    );
  });
  return [
    (_req, res, next) => {
      // The answer depends on Origin whether it is allowed or not: caches must key on it.
      res.vary('Origin');
      next();
    },
    decide,
    (req, res, next) => {
      // A refused preflight ends here too: no key check, no CORS headers, so the browser blocks the request.
      if (req.method === 'OPTIONS') {
        res.status(204).setHeader('Content-Length', '0');
        res.end();
        return;
      }
      next();
    },
  ];
}
