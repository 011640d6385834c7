// POST /admin/session signs an owner/admin key in for the Temporal Web UI's codec calls; DELETE signs out.
import express, { Router } from 'express';
import { principalByKeyHash } from '../../db/queries/api-keys.ts';
import { ForbiddenError, UnauthenticatedError } from '../../domain/errors.ts';
import { hashSecret } from '../../domain/secrets.ts';
import type { AppDeps } from '../context.ts';
import { CODEC_ROLES, checkCodecTenant, staffSessions } from '../codec-access.ts';
import { clearSessionCookie, setSessionCookie } from '../staff-session.ts';
import { staffSessionBody } from '../schemas.ts';

/** /admin/session: `public` in api/route-roles.ts (the key comes in the body), so the Bearer check of /admin lets it through. */
export function adminSessionRoutes(deps: AppDeps): Router {
  const { pool, config } = deps;
  const sessions = staffSessions(config);
  const r = Router();
  // The sign-in page's form posts urlencoded; API clients post JSON.
  r.post('/session', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const { api_key: apiKey } = staffSessionBody.parse(req.body);
    const found = await principalByKeyHash(pool, hashSecret(apiKey));
    if (!found) throw new UnauthenticatedError('unknown or revoked API key');
    if (!CODEC_ROLES.includes(found.role)) throw new ForbiddenError(`a ${found.role} key may not decode workflow histories`);
    checkCodecTenant(config, found.tenant_id);
    const expiresAt = Math.floor((Date.now() + config.STAFF_SESSION_TTL) / 1000);
    setSessionCookie(res, sessions.sign({ keyId: found.key_id, tenantId: found.tenant_id, expiresAt }), config.STAFF_SESSION_TTL);
    res.setHeader('Cache-Control', 'no-store');
    const expires = new Date(expiresAt * 1000).toISOString();
    if (req.is('application/x-www-form-urlencoded')) {
      // A link, not a redirect: a strict CSP's form-action 'self' would block a redirect to the UI's origin.
      res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed in</title></head><body><main>
<p>Signed in until ${expires}. Open the <a href="${new URL(config.TEMPORAL_UI_URL).href}">Temporal Web UI</a>.</p></main></body></html>\n`);
      return;
    }
    res.json({ role: found.role, tenant_id: found.tenant_id, expires_at: expires });
  });
  r.delete('/session', (_req, res) => {
    clearSessionCookie(res);
    res.status(204).end();
  });
  return r;
}
