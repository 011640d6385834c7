// Back-office routes of promotions (discount codes); roles in api/route-roles.ts (reads viewer, writes admin).
import { Router } from 'express';
import { createPromotion, getPromotion, listPromotions, updatePromotion } from '../../db/queries/promotions.ts';
import type { PromotionView } from '../../contracts/promotions.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { page, timeCursor } from '../schemas.ts';
import { createPromotionBody, newPromotionOf, promotionListQuery, updatePromotionBody } from '../schemas-promotions.ts';

// The list cursor's precise time stays internal.
const promotionResponse = ({ cursor_at: _cursorAt, ...p }: PromotionView & { cursor_at: string }) => p;

/** POST/GET /admin/promotions, GET/PATCH /admin/promotions/:id. */
export function adminPromotionRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  r.post('/promotions', async (req, res) => {
    const t = tenantOf(req);
    const body = createPromotionBody.parse(req.body);
    res.status(201).json(await createPromotion(pool, t.id, newPromotionOf(body, t.currency), actorOf(req)));
  });
  r.get('/promotions', async (req, res) => {
    const q = promotionListQuery.parse(req.query);
    const rows = await listPromotions(pool, tenantOf(req).id, { after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, promotionResponse, timeCursor.keyOf));
  });
  r.get('/promotions/:id', async (req, res) => {
    res.json(await getPromotion(pool, tenantOf(req).id, req.params.id));
  });
  r.patch('/promotions/:id', async (req, res) => {
    const body = updatePromotionBody.parse(req.body ?? {});
    res.json(await updatePromotion(pool, tenantOf(req).id, req.params.id, body, actorOf(req)));
  });

  return r;
}
