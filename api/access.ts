// The one guard of /admin and /vendor: authenticates the API key, then holds it to the route's minimum role (api/route-roles.ts).
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../domain/errors.ts';
import { apiKeyAuth } from './auth.ts';
import type { ApiKeys } from './context.ts';
import { noRoute } from './errors.ts';
import { refusal, roleMayCall, routeEntryOf } from './route-roles.ts';

/**
 * Mounted once on ['/admin', '/vendor'] after the rate limits. `public` entries pass untouched (they check their own
 * credentials). Everything else needs a known key (401 first), then: a path in no entry is 404 `not_found` here, so a
 * route missing from the table can never run unguarded; a key below the entry's minimum is 403 `forbidden`.
 */
export function routeAccess(apiKeys: ApiKeys): RequestHandler {
  const authenticate = apiKeyAuth(apiKeys);
  return async (req, res, next) => {
    const entry = routeEntryOf(req.method, `${req.baseUrl}${req.path}`);
    if (entry?.access === 'public') return next();
    let authenticated = false;
    await authenticate(req, res, (err?: unknown) => {
      if (err) return next(err);
      authenticated = true;
    });
    if (!authenticated) return;
    const role = req.principal!.role;
    if (!entry) return noRoute(req, res);
    if (!roleMayCall(role, entry.access)) throw new ForbiddenError(refusal(role, entry));
    next();
  };
}
