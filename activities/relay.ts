// The outbox relay's batch: every consumer of an event is served inside the transaction that holds the event's lock.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import type { Config } from '../config/config.ts';
import { claimOutboxBatch, markOutboxPublished, type OutboxRow } from '../db/queries/outbox.ts';
import { activeWebhooks } from '../db/queries/webhooks.ts';
import { EVENT_NOTICES, eventNoticeWorkflowId, webhookDeliveryWorkflowId, webhookWants } from '../domain/relay.ts';
import type { SearchBackend } from '../providers/search/types.ts';
import type { WebhookDeliveryInput, webhookDelivery } from '../workflows/webhookDelivery.ts';
import type { eventNotice } from '../workflows/eventNotice.ts';
import { TenantIdKey } from '../workflows/search-attributes.ts';
import { indexEvents } from './search-indexer.ts';

/** What the relay needs besides the pool (absent in workers that do not relay). */
export type RelayDeps = { pool: DatabasePool; temporal?: Client; search?: SearchBackend; config?: Config };

const START_CONCURRENCY = 16;

/** Builds the relay activities. */
export function createRelayActivities({ pool, temporal, search, config }: RelayDeps) {
  const startDeliveries = async (tx: CommonQueryMethods, events: OutboxRow[]): Promise<number> => {
    const hooks = await activeWebhooks(tx, [...new Set(events.map((e) => e.tenant_id))]);
    const starts = events.flatMap((e) => hooks.filter((h) => h.tenant_id === e.tenant_id && webhookWants(h.events, e.type)).map((h) => ({ e, h })));
    if (starts.length === 0) return 0;
    if (!temporal || !config) throw ApplicationFailure.nonRetryable('this worker has no Temporal client or config to start webhook deliveries', 'relay_not_configured');
    const taskQueue = Context.current().info.taskQueue;
    const retry = { initialIntervalMs: config.WEBHOOK_RETRY_INITIAL, maximumIntervalMs: config.WEBHOOK_RETRY_MAX_INTERVAL, giveUpAfterMs: config.WEBHOOK_RETRY_FOR };
    let started = 0;
    for (let i = 0; i < starts.length; i += START_CONCURRENCY) {
      await Promise.all(starts.slice(i, i + START_CONCURRENCY).map(async ({ e, h }) => {
        const input: WebhookDeliveryInput = { tenantId: e.tenant_id, webhookId: h.id, event: { id: e.event_id, type: e.type, created_at: e.created_at, data: e.payload, sequence: e.seq }, retry };
        try {
          await temporal.workflow.start<typeof webhookDelivery>('webhookDelivery', {
            workflowId: webhookDeliveryWorkflowId(h.id, e.event_id), taskQueue, args: [input],
            // A relay retried after a crash starts the same ids again: rejected, even once the first delivery finished.
            workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'FAIL',
            typedSearchAttributes: [{ key: TenantIdKey, value: e.tenant_id }],
          });
          started++;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }));
    }
    return started;
  };

  // Customer notices of business facts (refund issued, renewal charged): one `notice:<event>` workflow per event.
  const startNotices = async (events: OutboxRow[]): Promise<number> => {
    const noticed = events.filter((e) => EVENT_NOTICES[e.type]);
    if (noticed.length === 0) return 0;
    if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to start customer notices', 'relay_not_configured');
    const taskQueue = Context.current().info.taskQueue;
    let started = 0;
    for (const e of noticed) {
      try {
        await temporal.workflow.start<typeof eventNotice>('eventNotice', {
          workflowId: eventNoticeWorkflowId(e.event_id), taskQueue, args: [{ tenantId: e.tenant_id, event: { id: e.event_id, type: e.type, data: e.payload } }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'FAIL', typedSearchAttributes: [{ key: TenantIdKey, value: e.tenant_id }],
        });
        started++;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    return started;
  };

  // Every step is idempotent, so a crash anywhere before the commit only makes the next run repeat the batch.
  const relayBatch = (index: SearchBackend, input: { batchSize: number; tenantIds?: string[] }) => pool.transaction(async (tx) => {
    const events = await claimOutboxBatch(tx, input.batchSize, input.tenantIds ?? null);
    if (events.length === 0) return { published: 0, deliveries: 0, indexed: 0, notices: 0 };
    const deliveries = await startDeliveries(tx, events);
    const notices = await startNotices(events);
    const indexed = await indexEvents(tx, index, events);
    await markOutboxPublished(tx, events.map((e) => e.seq));
    return { published: events.length, deliveries, indexed, notices };
  });

  return {
    /**
     * Claims up to `batchSize` unpublished events (of `tenantIds` only, when given), starts their webhook deliveries and
     * customer notices, updates the search index, then marks them published in the same transaction.
     */
    async relayOutboxBatch(input: { batchSize: number; tenantIds?: string[] }): Promise<{ published: number; deliveries: number; indexed: number; notices: number }> {
      if (!search) throw ApplicationFailure.nonRetryable('this worker has no search backend to index events into', 'relay_not_configured');
      // Heartbeats let Temporal retry the batch on another worker within seconds when this one dies.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1000);
      try {
        return await relayBatch(search, input);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
