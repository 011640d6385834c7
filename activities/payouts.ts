// Activities of vendor payouts (mall mode): the lines the platform owes each vendor of a completed order.
import type { DatabasePool } from 'slonik';
import { createPayoutsForOrder } from '../db/queries/payouts.ts';
import { asActivity } from './errors.ts';
import type { PayoutActivities } from '../contracts/activities.ts';

/** Builds the payout activities. */
export function createPayoutActivities({ pool }: { pool: DatabasePool }) {
  return {
    /** One payout line per vendor of the order (none for a single-brand order); returns the lines created. Idempotent. */
    async createPayouts(input: { tenantId: string; orderId: string }): Promise<number> {
      return asActivity(() => createPayoutsForOrder(pool, input.tenantId, input.orderId));
    },
  } satisfies PayoutActivities;
}
