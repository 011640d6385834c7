// Back-office store settings: the browser origins allowed to call /store (CORS), whether prices include tax.
import { Router } from 'express';
import { getStoreSettings, updateStoreSettings } from '../../db/queries/stores.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { updateStoreBody } from '../schemas.ts';
import type { StoreOrigins } from '../store-origins.ts';

/** GET /admin/store and PATCH /admin/store (store settings; roles: api/route-roles.ts). */
export function adminStoreRoutes(deps: AppDeps, origins: StoreOrigins): Router {
  const { pool } = deps;
  const r = Router();
  r.get('/store', async (req, res) => {
    res.json(await getStoreSettings(pool, tenantOf(req).id));
  });
  r.patch('/store', async (req, res) => {
    const t = tenantOf(req);
    const body = updateStoreBody.parse(req.body ?? {});
    const changing = body.allowed_origins !== undefined || body.prices_include_tax !== undefined;
    const store = changing ? await updateStoreSettings(pool, t.id, body, actorOf(req)) : await getStoreSettings(pool, t.id);
    // This process answers with the new origins at once; others hear the stores trigger's NOTIFY.
    origins.invalidate();
    res.json(store);
  });
  return r;
}
