// Server-side setup a worker ensures at start: custom search attributes, the hold-sweeper, outbox-relay and order-reconciler Schedules.
import { Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../contracts/search-attributes.ts';
import { HOLD_SWEEPER_SCHEDULE_ID, ORDER_RECONCILER_SCHEDULE_ID } from '../domain/ids.ts';
import { outboxRelayScheduleId } from '../domain/relay.ts';
import type { OrderReconcilerInput, OutboxRelayInput } from '../contracts/workflows.ts';

// temporal.api.enums.v1.IndexedValueType values (the proto enum is not re-exported for ESM importers).
const INDEXED_KEYWORD = 2;
const INDEXED_KEYWORD_LIST = 7;

/** Registers missing custom search attributes (a dev server started by us has them already). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(SEARCH_ATTRIBUTE_TYPES).filter(([name]) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, type === 'KeywordList' ? INDEXED_KEYWORD_LIST : INDEXED_KEYWORD])),
  });
  return missing.map(([name]) => name);
}

/** Creates (or updates) the Schedule that runs `holdSweeper` every `everyMs`. */
export async function ensureHoldSweeperSchedule(client: Client, opts: { taskQueue: string; everyMs: number; scheduleId?: string }): Promise<void> {
  const scheduleId = opts.scheduleId ?? HOLD_SWEEPER_SCHEDULE_ID;
  const action = { type: 'startWorkflow' as const, workflowType: 'holdSweeper', taskQueue: opts.taskQueue, workflowId: scheduleId, args: [] };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: opts.everyMs }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec: { intervals: [{ every: opts.everyMs }] }, action }));
  }
}

/** Creates (or updates) the Schedule that runs `outboxRelay` every `everyMs` on `taskQueue`; `tenantIds` limits it to those tenants. */
export async function ensureOutboxRelaySchedule(
  client: Client,
  opts: { taskQueue: string; everyMs: number; batchSize: number; tenantIds?: string[]; scheduleId?: string },
): Promise<string> {
  const scheduleId = opts.scheduleId ?? outboxRelayScheduleId(opts.taskQueue);
  const input: OutboxRelayInput = { batchSize: opts.batchSize, maxBatches: 50, ...(opts.tenantIds ? { tenantIds: opts.tenantIds } : {}) };
  const action = { type: 'startWorkflow' as const, workflowType: 'outboxRelay', taskQueue: opts.taskQueue, workflowId: scheduleId, args: [input] };
  const spec = { intervals: [{ every: opts.everyMs }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 seconds' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action }));
  }
  return scheduleId;
}

/**
 * Creates (or updates) the Schedule that runs `orderReconciler` every `everyMs` (overlap SKIP: a slow pass is never doubled);
 * `tenantIds` limits it to those tenants (tests).
 */
export async function ensureOrderReconcilerSchedule(
  client: Client,
  opts: { taskQueue: string; everyMs: number; graceMs: number; tenantIds?: string[]; scheduleId?: string },
): Promise<string> {
  const scheduleId = opts.scheduleId ?? ORDER_RECONCILER_SCHEDULE_ID;
  const input: OrderReconcilerInput = { graceMs: opts.graceMs, batchSize: 100, maxBatches: 20, ...(opts.tenantIds ? { tenantIds: opts.tenantIds } : {}) };
  const action = { type: 'startWorkflow' as const, workflowType: 'orderReconciler', taskQueue: opts.taskQueue, workflowId: scheduleId, args: [input] };
  const spec = { intervals: [{ every: opts.everyMs }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action }));
  }
  return scheduleId;
}
