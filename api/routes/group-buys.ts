// Group-buy routes: the back office creates and reads campaigns, storefronts read and join them (API.md "Group buying").
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { createGroupBuy, getGroupBuy } from '../../db/queries/group-buys.ts';
import { checkGroupBuyTerms } from '../../domain/group-buys.ts';
import { makeId } from '../../domain/ids.ts';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { createGroupBuyBody, joinGroupBuyBody } from '../schemas-group-buys.ts';
import { createGroupBuyProcesses, type GroupBuyProcesses } from '../group-buy-processes.ts';

/** POST /admin/group-buys, GET /admin/group-buys/:id (roles in api/route-roles.ts). */
export function adminGroupBuyRoutes(deps: AppDeps, processes: GroupBuyProcesses = createGroupBuyProcesses(deps.temporal, deps.config)): Router {
  const { pool, config } = deps;
  const r = Router();

  r.post('/group-buys', async (req, res) => {
    const t = tenantOf(req);
    const body = createGroupBuyBody.parse(req.body);
    const price = typeof body.price === 'number' ? { amount: body.price, currency: t.currency } : body.price;
    if (price.currency !== t.currency) throw new ValidationError(`price must be in the store's currency ${t.currency}`);
    const terms = { minParticipants: body.min_participants, maxParticipants: body.max_participants ?? null, endsAtMs: Date.parse(body.ends_at) };
    checkGroupBuyTerms(terms, Date.now(), config.CARD_AUTHORIZATION_VALIDITY);
    const id = makeId('gb', randomUUID());
    const endsAt = new Date(terms.endsAtMs).toISOString();
    // The workflow starts inside the row's transaction: a start that fails rolls the campaign back (503, nothing changed).
    const created = await createGroupBuy(
      pool,
      t.id,
      { id, variantId: body.variant_id, price: price.amount, currency: price.currency, ...terms, endsAt },
      actorOf(req),
      () =>
        processes.startGroupBuy({
          tenantId: t.id,
          groupBuyId: id,
          variantId: body.variant_id,
          price,
          minParticipants: terms.minParticipants,
          maxParticipants: terms.maxParticipants,
          endsAt,
        }),
    );
    res.status(201).json(created);
  });
  r.get('/group-buys/:id', async (req, res) => {
    res.json(await getGroupBuy(pool, tenantOf(req).id, req.params.id));
  });
  return r;
}

/** GET /store/group-buys/:id and POST /store/group-buys/:id/join; mounted by storeRoutes after its key check. */
export function storeGroupBuyRoutes(deps: AppDeps, processes: GroupBuyProcesses = createGroupBuyProcesses(deps.temporal, deps.config)): Router {
  const { pool } = deps;
  const r = Router();

  // Read from the database (kept current by the campaign's activities), so it answers while no worker runs.
  r.get('/group-buys/:id', async (req, res) => {
    res.json(await getGroupBuy(pool, tenantOf(req).id, req.params.id));
  });
  r.post('/group-buys/:id/join', async (req, res) => {
    const t = tenantOf(req);
    const body = joinGroupBuyBody.parse(req.body);
    const campaign = await getGroupBuy(pool, t.id, req.params.id);
    if (campaign.status !== 'open') throw new ConflictError(`the group buy has ${campaign.status}; it takes no more participants`);
    const joined = await processes.joinGroupBuy(t.id, campaign.id, {
      email: body.email,
      paymentToken: body.payment_token,
      shippingAddress: body.shipping_address,
    });
    res.status(201).json({ participation_id: joined.participationId, status: joined.status });
  });
  return r;
}
