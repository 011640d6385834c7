// Back-office API keys, one per person: create (the secret is shown once), list, revoke. Who may manage which role is
// domain/api-keys.ts; the SQL (with its audit entries and the last-owner rule) is db/queries/api-keys.ts.
import { Router } from 'express';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/queries/api-keys.ts';
import type { ApiKeys, AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { page, pageQuery, timeCursor } from '../schemas.ts';
import { createApiKeyBody } from '../schemas-keys.ts';

/** Routes under /admin/api-keys (minimum role admin; only owners create or revoke admin keys). */
export function adminApiKeyRoutes(deps: AppDeps, apiKeys: ApiKeys): Router {
  const { pool } = deps;
  const r = Router();
  r.post('/api-keys', async (req, res) => {
    const body = createApiKeyBody.parse(req.body);
    const created = await createApiKey(pool, { tenantId: tenantOf(req).id, role: body.role, name: body.name, actor: actorOf(req) });
    // Other processes hear of the new key by NOTIFY; this one forgets a cached "unknown" at once.
    apiKeys.cache.changed(created.id);
    res.status(201).json(created);
  });

  r.get('/api-keys', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const rows = await listApiKeys(pool, tenantOf(req).id, timeCursor.decode(q.cursor), q.limit);
    res.json(page(rows, q.limit, ({ cursor_at: _c, ...key }) => key, timeCursor.keyOf));
  });

  r.delete('/api-keys/:id', async (req, res) => {
    await revokeApiKey(pool, { tenantId: tenantOf(req).id, keyId: req.params.id, actor: actorOf(req) });
    apiKeys.cache.changed(req.params.id);
    res.status(204).end();
  });

  return r;
}
