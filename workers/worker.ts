// Worker factory: tests pass their own pool, connection and task queue.
import { Worker, type NativeConnection } from '@temporalio/worker';
import { dataConverter } from '../providers/codec/data-converter.ts';
import { parseConfig } from '../config/config.ts';
import type { DatabasePool } from 'slonik';
import { createActivities } from '../activities/index.ts';
import type { Activities } from '../contracts/activities.ts';
import { allAsActivities } from '../activities/errors.ts';
import type { Notifier } from '../providers/notifications/notifier.ts';
import type { RelayDeps } from '../activities/relay.ts';
import type { PaymentProviders } from '../providers/payments/types.ts';
import type { Tracing } from '../config/tracing.ts';
import { workerTracingOptions } from './tracing.ts';
import { hotTaskQueue } from '../domain/task-queues.ts';
import { workflowBundleOptions } from './bundle-options.ts';

/** What a worker needs; give either a prebuilt bundle (tests, production) or the workflows path (dev). */
export type WorkerDeps = {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: DatabasePool;
  notifier: Notifier;
  payments: PaymentProviders;
  workflowBundlePath?: string;
  workflowsPath?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /** Bounds workflow tasks and local activities too (the hot queue's worker); unset: the SDK's defaults. */
  maxConcurrentTaskExecutions?: number;
  /** Activities replacing the real ones of the same name (tests: a failing step); wrapped like the real ones. */
  activityOverrides?: Partial<Activities>;
  /** Traces activities and exports workflow spans; the bundle must then carry the workflow interceptors (scripts/bundle-workflows.ts --tracing). */
  tracing?: Tracing;
} & Omit<RelayDeps, 'pool'>;

/** Creates a worker hosting every workflow and activity on `deps.taskQueue`. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  if (!deps.workflowBundlePath && !deps.workflowsPath) throw new Error('createWorker needs workflowBundlePath or workflowsPath');
  const config = deps.config ?? parseConfig();
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: {
      ...createActivities({
        pool: deps.pool,
        notifier: deps.notifier,
        payments: deps.payments,
        temporal: deps.temporal,
        search: deps.search,
        config: deps.config,
      }),
      ...allAsActivities((deps.activityOverrides ?? {}) as Record<string, (...args: never[]) => Promise<unknown>>),
    },
    ...(deps.workflowBundlePath
      ? { workflowBundle: { codePath: deps.workflowBundlePath } }
      : { workflowsPath: deps.workflowsPath, bundlerOptions: { preloadModules: workflowBundleOptions(deps.workflowsPath).preloadModules } }),
    maxConcurrentActivityTaskExecutions: deps.maxConcurrentActivityTaskExecutions ?? 50,
    ...(deps.maxConcurrentTaskExecutions
      ? { maxConcurrentWorkflowTaskExecutions: deps.maxConcurrentTaskExecutions, maxConcurrentLocalActivityExecutions: deps.maxConcurrentTaskExecutions }
      : {}),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // Payloads are encrypted (TEMPORAL_PAYLOAD_KEY); the same codec as every client of the product.
    dataConverter: dataConverter(config),
    ...(await workerTracingOptions(deps.tracing)),
  });
}

/** The hot task queue's worker beside `deps.taskQueue`: every workflow and activity, at most `slots` of each at once. */
export async function createHotWorker(deps: WorkerDeps, slots: number): Promise<Worker> {
  return createWorker({ ...deps, taskQueue: hotTaskQueue(deps.taskQueue), maxConcurrentActivityTaskExecutions: slots, maxConcurrentTaskExecutions: slots });
}

/** Runs workers together: one stopping (shut down, or failed) stops the others; rejects with the first failure once all stopped. */
export async function runTogether(workers: Worker[]): Promise<void> {
  const stopAll = () => workers.filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown());
  const ran = await Promise.allSettled(workers.map((w) => w.run().finally(stopAll)));
  const failed = ran.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
