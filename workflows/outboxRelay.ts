// Outbox relay: run by the `outbox-relay:<task queue>` Schedule (overlap: skip, so one batch loop at a time per
// deployment). Each batch is one activity: claim events (FOR UPDATE SKIP LOCKED), start their webhook deliveries,
// update the search index, mark them published — all or nothing, so a crash mid-batch only means a retry.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** Input of a relay run (the Schedule's action arguments). */
export type OutboxRelayInput = { batchSize: number; maxBatches: number; tenantIds?: string[] };

const { relayOutboxBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Relays batches until one comes back short (caught up) or `maxBatches` ran; returns how many events it published. */
export async function outboxRelay(input: OutboxRelayInput): Promise<number> {
  let published = 0;
  for (let i = 0; i < input.maxBatches; i++) {
    const batch = await relayOutboxBatch({ batchSize: input.batchSize, tenantIds: input.tenantIds });
    published += batch.published;
    if (batch.published < input.batchSize) break;
  }
  return published;
}
