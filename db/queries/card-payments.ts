// Card payments (authorization, capture, void) and refunds: the transactions around them and the SQL of refunds.
// The payments rows themselves are written by payments.ts, inside these transactions.
import { createHash } from 'node:crypto';
import { createRefundPayouts } from './payouts.ts';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { addRefunded, markAuthorized, markCaptured, markCaptureFailed, markDeclined, markVoided } from './payments.ts';
import { lockOrder, setOrderStatus } from './orders.ts';
import { AmountMismatchError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { OrderStatus } from '../../domain/order.ts';
import { changedFields } from '../../domain/audit.ts';
import type { Actor } from '../../contracts/audit.ts';
import { recordAudit } from './audit-log.ts';
import { createPayoutsForOrder } from './payouts.ts';
import { revokeOrderDeliveries } from './digital-deliveries.ts';

const cardPaymentRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  order_id: z.string(),
  status: z.string(),
  amount: z.number(),
  currency: z.string(),
  received_amount: z.number(),
  refunded_amount: z.number(),
  authorization_ref: z.string().nullable(),
  card_ref: z.string().nullable(),
  captured: z.boolean(),
  voided: z.boolean(),
  capture_failures: z.number(),
  capture_failed: z.boolean(),
});
/** A card payment as the payment activities see it. */
export type CardPayment = z.infer<typeof cardPaymentRow>;

const cardPaymentColumns = sql.fragment`id, tenant_id, order_id, status, amount, currency, received_amount, refunded_amount, authorization_ref, card_ref,
  captured_at IS NOT NULL AS captured, voided_at IS NOT NULL AS voided, capture_failures, capture_failed_at IS NOT NULL AS capture_failed`;

/** The order's card payment, or null when the order is paid otherwise. */
export async function findCardPayment(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<CardPayment | null> {
  return db.maybeOne(
    sql.type(cardPaymentRow)`SELECT ${cardPaymentColumns} FROM payments WHERE tenant_id = ${tenantId} AND order_id = ${orderId} AND method = 'card'`,
  );
}

/**
 * Records a successful authorization and moves the order to pending_shipment. Returns the order's status: when it
 * is `cancelled` (cancelled while the gateway answered) the caller must void the authorization.
 */
export async function recordAuthorization(
  pool: DatabasePool,
  a: { tenantId: string; orderId: string; provider: string; authorizationRef: string; cardRef: string | null },
): Promise<OrderStatus> {
  return pool.transaction(async (tx) => {
    const order = await lockOrder(tx, a.tenantId, a.orderId);
    await markAuthorized(tx, a);
    if (order.status !== 'pending_payment') return order.status;
    await setOrderStatus(tx, a.tenantId, a.orderId, order.status, 'pending_shipment');
    await appendOutbox(tx, {
      tenantId: a.tenantId,
      type: 'payment.authorized',
      aggregateId: a.orderId,
      eventId: `payment-authorized:${a.orderId}`,
      payload: { order_id: a.orderId },
    });
    return 'pending_shipment';
  });
}

/** Records the gateway's decline on the order's card payment (the order itself is cancelled by compensation). */
export async function recordDecline(pool: DatabasePool, d: { tenantId: string; orderId: string; provider: string; declineCode: string }): Promise<void> {
  await pool.transaction(async (tx) => {
    await markDeclined(tx, d);
    await appendOutbox(tx, {
      tenantId: d.tenantId,
      type: 'payment.failed',
      aggregateId: d.orderId,
      eventId: `payment-failed:${d.orderId}`,
      payload: { order_id: d.orderId, decline_code: d.declineCode },
    });
  });
}

/**
 * Marks the authorized money captured (the whole authorization: we capture once, at the first shipment). A capture
 * retried by staff (`actor`) is audited as `payment.capture_retry` under the order, with the capture it made.
 */
export async function recordCapture(pool: DatabasePool, paymentId: string, actor: Actor | null = null): Promise<void> {
  await pool.transaction(async (tx) => {
    const p = await markCaptured(tx, paymentId);
    // A capture retried after the order completed: the payouts its fulfillment held back are owed now.
    if (p && (await lockOrder(tx, p.tenant_id, p.order_id)).status === 'completed') await createPayoutsForOrder(tx, p.tenant_id, p.order_id);
    if (p && actor)
      await recordAudit(tx, {
        tenantId: p.tenant_id,
        actor,
        action: 'payment.capture_retry',
        resourceType: 'order',
        resourceId: p.order_id,
        changes: { [`payment@${p.id}`]: { before: 'capture_failed', after: 'captured' } },
      });
    if (p)
      await appendOutbox(tx, {
        tenantId: p.tenant_id,
        type: 'payment.confirmed',
        aggregateId: p.id,
        eventId: `payment-captured:${p.id}`,
        payload: { payment_id: p.id, order_id: p.order_id, amount: p.amount, currency: p.currency },
      });
  });
}

/** Records that the gateway refused the capture numbered `failuresBefore` (the money stays authorized, staff may retry it). */
export async function recordCaptureFailure(pool: DatabasePool, paymentId: string, failuresBefore: number, error: string): Promise<void> {
  await markCaptureFailed(pool, paymentId, failuresBefore, error.slice(0, 500));
}

/** Marks the authorization voided at the gateway (the order was cancelled before capture). */
export async function recordVoid(pool: DatabasePool, paymentId: string): Promise<void> {
  await markVoided(pool, paymentId);
}

const refundRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  payment_id: z.string(),
  order_id: z.string(),
  amount: z.number(),
  currency: z.string(),
  status: z.string(),
  authorization_ref: z.string(),
});
/** A refund and the authorization it returns money from. */
export type Refund = z.infer<typeof refundRow>;

