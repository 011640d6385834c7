// Activities of the reservation-expiry workflow and the hold sweeper.
import type { DatabasePool } from 'slonik';
import { releaseExpiredCartHolds, releaseExpiredHoldsBatch } from '../db/queries/holds.ts';
import { asActivity } from './errors.ts';
import { opsMetrics } from '../config/ops-metrics.ts';
import type { ExpiryPass, HoldActivities } from '../contracts/activities.ts';

/** Builds the hold activities. */
export function createHoldActivities({ pool }: { pool: DatabasePool }) {
  return {
    /** Releases a cart's expired holds; tells how many remain and when the next expires. */
    async releaseExpiredCartHolds(input: { tenantId: string; cartId: string }): Promise<ExpiryPass> {
      return asActivity(async () => {
        const pass = await releaseExpiredCartHolds(pool, input.tenantId, input.cartId);
        opsMetrics.holdsExpired.inc({ by: 'cart' }, pass.released);
        return pass;
      });
    },
    /** Releases expired holds of any cart, batch by batch, up to `maxBatches`. */
    async sweepExpiredHolds(input: { batchSize: number; maxBatches: number }): Promise<number> {
      return asActivity(async () => {
        let total = 0;
        for (let i = 0; i < input.maxBatches; i++) {
          const released = await releaseExpiredHoldsBatch(pool, input.batchSize);
          total += released;
          if (released < input.batchSize) break;
        }
        opsMetrics.holdsExpired.inc({ by: 'sweeper' }, total);
        return total;
      });
    },
  } satisfies HoldActivities;
}
