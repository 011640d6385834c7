// SQL owned by payments and payment_receipts (card payments' transactions in card-payments.ts call in here).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { idRow, noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { PaymentMethod } from '../../domain/order.ts';

/** Creates the order's payment in status pending (idempotent per order and method). */
export async function createPayment(
  tx: CommonQueryMethods,
  p: { tenantId: string; orderId: string; method: PaymentMethod; amount: number; currency: string; dueInMs: number | null },
): Promise<void> {
  await tx.query(sql.type(noRows)`
    INSERT INTO payments (id, tenant_id, order_id, method, status, amount, currency, payment_due_at)
    VALUES (${makeId('pay', randomUUID())}, ${p.tenantId}, ${p.orderId}, ${p.method}, 'pending', ${p.amount}, ${p.currency},
      ${p.dueInMs === null ? null : sql.fragment`clock_timestamp() + ${p.dueInMs} * interval '1 millisecond'`})
    ON CONFLICT (order_id, method) DO NOTHING`);
}

const paymentRow = z.object({ id: z.string(), status: z.string(), amount: z.number(), currency: z.string(), received_amount: z.number() });
export type PaymentRow = z.infer<typeof paymentRow>;

/** Locks the order's payment of a method. */
export async function lockPayment(tx: CommonQueryMethods, orderId: string, method: PaymentMethod): Promise<PaymentRow> {
  const row = await tx.maybeOne(sql.type(paymentRow)`
    SELECT id, status, amount, currency, received_amount FROM payments WHERE order_id = ${orderId} AND method = ${method} FOR UPDATE`);
  if (!row) throw new NotFoundError('payment of order', orderId);
  return row;
}

/**
 * Records money received against a payment. A receipt with the same reference is counted once,
 * so a retried activity never double-counts. Returns the payment after the receipt, and whether this receipt counted.
 */
export async function recordReceipt(
  tx: CommonQueryMethods,
  r: { tenantId: string; paymentId: string; amount: number; currency: string; reference: string; confirmedBy: string },
): Promise<PaymentRow & { counted: boolean }> {
  const inserted = await tx.maybeOne(sql.type(idRow)`
    INSERT INTO payment_receipts (id, tenant_id, payment_id, amount, currency, reference, confirmed_by)
    VALUES (${makeId('pay', randomUUID())}, ${r.tenantId}, ${r.paymentId}, ${r.amount}, ${r.currency}, ${r.reference}, ${r.confirmedBy})
    ON CONFLICT (payment_id, reference) DO NOTHING RETURNING id`);
  const payment = await tx.one(sql.type(paymentRow)`
    UPDATE payments SET received_amount = received_amount + ${inserted ? r.amount : 0},
      status = CASE WHEN received_amount + ${inserted ? r.amount : 0} >= amount THEN 'captured' ELSE status END, updated_at = now()
    WHERE id = ${r.paymentId} RETURNING id, status, amount, currency, received_amount`);
  if (inserted && payment.status === 'captured') {
    await appendOutbox(tx, {
      tenantId: r.tenantId,
      type: 'payment.confirmed',
      aggregateId: r.paymentId,
      eventId: `payment-captured:${r.paymentId}`,
      payload: { payment_id: r.paymentId, amount: payment.amount, currency: payment.currency },
    });
  }
  return { ...payment, counted: inserted !== null };
}

const refundRow = z.object({ id: z.string(), tenant_id: z.string(), received_amount: z.number(), currency: z.string() });

/**
 * Voids the order's payments that received nothing (order cancelled). Money already received stays recorded,
 * and a `payment.refund_required` event tells the back office to pay it back.
 */