const refundColumns = sql.fragment`r.id, r.tenant_id, r.payment_id, r.order_id, r.amount, r.currency, r.status, p.authorization_ref`;

/** Refund id for a request: the same Idempotency-Key on the same order always names the same refund. */
export function refundIdFor(tenantId: string, orderId: string, idempotencyKey: string): string {
  return `rfd_${createHash('sha256').update(`${tenantId}\0${orderId}\0${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

/** A refund request. */
export type RefundRequest = { tenantId: string; orderId: string; refundId: string; amount: number; currency: string; requestedBy: string; reason?: string };

/** What can still be refunded of the order's card payment, or the domain error that says why nothing can. */
async function refundable(db: CommonQueryMethods, r: Pick<RefundRequest, 'tenantId' | 'orderId' | 'amount' | 'currency'>, lock: boolean): Promise<CardPayment> {
  const payment = await db.maybeOne(sql.type(cardPaymentRow)`
    SELECT ${cardPaymentColumns} FROM payments WHERE tenant_id = ${r.tenantId} AND order_id = ${r.orderId} AND method = 'card' ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
  if (!payment) throw new ConflictError('only card payments are refunded through the gateway; pay bank-transfer and cash orders back by hand');
  if (!payment.captured || !payment.authorization_ref)
    throw new ConflictError(`nothing was captured on this order (payment ${payment.status}); cancel it to release the authorization`);
  if (r.currency !== payment.currency) throw new AmountMismatchError(`the payment is in ${payment.currency}, not ${r.currency}`);
  const inFlight = await db.one(sql.type(z.object({ total: z.number() }))`
    SELECT COALESCE(sum(amount), 0)::bigint AS total FROM refunds WHERE payment_id = ${payment.id} AND status = 'pending'`);
  const left = payment.received_amount - payment.refunded_amount - inFlight.total;
  if (r.amount > left)
    throw new AmountMismatchError(`refund of ${r.amount} ${r.currency} exceeds the ${left} ${r.currency} left to refund`, {
      refundable: { amount: left, currency: payment.currency },
    });
  return payment;
}

/** Read-only early answer to an obviously impossible refund (the binding check is reserveRefund's, under lock). */
export async function checkRefundable(db: CommonQueryMethods, r: Pick<RefundRequest, 'tenantId' | 'orderId' | 'amount' | 'currency'>): Promise<void> {
  await refundable(db, r, false);
}

/**
 * Reserves a refund of captured card money: checks, under the order's and payment's row locks, that captured minus
 * refunded minus refunds in flight covers it (422 otherwise). A known refund id returns the refund already reserved.
 */
export async function reserveRefund(pool: DatabasePool, r: RefundRequest): Promise<Refund> {
  return pool.transaction(async (tx) => {
    // The order's lock first: a concurrent request with the same key then finds the refund the first one committed.
    await lockOrder(tx, r.tenantId, r.orderId);
    const existing = await tx.maybeOne(
      sql.type(
        refundRow,
      )`SELECT ${refundColumns} FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = ${r.refundId} AND r.tenant_id = ${r.tenantId}`,
    );
    if (existing) {
      if (existing.order_id !== r.orderId || existing.amount !== r.amount || existing.currency !== r.currency)
        throw new ConflictError('this Idempotency-Key was already used for another refund');
      return existing;
    }
    const payment = await refundable(tx, r, true);
    return tx.one(sql.type(refundRow)`
      WITH r AS (
        INSERT INTO refunds (id, tenant_id, payment_id, order_id, amount, currency, status, requested_by, reason)
        VALUES (${r.refundId}, ${r.tenantId}, ${payment.id}, ${r.orderId}, ${r.amount}, ${r.currency}, 'pending', ${r.requestedBy}, ${r.reason ?? null})
        RETURNING *)
      SELECT ${refundColumns} FROM r JOIN payments p ON p.id = r.payment_id`);
  });
}

/** The refund with its authorization. */
export async function getRefund(db: CommonQueryMethods, tenantId: string, refundId: string): Promise<Refund> {
  const row = await db.maybeOne(
    sql.type(refundRow)`SELECT ${refundColumns} FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.id = ${refundId} AND r.tenant_id = ${tenantId}`,
  );
  if (!row) throw new NotFoundError('refund', refundId);
  return row;
}

/**
 * Records a refund the gateway made: the payment's refunded total grows, and a full refund marks it `refunded`. The
 * refund's audit entry (on the order, in the name of `actor`) is written here: only money that moved is recorded.
 */
export async function completeRefund(pool: DatabasePool, refundId: string, gatewayRef: string, actor: Actor | null): Promise<void> {
  await pool.transaction(async (tx) => {
    const done = await tx.maybeOne(sql.type(refundRow)`
      WITH r AS (UPDATE refunds SET status = 'succeeded', gateway_ref = ${gatewayRef}, completed_at = now() WHERE id = ${refundId} AND status = 'pending' RETURNING *)
      SELECT ${refundColumns} FROM r JOIN payments p ON p.id = r.payment_id`);
    if (!done) return;
    await addRefunded(tx, done.payment_id, done.amount);
    // A mall order's vendors give back their share of the money refunded, in the same transaction.
    await createRefundPayouts(tx, done.tenant_id, done.order_id, done.id, done.amount);
    // Money given back takes the order's download links with it.
    await revokeOrderDeliveries(tx, done.order_id, 'refunded');
    await appendOutbox(tx, {
      tenantId: done.tenant_id,
      type: 'payment.refunded',
      aggregateId: done.payment_id,
      eventId: `refund:${done.id}`,
      payload: { order_id: done.order_id, payment_id: done.payment_id, refund_id: done.id, amount: done.amount, currency: done.currency },
    });
    if (!actor) return;
    const changes = changedFields(null, { refund_id: done.id, payment_id: done.payment_id, amount: done.amount, currency: done.currency, status: done.status });
    await recordAudit(tx, { tenantId: done.tenant_id, actor, action: 'refund.create', resourceType: 'order', resourceId: done.order_id, changes });
  });
}

/** Marks a refund failed (the gateway refused it), so its amount is refundable again. */
export async function failRefund(pool: DatabasePool, refundId: string): Promise<void> {
  await pool.query(sql.type(noRows)`UPDATE refunds SET status = 'failed', completed_at = now() WHERE id = ${refundId} AND status = 'pending'`);
}
