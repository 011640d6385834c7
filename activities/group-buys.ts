// Activities of the groupBuy workflow: hold a unit, authorize the card, end a participation, place its order, close.
import type { DatabasePool } from 'slonik';
import {
  closeGroupBuy,
  endParticipation,
  getParticipation,
  holdParticipation,
  placeParticipationOrder,
  recordParticipationAuthorization,
} from '../db/queries/group-buys.ts';
import { CardDeclinedError } from '../domain/errors.ts';
import { participationIds } from '../domain/ids.ts';
import { newSecret } from '../domain/secrets.ts';
import type { PaymentProviders } from '../providers/payments/types.ts';
import { asActivity } from './errors.ts';
import { opsMetrics } from '../config/ops-metrics.ts';
import type { GroupBuyActivities } from '../contracts/activities.ts';

/**
 * Builds the group-buy activities. Every id and gateway key derives from the participation id (domain/ids.ts
 * participationIds), so a step retried after a crash finds what its first attempt did and never does it twice.
 */
export function createGroupBuyActivities({ pool, payments }: { pool: DatabasePool; payments: PaymentProviders }) {
  const gateway = payments.forMethod('card');
  return {
    /** Records the participation and holds one unit for it (409 `insufficient_stock` when none is left); returns what the card owes. */
    async holdGroupBuyUnit(input: Parameters<GroupBuyActivities['holdGroupBuyUnit']>[0]) {
      return asActivity(() => holdParticipation(pool, input));
    },

    /**
     * Authorizes the campaign price on the participant's card (key `authorize:<participation>`). A decline is raised as
     * `card_declined` (never retried); the workflow then ends the participation, which gives the unit back.
     */
    async authorizeGroupBuyCard(input: { tenantId: string; participationId: string; token: string; amount: number; currency: string }): Promise<void> {
      return asActivity(async () => {
        const result = await gateway.authorize({
          idempotencyKey: participationIds(input.participationId).authorizeKey,
          amount: input.amount,
          currency: input.currency,
          reference: input.participationId,
          token: input.token,
        });
        if (result.outcome === 'declined')
          throw new CardDeclinedError(`the card was declined (${result.declineCode})`, { decline_code: result.declineCode, hard: result.hard });
        const ids = participationIds(input.participationId);
        const status = await recordParticipationAuthorization(pool, {
          tenantId: input.tenantId,
          participationId: input.participationId,
          authorizationRef: result.authorizationRef!,
          cardRef: result.cardRef ?? null,
        });
        // Ended while the gateway answered (the workflow gave up on this step): the money goes back under the end's key.
        if (status !== 'joined' && status !== 'ordered') await gateway.void({ idempotencyKey: ids.voidKey, authorizationRef: result.authorizationRef! });
      });
    },

    /**
     * Ends a participation that will not become an order: voids its authorization (key `void:<participation>`; one the
     * participation never recorded, because the gateway's answer was lost, is found by its request's key), then gives
     * its unit back. Safe to repeat.
     */
    async endGroupBuyParticipation(input: { tenantId: string; participationId: string; status: 'declined' | 'withdrawn' | 'voided'; declineCode?: string }) {
      return asActivity(async () => {
        const ids = participationIds(input.participationId);
        const p = await getParticipation(pool, input.tenantId, input.participationId).catch(() => null);
        if (p?.status === 'ordered') return { voided: false };
        const authorizationRef = p?.authorization_ref ?? (await gateway.findAuthorization?.(ids.authorizeKey))?.authorizationRef;
        if (authorizationRef) await gateway.void({ idempotencyKey: ids.voidKey, authorizationRef });
        await endParticipation(pool, input);
        return { voided: Boolean(authorizationRef) };
      });
    },

    /** Places the participation's card order (pending_shipment, the join's authorization); a retry returns the same order. */
    async placeGroupBuyOrder(input: { tenantId: string; participationId: string }) {
      return asActivity(async () => {
        const placed = await placeParticipationOrder(pool, { ...input, provider: gateway.name, accessToken: newSecret('ot', 18) });
        if (placed.created) opsMetrics.ordersPlaced.inc({ payment_method: 'card' });
        return placed;
      });
    },

    /** Records the campaign's outcome on its row (what GET /store/group-buys/:id reads). */
    async closeGroupBuy(input: { tenantId: string; groupBuyId: string; outcome: 'succeeded' | 'failed' }): Promise<void> {
      return asActivity(() => closeGroupBuy(pool, input));
    },
  } satisfies GroupBuyActivities;
}
