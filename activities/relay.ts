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
import type { WebhookDeliveryInput, WorkflowSignatures } from '../contracts/workflows.ts';
import { TenantIdKey } from '../contracts/search-attributes.ts';
import { indexEvents } from './search-indexer.ts';
import type { RelayActivities } from '../contracts/activities.ts';

/** What the relay needs besides the pool (absent in workers that do not relay). */
export type RelayDeps = { pool: DatabasePool; temporal?: Client; search?: SearchBackend; config?: Config };

const START_CONCURRENCY = 16;

/** Builds the relay activities. */
export function createRelayActivities({ pool, temporal, search, config }: RelayDeps) {
  /**
   * Starts one workflow per item, at most START_CONCURRENCY at a time. Ids are derived from the event, and a relay
   * retried after a crash starts the same ids again: Temporal rejects them, even once the first run finished.
   */
  const startEach = async <T>(items: T[], what: string, start: (client: Client, taskQueue: string, item: T) => Promise<unknown>): Promise<number> => {
    if (items.length === 0) return 0;
    if (!temporal) throw ApplicationFailure.nonRetryable(`this worker has no Temporal client to start ${what}`, 'relay_not_configured');
    const taskQueue = Context.current().info.taskQueue;
    let started = 0;
    for (let i = 0; i < items.length; i += START_CONCURRENCY) {
      await Promise.all(
        items.slice(i, i + START_CONCURRENCY).map(async (item) => {
          try {
            await start(temporal, taskQueue, item);
            started++;
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          }
        }),
      );
    }
    return started;
  };
  const once = { workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'FAIL' } as const;

  const startDeliveries = async (tx: CommonQueryMethods, events: OutboxRow[]): Promise<number> => {
    const hooks = await activeWebhooks(tx, [...new Set(events.map((e) => e.tenant_id))]);
    const starts = events.flatMap((e) => hooks.filter((h) => h.tenant_id === e.tenant_id && webhookWants(h.events, e.type)).map((h) => ({ e, h })));
    if (starts.length && !config) throw ApplicationFailure.nonRetryable('this worker has no config to start webhook deliveries', 'relay_not_configured');
    const retry = config && {
      initialIntervalMs: config.WEBHOOK_RETRY_INITIAL,
      maximumIntervalMs: config.WEBHOOK_RETRY_MAX_INTERVAL,
      giveUpAfterMs: config.WEBHOOK_RETRY_FOR,
    };
    return startEach(starts, 'webhook deliveries', (client, taskQueue, { e, h }) => {
      const input: WebhookDeliveryInput = {
        tenantId: e.tenant_id,
        webhookId: h.id,
        event: { id: e.event_id, type: e.type, created_at: e.created_at, data: e.payload, sequence: e.seq },
        retry: retry!,
      };
      return client.workflow.start<WorkflowSignatures['webhookDelivery']>('webhookDelivery', {
        workflowId: webhookDeliveryWorkflowId(h.id, e.event_id),
        taskQueue,
        args: [input],
        ...once,
        typedSearchAttributes: [{ key: TenantIdKey, value: e.tenant_id }],
      });
    });
  };

  // Customer notices of business facts (refund issued, renewal charged): one `notice:<event>` workflow per event.
  const startNotices = (events: OutboxRow[]): Promise<number> =>
    startEach(
      events.filter((e) => EVENT_NOTICES[e.type]),
      'customer notices',
      (client, taskQueue, e) =>
        client.workflow.start<WorkflowSignatures['eventNotice']>('eventNotice', {
          workflowId: eventNoticeWorkflowId(e.event_id),
          taskQueue,
          args: [{ tenantId: e.tenant_id, event: { id: e.event_id, type: e.type, data: e.payload } }],
          ...once,
          typedSearchAttributes: [{ key: TenantIdKey, value: e.tenant_id }],
        }),
    );

  // Every step is idempotent, so a crash anywhere before the commit only makes the next run repeat the batch.
  const relayBatch = (index: SearchBackend, input: { batchSize: number; tenantIds?: string[] }) =>
    pool.transaction(async (tx) => {
      const events = await claimOutboxBatch(tx, input.batchSize, input.tenantIds ?? null);
      if (events.length === 0) return { published: 0, deliveries: 0, indexed: 0, notices: 0 };
      const deliveries = await startDeliveries(tx, events);
      const notices = await startNotices(events);
      const indexed = await indexEvents(tx, index, events);
      await markOutboxPublished(
        tx,
        events.map((e) => e.seq),
      );
      return { published: events.length, deliveries, indexed, notices };
    });

  return {
    /**
     * Claims up to `batchSize` unpublished events (of `tenantIds` only, when given), starts their webhook deliveries and
     * customer notices, updates the search index, then marks them published in the same transaction.
     */
    async relayOutboxBatch(input: {
      batchSize: number;
      tenantIds?: string[];
    }): Promise<{ published: number; deliveries: number; indexed: number; notices: number }> {
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
  } satisfies RelayActivities;
}
