// Back-office routes of card refunds: money paid back from captured card payments.
import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { checkRefundable, refundIdFor } from '../../db/queries/card-payments.ts';
import { getOrder } from '../../db/queries/orders.ts';
import { ConflictError, domainErrorFromCode, ValidationError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { refundBody } from '../schemas.ts';
import { adminOrderResponse } from '../admin-order-response.ts';
import type { Processes } from '../processes.ts';

/** Refund routes under /admin; mounted before the main admin router. */
export function adminRefundRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const r = Router();
  const actor = (req: Express.Request) => `api-key:${req.principal?.keyId ?? 'unknown'}`;
  const orderResponse = adminOrderResponse(pool, processes, config, deps.temporal);

  // Money leaves the business (admin and above, api/route-roles.ts). The same Idempotency-Key never refunds twice.
  r.post('/orders/:id/refunds', async (req, res) => {
    const t = tenantOf(req);
    const body = refundBody.parse(req.body);
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw new ValidationError('Idempotency-Key is 1 to 200 characters');
    const order = await getOrder(pool, t.id, String(req.params.id));
    const request = {
      tenantId: t.id,
      orderId: order.id,
      refundId: refundIdFor(t.id, order.id, key ?? randomUUID()),
      amount: body.amount.amount,
      currency: body.amount.currency,
      requestedBy: actor(req),
      reason: body.reason,
      actor: actorOf(req),
    };
    // An obvious mistake is answered without starting anything; a retried key skips it (its refund may be done).
    if (key === undefined) await checkRefundable(pool, request);
    const outcome = await processes.refund(request);
    if (outcome.status === 'rejected') throw domainErrorFromCode(outcome.code, outcome.message, outcome.details) ?? new ConflictError(outcome.message);
    if (outcome.status === 'failed') throw new ConflictError('the gateway refused the refund; nothing was paid back');
    res.json({
      ...(await orderResponse(t.id, order.id)),
      refund: { id: request.refundId, amount: body.amount, status: outcome.status },
    });
  });

  return r;
}
