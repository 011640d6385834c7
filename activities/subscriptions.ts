// Activities of subscription billing: create subscriptions from an order, charge renewals, end them, change the card.
import type { DatabasePool } from 'slonik';
import { findCardPayment } from '../db/queries/card-payments.ts';
import {
  beginCharge,
  completeRenewal,
  createOrderSubscriptions,
  endSubscription,
  getBillingState,
  recordFailedRenewal,
  setSubscriptionCard,
} from '../db/queries/subscriptions.ts';
import { CardDeclinedError, ConflictError } from '../domain/errors.ts';
import { parseBillingInterval } from '../domain/billing-interval.ts';
import { isHardDecline, type PaymentProviders } from '../providers/payments/types.ts';
import { asActivity } from './errors.ts';
import type { BillingState, ChargeRenewalInput, EndSubscriptionInput, RenewalResult, SubscriptionActivities } from '../contracts/activities.ts';
import type { Actor } from '../contracts/audit.ts';

const ENDED = new Set(['cancelled', 'unpaid']);

/** Builds the subscription activities. */
export function createSubscriptionActivities({ pool, payments }: { pool: DatabasePool; payments: PaymentProviders }) {
  const gateway = payments.forMethod('card');
  return {
    /** Creates the order's subscriptions on the card it was authorized with; returns their ids (idempotent). */
    async createOrderSubscriptions(input: { tenantId: string; orderId: string }): Promise<string[]> {
      return asActivity(async () => {
        const payment = await findCardPayment(pool, input.tenantId, input.orderId);
        if (!payment?.card_ref) return [];
        return createOrderSubscriptions(pool, { tenantId: input.tenantId, orderId: input.orderId, cardRef: payment.card_ref });
      });
    },

    /** The subscription's billing state. */
    async loadSubscription(input: { subscriptionId: string }): Promise<BillingState> {
      return asActivity(() => getBillingState(pool, input.subscriptionId));
    },

    /**
     * One renewal attempt at the end of `period`, charged off-session with key `renewal:<sub>:<period + 1>:<attempt>`: a retry of
     * this activity replays the gateway's answer instead of charging again. After a soft decline the next attempt is
     * shown as due in `retryInMs`; after a hard decline none is (the card must change).
     */
    async chargeRenewal(input: ChargeRenewalInput): Promise<RenewalResult> {
      return asActivity(async () => {
        const state = await getBillingState(pool, input.subscriptionId);
        if (ENDED.has(state.status)) return { result: 'ended', state };
        if (state.period > input.period) return { result: 'succeeded', state };
        // An interval beyond the bounds (a row older than them) throws here, before the card is charged for a period
        // whose end cannot be computed; the failure is not retried (asActivity).
        parseBillingInterval(state.billing_interval, { allowShort: true });
        // Charges are numbered by the period they pay for: the renewal at the end of period 1 pays period 2.
        const paying = input.period + 1;
        const charge = await beginCharge(pool, {
          tenantId: state.tenant_id,
          subscriptionId: state.id,
          period: paying,
          attempt: input.attempt,
          amount: state.amount,
          currency: state.currency,
        });
        if (charge.status === 'failed') {
          const code = charge.decline_code ?? 'card_declined';
          return { result: 'failed', declineCode: code, hard: isHardDecline(code), state };
        }
        const outcome = await gateway.charge({
          idempotencyKey: `renewal:${state.id}:${paying}:${input.attempt}`,
          cardRef: state.card_ref,
          amount: state.amount,
          currency: state.currency,
          reference: `renewal:${state.id}:${paying}`,
        });
        if (outcome.outcome === 'succeeded') {
          return {
            result: 'succeeded',
            state: await completeRenewal(pool, {
              chargeId: charge.id,
              gatewayRef: outcome.ref,
              subscriptionId: state.id,
              period: input.period,
              actor: input.actor,
            }),
          };
        }
        const failed = await recordFailedRenewal(pool, {
          chargeId: charge.id,
          declineCode: outcome.declineCode,
          gatewayRef: outcome.ref,
          subscriptionId: state.id,
          retryInMs: outcome.hard ? null : input.retryInMs,
          actor: input.actor,
        });
        return { result: 'failed', declineCode: outcome.declineCode, hard: outcome.hard, state: failed };
      });
    },

    /** Ends the subscription: cancelled (by request or after dunning) or unpaid. Idempotent. */
    async endSubscription(input: EndSubscriptionInput): Promise<BillingState> {
      return asActivity(() => endSubscription(pool, input));
    },

    /** Saves the customer's new card (key `save-card:<sub>:<request>`) for future charges; a declined card is refused. */
    async updateSubscriptionCard(input: { subscriptionId: string; token: string; requestKey: string; actor?: Actor }): Promise<void> {
      return asActivity(async () => {
        const state = await getBillingState(pool, input.subscriptionId);
        if (ENDED.has(state.status)) throw new ConflictError(`the subscription is ${state.status}`);
        const saved = await gateway.saveCard({ idempotencyKey: `save-card:${input.subscriptionId}:${input.requestKey}`, token: input.token });
        if (saved.outcome === 'declined') throw new CardDeclinedError(`the new card was declined (${saved.declineCode})`, { decline_code: saved.declineCode });
        await setSubscriptionCard(pool, input.subscriptionId, saved.cardRef, input.actor ?? null);
      });
    },
  } satisfies SubscriptionActivities;
}
