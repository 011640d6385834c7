// Back-office routes of card money: refunds of captured payments, and subscriptions with their dunning.
import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { checkRefundable, refundIdFor } from '../../db/queries/card-payments.ts';
import { getOrder } from '../../db/queries/orders.ts';
import { getSubscription, listSubscriptions, type SubscriptionView } from '../../db/queries/subscriptions.ts';
import { ConflictError, domainErrorFromCode, ValidationError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { apiKeyAuth } from '../auth.ts';
import { cancelSubscriptionBody, page, paymentMethodBody, refundBody, subscriptionListQuery, timeCursor } from '../schemas.ts';
import { adminOrder } from '../views.ts';
import type { Processes } from '../processes.ts';

// A subscription as the API answers it: next_attempt_at only while a retry is scheduled.
const subscriptionResponse = ({ cursor_at: _c, ...s }: SubscriptionView & { cursor_at?: string }) => s;

/** Refund and subscription routes under /admin; mounted before the main admin router. */
export function adminPaymentRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const r = Router();
  r.use('/subscriptions', apiKeyAuth(pool, ['owner', 'admin', 'staff']));
  const actor = (req: Express.Request) => `api-key:${req.principal?.keyId ?? 'unknown'}`;

  // Money leaves the business: owners and admins only. The same Idempotency-Key never refunds twice.
  r.post('/orders/:id/refunds', apiKeyAuth(pool, ['owner', 'admin']), async (req, res) => {
    const t = tenantOf(req);
    const body = refundBody.parse(req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw new ValidationError('Idempotency-Key is 1 to 200 characters');
    const order = await getOrder(pool, t.id, String(req.params.id));
    const request = {
      tenantId: t.id, orderId: order.id, refundId: refundIdFor(t.id, order.id, key ?? randomUUID()), amount: body.amount.amount, currency: body.amount.currency,
      requestedBy: actor(req), reason: body.reason,
    };
    // An obvious mistake is answered without starting anything; a retried key skips it (its refund may be done).
    if (key === undefined) await checkRefundable(pool, request);
    const outcome = await processes.refund(request);
    if (outcome.status === 'rejected') throw domainErrorFromCode(outcome.code, outcome.message, outcome.details) ?? new ConflictError(outcome.message);
    if (outcome.status === 'failed') throw new ConflictError('the gateway refused the refund; nothing was paid back');
    const after = await getOrder(pool, t.id, order.id);
    const workflows = await processes.orderWorkflows(t.id, after.cart_id, after.id, after.payment_method, after.shipments.map((s) => s.id));
    res.json({ ...adminOrder(after, workflows, config.TEMPORAL_UI_URL, config.TEMPORAL_NAMESPACE), refund: { id: request.refundId, amount: body.amount, status: outcome.status } });
  });

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
    await processes.retrySubscription(t.id, sub.id);
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  r.post('/subscriptions/:id/cancel', async (req, res) => {
    const t = tenantOf(req);
    const body = cancelSubscriptionBody.parse(req.body ?? {});
    const sub = await getSubscription(pool, t.id, req.params.id);
    if (sub.status === 'cancelled' || sub.status === 'unpaid') throw new ConflictError(`the subscription is already ${sub.status}`);
    await processes.cancelSubscription(t.id, sub.id, body.reason ?? `cancelled by ${actor(req)}`);
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  r.put('/subscriptions/:id/payment-method', async (req, res) => {
    const t = tenantOf(req);
    const body = paymentMethodBody.parse(req.body);
    const sub = await getSubscription(pool, t.id, req.params.id);
    if (sub.status === 'cancelled' || sub.status === 'unpaid') throw new ConflictError(`the subscription is ${sub.status}`);
    await processes.updateSubscriptionCard(t.id, sub.id, body.payment_token);
    res.json(subscriptionResponse(await getSubscription(pool, t.id, sub.id)));
  });

  return r;
}
