// Outbox relay: run by the `outbox-relay:<task queue>` Schedule (overlap: skip, so one batch loop at a time per
// deployment). Each batch is one activity: claim events (FOR UPDATE SKIP LOCKED), start their webhook deliveries,
// update the search index, mark them published — all or nothing, so a crash mid-batch only means a retry.
import { proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../contracts/activities.ts';
import type { OutboxRelayInput } from '../contracts/workflows.ts';

// One batch is one transaction (all or nothing); the heartbeat notices a dead worker within seconds.
const { relayOutboxBatch } = proxyActivities<RelayActivities>({
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
