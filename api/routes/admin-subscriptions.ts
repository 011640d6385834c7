// Back-office routes of subscriptions and their dunning: list, read, retry now, cancel, change the card.
import { Router } from 'express';
import { getSubscription, listSubscriptions } from '../../db/queries/subscriptions.ts';
import type { SubscriptionView } from '../../contracts/views.ts';
import { ConflictError } from '../../domain/errors.ts';
import { isSubscriptionEnded } from '../../domain/subscription.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { cancelSubscriptionBody, page, paymentMethodBody, subscriptionListQuery, timeCursor } from '../schemas.ts';
import type { Processes } from '../processes.ts';

// A subscription as the API answers it: next_attempt_at only while a retry is scheduled.
const subscriptionResponse = ({ cursor_at: _c, ...s }: SubscriptionView & { cursor_at?: string }) => s;

/** Subscription routes under /admin; mounted before the main admin router. */
export function adminSubscriptionRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool } = deps;
  const r = Router();
  const actor = (req: Express.Request) => `api-key:${req.principal?.keyId ?? 'unknown'}`;

  r.get('/subscriptions', async (req, res) => {
    const q = subscriptionListQuery.parse(req.query);
    const rows = await listSubscriptions(pool, tenantOf(req).id, { status: q.status, after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, subscriptionResponse, timeCursor.keyOf));
  });

  r.get('/subscriptions/:id', async (req, res) => {
    res.json(subscriptionResponse(await getSubscription(pool, tenantOf(req).id, req.params.id)));
  });

  r.post('/subscriptions/:id/retry', async (req, res) => {
    const t = tenantOf(req);
    const sub = await getSubscription(pool, t.id, req.params.id);
    if (sub.status !== 'past_due') throw new ConflictError(`only a past-due subscription can be retried now (it is ${sub.status})`);
    await processes.retrySubscription(t.id, sub.id, { actor: actorOf(req) });
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  r.post('/subscriptions/:id/cancel', async (req, res) => {
    const t = tenantOf(req);
    const body = cancelSubscriptionBody.parse(req.body ?? {});
    const sub = await getSubscription(pool, t.id, req.params.id);
    if (isSubscriptionEnded(sub.status)) throw new ConflictError(`the subscription is already ${sub.status}`);
    await processes.cancelSubscription(t.id, sub.id, { reason: body.reason ?? `cancelled by ${actor(req)}`, actor: actorOf(req) });
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  r.put('/subscriptions/:id/payment-method', async (req, res) => {
    const t = tenantOf(req);
    const body = paymentMethodBody.parse(req.body);
    const sub = await getSubscription(pool, t.id, req.params.id);
    if (isSubscriptionEnded(sub.status)) throw new ConflictError(`the subscription is ${sub.status}`);
    await processes.updateSubscriptionCard(t.id, sub.id, { token: body.payment_token, actor: actorOf(req) });
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  return r;
}