export async function voidOpenPayments(tx: CommonQueryMethods, orderId: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE payments SET status = 'voided', updated_at = now() WHERE order_id = ${orderId} AND status IN ('pending', 'authorized') AND received_amount = 0`);
  const toRefund = await tx.any(sql.type(refundRow)`
    SELECT id, tenant_id, received_amount, currency FROM payments WHERE order_id = ${orderId} AND received_amount > 0 AND status <> 'refunded'`);
  for (const p of toRefund) {
    await appendOutbox(tx, {
      tenantId: p.tenant_id,
      type: 'payment.refund_required',
      aggregateId: p.id,
      eventId: `refund-required:${p.id}`,
      payload: { payment_id: p.id, order_id: orderId, amount: p.received_amount, currency: p.currency },
    });
  }
}

const receiptRow = z.object({ amount: z.number(), currency: z.string() });

/** The receipt already recorded under this reference, if any (a retried or repeated confirmation). */
export async function findReceipt(tx: CommonQueryMethods, paymentId: string, reference: string) {
  return tx.maybeOne(sql.type(receiptRow)`SELECT amount, currency FROM payment_receipts WHERE payment_id = ${paymentId} AND reference = ${reference}`);
}

const recorderRow = z.object({ confirmed_by: z.string() });

/** Who recorded the receipt under this reference (`confirmed_by`), or null when none was recorded. */
export async function receiptRecorder(db: CommonQueryMethods, paymentId: string, reference: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(recorderRow)`SELECT confirmed_by FROM payment_receipts WHERE payment_id = ${paymentId} AND reference = ${reference}`);
}

/** Records the card authorization on the order's card payment (pending → authorized). */
export async function markAuthorized(
  tx: CommonQueryMethods,
  a: { orderId: string; provider: string; authorizationRef: string; cardRef: string | null },
): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE payments SET provider = ${a.provider}, authorization_ref = ${a.authorizationRef}, card_ref = ${a.cardRef},
      status = CASE WHEN status = 'pending' THEN 'authorized' ELSE status END, updated_at = now()
    WHERE order_id = ${a.orderId} AND method = 'card'`);
}

/** Records the gateway's decline on the order's pending card payment. */
export async function markDeclined(tx: CommonQueryMethods, d: { tenantId: string; orderId: string; provider: string; declineCode: string }): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE payments SET provider = ${d.provider}, status = 'failed', decline_code = ${d.declineCode}, updated_at = now()
    WHERE tenant_id = ${d.tenantId} AND order_id = ${d.orderId} AND method = 'card' AND status = 'pending'`);
}

const capturedRow = z.object({ id: z.string(), tenant_id: z.string(), order_id: z.string(), amount: z.number(), currency: z.string() });

/** Marks the whole authorization captured; null when it already was. */
export async function markCaptured(tx: CommonQueryMethods, paymentId: string): Promise<z.infer<typeof capturedRow> | null> {
  return tx.maybeOne(sql.type(capturedRow)`
    UPDATE payments SET status = 'captured', received_amount = amount, captured_at = now(), capture_failed_at = NULL, updated_at = now()
    WHERE id = ${paymentId} AND captured_at IS NULL RETURNING id, tenant_id, order_id, amount, currency`);
}

/**
 * Records the gateway's refusal of the capture numbered `failuresBefore` (the money stays authorized); false when that
 * refusal was already recorded (a retried activity) or the payment was captured meanwhile.
 */
export async function markCaptureFailed(tx: CommonQueryMethods, paymentId: string, failuresBefore: number, error: string): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(idRow)`
    UPDATE payments SET capture_failures = capture_failures + 1, capture_failed_at = now(), capture_error = ${error}, updated_at = now()
    WHERE id = ${paymentId} AND captured_at IS NULL AND capture_failures = ${failuresBefore} RETURNING id`);
  return row !== null;
}

/** Marks an uncaptured authorization voided. */
export async function markVoided(db: CommonQueryMethods, paymentId: string): Promise<void> {
  await db.query(sql.type(noRows)`
    UPDATE payments SET status = 'voided', voided_at = now(), updated_at = now() WHERE id = ${paymentId} AND voided_at IS NULL AND captured_at IS NULL`);
}

/** Adds a completed refund to the payment's refunded total; a full refund marks it `refunded`. */
export async function addRefunded(tx: CommonQueryMethods, paymentId: string, amount: number): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE payments SET refunded_amount = refunded_amount + ${amount},
      status = CASE WHEN refunded_amount + ${amount} >= received_amount THEN 'refunded' ELSE status END, updated_at = now()
    WHERE id = ${paymentId}`);
}
