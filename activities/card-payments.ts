// Activities of card payments: authorize at checkout, capture at the first shipment, void on cancellation, refunds.
import type { DatabasePool } from 'slonik';
import {
  completeRefund,
  failRefund,
  findCardPayment,
  getRefund,
  recordAuthorization,
  recordCapture,
  recordCaptureFailure,
  recordDecline,
  recordVoid,
  reserveRefund,
} from '../db/queries/card-payments.ts';
import { CardDeclinedError, ConflictError, DomainError, NotFoundError } from '../domain/errors.ts';
import type { CaptureRetryInput, CaptureRetryOutcome, RefundInput } from '../contracts/workflows.ts';
import type { Actor } from '../contracts/audit.ts';
import type { OrderStatus } from '../domain/order.ts';
import type { PaymentProviders } from '../providers/payments/types.ts';
import { asActivity } from './errors.ts';
import type { CardPaymentActivities } from '../contracts/activities.ts';

/** Builds the card payment activities. Idempotency keys derive from the order, payment and refund ids. */
export function createCardPaymentActivities({ pool, payments }: { pool: DatabasePool; payments: PaymentProviders }) {
  const gateway = payments.forMethod('card');
  return {
    /**
     * Authorizes the order total on the customer's card (key `authorize:<order>`). A decline is recorded and
     * raised as `card_declined` (never retried); a timeout is retried with the same key, so it charges once.
     */
    async authorizeCardPayment(input: { tenantId: string; orderId: string; token: string }): Promise<{ orderStatus: OrderStatus; cardRef: string | null }> {
      return asActivity(async () => {
        const payment = await findCardPayment(pool, input.tenantId, input.orderId);
        if (!payment) throw new ConflictError(`order ${input.orderId} is not paid by card`);
        const result = await gateway.authorize({
          idempotencyKey: `authorize:${input.orderId}`,
          amount: payment.amount,
          currency: payment.currency,
          reference: input.orderId,
          token: input.token,
        });
        if (result.outcome === 'declined') {
          await recordDecline(pool, { tenantId: input.tenantId, orderId: input.orderId, provider: gateway.name, declineCode: result.declineCode });
          throw new CardDeclinedError(`the card was declined (${result.declineCode})`, { decline_code: result.declineCode, hard: result.hard });
        }
        const orderStatus = await recordAuthorization(pool, {
          tenantId: input.tenantId,
          orderId: input.orderId,
          provider: gateway.name,
          authorizationRef: result.authorizationRef!,
          cardRef: result.cardRef ?? null,
        });
        // Cancelled while the gateway answered: the workflow may no longer be listening (it gave up on this step), so
        // the money is released here, under the same key its compensation would use.
        if (orderStatus === 'cancelled') {
          await gateway.void({ idempotencyKey: `void:${payment.id}`, authorizationRef: result.authorizationRef! });
          await recordVoid(pool, payment.id);
        }
        return { orderStatus, cardRef: result.cardRef ?? null };
      });
    },

    /**
     * Captures the authorized money (key `capture:<payment>`); a captured or voided payment is left as it is. A capture
     * the gateway refuses is recorded on the payment (`capture_failed`: staff retry it, see retryCardCapture) and
     * returned, not thrown: the parcel has left either way, so the order's fulfillment goes on.
     */
    async captureCardPayment(input: { tenantId: string; orderId: string }): Promise<{ status: string }> {
      return asActivity(async () => {
        const payment = await findCardPayment(pool, input.tenantId, input.orderId);
        if (!payment || !payment.authorization_ref) return { status: payment?.status ?? 'none' };
        if (payment.captured || payment.voided) return { status: payment.status };
        try {
          await gateway.capture({ idempotencyKey: `capture:${payment.id}`, authorizationRef: payment.authorization_ref, amount: payment.amount });
        } catch (err) {
          if (!(err instanceof CardDeclinedError)) throw err;
          // The first capture is refusal number 0 whatever the row says now (a retried attempt records nothing twice).
          await recordCaptureFailure(pool, payment.id, 0, err.message);
          return { status: 'capture_failed' };
        }
        await recordCapture(pool, payment.id);
        return { status: 'captured' };
      });
    },

    /**
     * Staff's retry of a refused capture: the retry after `attempt` refusals uses the key `capture:<payment>:retry:<attempt>`
     * (the refused key would only replay its refusal); a payment captured meanwhile is left alone, and the gateway never
     * captures more than was authorized, so money moves once. Audited as `payment.capture_retry` when it captures.
     */
    async retryCardCapture(input: CaptureRetryInput): Promise<CaptureRetryOutcome> {
      return asActivity(async () => {
        const payment = await findCardPayment(pool, input.tenantId, input.orderId);
        if (!payment || payment.id !== input.paymentId) throw new NotFoundError('card payment', input.paymentId);
        if (payment.captured) return { status: 'captured' };
        if (payment.voided || !payment.authorization_ref) throw new ConflictError(`payment ${payment.id} is ${payment.status}; there is nothing to capture`);
        try {
          await gateway.capture({
            idempotencyKey: `capture:${payment.id}:retry:${input.attempt}`,
            authorizationRef: payment.authorization_ref,
            amount: payment.amount,
          });
        } catch (err) {
          if (!(err instanceof CardDeclinedError)) throw err;
          await recordCaptureFailure(pool, payment.id, input.attempt, err.message);
          return { status: 'capture_failed', declineCode: String(err.details?.decline_code ?? 'declined') };
        }
        await recordCapture(pool, payment.id, input.actor ?? null);
        return { status: 'captured' };
      });
    },

    /**
     * Compensation: releases an uncaptured authorization (key `void:<payment>`). Tolerates no payment or no authorization.
     * An authorization the order never recorded (the gateway's answer was lost, the checkout gave up) is found at the
     * gateway by its request's key `authorize:<order>`, so it is released too.
     */
    async voidCardAuthorization(input: { tenantId: string; orderId?: string }): Promise<{ voided: boolean }> {
      return asActivity(async () => {
        if (!input.orderId) return { voided: false };
        const payment = await findCardPayment(pool, input.tenantId, input.orderId);
        if (!payment || payment.captured || payment.voided) return { voided: false };
        const authorizationRef = payment.authorization_ref ?? (await gateway.findAuthorization?.(`authorize:${input.orderId}`))?.authorizationRef;
        if (!authorizationRef) return { voided: false };
        await gateway.void({ idempotencyKey: `void:${payment.id}`, authorizationRef });
        await recordVoid(pool, payment.id);
        return { voided: true };
      });
    },

    /**
     * Reserves a refund (pending) if captured minus refunded minus refunds in flight covers it. A client mistake
     * (too much, wrong currency, nothing captured) is returned, not thrown: the refund workflow then ends `rejected`.
     */
    async reserveRefund(input: RefundInput): Promise<{ ok: true } | { ok: false; code: string; message: string; details?: Record<string, unknown> }> {
      try {
        await reserveRefund(pool, input);
        return { ok: true };
      } catch (err) {
        if (err instanceof DomainError) return { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
        throw err;
      }
    },

    /** Pays a reserved refund back to the card (key `refund:<refund>`); the gateway refusing it frees the amount again. */
    async executeRefund(input: { tenantId: string; refundId: string; actor?: Actor }): Promise<{ status: string }> {
      return asActivity(async () => {
        const refund = await getRefund(pool, input.tenantId, input.refundId);
        if (refund.status !== 'pending') return { status: refund.status };
        try {
          const done = await gateway.refund({ idempotencyKey: `refund:${refund.id}`, authorizationRef: refund.authorization_ref, amount: refund.amount });
          await completeRefund(pool, refund.id, done.ref, input.actor ?? null);
          return { status: 'succeeded' };
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          await failRefund(pool, refund.id);
          return { status: 'failed' };
        }
      });
    },
  } satisfies CardPaymentActivities;
}
