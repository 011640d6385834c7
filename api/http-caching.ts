// Cache headers: private data is never stored; catalog reads revalidate cheaply with ETag / If-None-Match → 304.
import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/** Storefront catalog reads, relative to /store. */
const CATALOG_PATH = /^\/(?:products(?:\/[^/]+)?|categories|search)\/?$/;

/** `Cache-Control: no-store` on every response of the router it is mounted on (/admin, /vendor). */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * For /store: catalog reads get an ETag and `private, no-cache` (a browser may keep them but revalidates each time,
 * as stock figures change; private because the answer depends on X-Publishable-Key); everything else (carts,
 * checkout, orders, customers, tokens) is `no-store`.
 */
export const storeCaching: RequestHandler = (req, res, next) => {
  if ((req.method === 'GET' || req.method === 'HEAD') && CATALOG_PATH.test(req.path)) {
    res.setHeader('Cache-Control', 'private, no-cache');
    res.vary('X-Publishable-Key');
    sendWithEtag(res);
  } else {
    res.setHeader('Cache-Control', 'no-store');
  }
  next();
};

// Express answers 304 by itself when the response carries an ETag matching If-None-Match (res.send checks
// req.fresh); the app-wide ETag setting stays off so other routes pay nothing for hashing.
function sendWithEtag(res: Response): void {
  const send = res.send;
  res.send = function sendTagged(this: Response, body?: unknown) {
    if (this.statusCode === 200 && (typeof body === 'string' || Buffer.isBuffer(body)) && !this.get('ETag')) this.setHeader('ETag', weakEtag(body));
    return send.call(this, body);
  };
}

/** A weak validator over the body bytes (the JSON of a catalog answer, stock figures included). */
export function weakEtag(body: string | Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64url').slice(0, 27);
  return `W/"${Buffer.byteLength(body).toString(16)}-${hash}"`;
}
