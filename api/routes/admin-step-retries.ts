// Back-office retries of one step (issue 15): resend a notification, retry a refused capture, redeliver a webhook.
// Each answers 200 and is a no-op when repeated: the same Idempotency-Key names the same resend or redelivery (without
// one, every request is a new one, like refunds); a capture retry is keyed by the refusal it answers.
import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { findCardPayment } from '../../db/queries/card-payments.ts';
import { getOrder } from '../../db/queries/orders.ts';
import { getOutboxEvent } from '../../db/queries/outbox.ts';
import { recordResend } from '../../db/queries/notification-resends.ts';
import { findRedelivery, recordRedelivery } from '../../db/queries/webhook-redeliveries.ts';
import { getDelivery, getWebhook } from '../../db/queries/webhooks.ts';
import { CardDeclinedError, ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { resendableNotice, resentNotification, stepRequestId } from '../../domain/step-retries.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { adminOrderResponse } from '../admin-order-response.ts';
import type { Processes } from '../processes.ts';
import { createStepRetries } from '../step-retries.ts';

/** The request's Idempotency-Key (1 to 200 characters), or a fresh one: a request without it is a new request. */
function requestKey(req: Express.Request & { get(name: string): string | undefined }): string {
  const key = req.get('idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 200)) throw new ValidationError('Idempotency-Key is 1 to 200 characters');
  return key ?? randomUUID();
}

/** Routes of single-step retries under /admin (roles: api/route-roles.ts); mounted before the main admin router. */
export function adminStepRetryRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const steps = createStepRetries(deps.temporal, config);
  const orderResponse = adminOrderResponse(pool, processes, config, deps.temporal);
  const r = Router();

  r.post('/orders/:id/notifications/:template/resend', async (req, res) => {
    const t = tenantOf(req);
    const order = await getOrder(pool, t.id, req.params.id);
    const template = req.params.template;
    const notice = resendableNotice(order, template);
    if (!notice) throw new NotFoundError(`notification ${template} of order`, order.id);
    const id = stepRequestId('rsd', t.id, order.id, template, requestKey(req));
    await recordResend(pool, { id, tenantId: t.id, orderId: order.id, template }, actorOf(req));
    const workflowId = await steps.resend(order.id, id, resentNotification(t.id, order.email, notice, id));
    res.json({ id, order_id: order.id, template, workflow_id: workflowId });
  });

  r.post('/orders/:id/payments/:payment_id/capture', async (req, res) => {
    const t = tenantOf(req);
    const order = await getOrder(pool, t.id, req.params.id);
    const listed = order.payments.find((p) => p.id === req.params.payment_id);
    if (!listed) throw new NotFoundError(`payment of order ${order.id}`, req.params.payment_id);
    const payment = listed.method === 'card' ? await findCardPayment(pool, t.id, order.id) : null;
    if (!payment) throw new ConflictError(`payment ${listed.id} is paid by ${listed.method}; only card captures are retried`);
    if (!payment.captured) {
      if (!payment.capture_failed) throw new ConflictError(`payment ${payment.id} is ${payment.status}; only a capture the gateway refused can be retried`);
      const outcome = await steps.retryCapture({
        tenantId: t.id,
        orderId: order.id,
        paymentId: payment.id,
        attempt: payment.capture_failures,
        actor: actorOf(req),
      });
      if (outcome.status === 'capture_failed')
        throw new CardDeclinedError('the gateway refused the capture again; the money is still authorized', { decline_code: outcome.declineCode });
    }
    res.json(await orderResponse(t.id, order.id));
  });

  r.post('/webhooks/:id/deliveries/:delivery_id/redeliver', async (req, res) => {
    const t = tenantOf(req);
    const webhook = await getWebhook(pool, t.id, req.params.id);
    // A deleted or disabled webhook is never posted to, so a redelivery would stay `retrying` for nothing.
    if (webhook.status !== 'active') throw new ConflictError(`webhook ${webhook.id} is ${webhook.status}; only an active webhook is redelivered to`);
    const eventId = req.params.delivery_id;
    const delivery = await getDelivery(pool, webhook.id, eventId);
    if (!delivery) throw new NotFoundError(`delivery of webhook ${webhook.id}`, eventId);
    const id = stepRequestId('rdl', t.id, webhook.id, eventId, requestKey(req));
    const asked = await findRedelivery(pool, t.id, id);
    if (!asked && delivery.status === 'retrying')
      throw new ConflictError(`delivery ${eventId} is still being attempted; redeliver it once delivered or failed`);
    const event = await getOutboxEvent(pool, t.id, eventId);
    if (!event) throw new ConflictError(`event ${eventId} is no longer recorded; it cannot be sent again`);
    const { attemptOffset } = await recordRedelivery(
      pool,
      { id, tenantId: t.id, webhookId: webhook.id, eventId, attemptOffset: delivery.attempts },
      actorOf(req),
    );
    const workflowId = await steps.redeliver(id, {
      tenantId: t.id,
      webhookId: webhook.id,
      event: { id: event.event_id, type: event.type, created_at: event.created_at, data: event.payload, sequence: event.seq },
      attemptOffset,
    });
    res.json({ id, webhook_id: webhook.id, event_id: eventId, workflow_id: workflowId, status: (await getDelivery(pool, webhook.id, eventId))!.status });
  });

  return r;
}
