// A real stack per test file: Postgres pool, Temporal client, an in-process worker on its own task queue, the HTTP app.
import type { Server } from 'node:http';
import request from 'supertest';
import type { Agent as TestAgent } from 'supertest';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { DatabasePool } from 'slonik';
import type { Config } from '../../config/config.ts';
import { createLogger, type Logger } from '../../config/logger.ts';
import { createDbPool } from '../../db/pool.ts';
import { createApp } from '../../api/app.ts';
import { holdsWorkflowId } from '../../domain/ids.ts';
import { CatalogCache } from '../../api/catalog-cache.ts';
import { createMetrics } from '../../api/metrics.ts';
import { createRateLimits } from '../../api/rate-limit.ts';
import { createHotWorker, createWorker, runTogether, type WorkerDeps } from '../../workers/worker.ts';
import type { Notifier } from '../../providers/notifications/notifier.ts';
import { RecordingNotifier } from './recording-notifier.ts';
import { createSearchBackend, type SearchBackend } from '../../providers/search/index.ts';
import { ensureOutboxRelaySchedule } from '../../workers/setup.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { connectTemporal, testConfig, uniqueTaskQueue, workflowBundle } from './stack.ts';
import { createTestTenant } from './factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let runtimeInstalled = false;

/** Everything a test drives. */
export type TestStack = {
  config: Config;
  pool: DatabasePool;
  temporal: Client;
  notifier: RecordingNotifier;
  http: TestAgent;
  server: Server;
  taskQueue: string;
  worker?: Worker;
  search: SearchBackend;
  /** The API's catalog cache, when the test's config turns it on. */
  catalogCache?: CatalogCache;
  /** Runs the outbox relay Schedule for these tenants only (other test files' relays serve theirs); deleted by stop(). */
  startRelay(tenantIds: string[]): Promise<void>;
  /** Starts the in-process worker (again, or for the first time in a `worker: false` stack). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts the stack; `config` overrides env (e.g. `{ CART_HOLD_TTL: '2s' }`); `worker: false` runs the API alone;
 * `activityOverrides` replaces activities of the worker (e.g. one that throws).
 */
export async function startTestStack(
  opts: {
    config?: Record<string, string>;
    worker?: boolean;
    taskQueue?: string;
    notifier?: Notifier;
    activityOverrides?: WorkerDeps['activityOverrides'];
    logger?: Logger;
    /** Also serve the hot task queue (hot variants' carts and checkouts), as the worker process does. */
    hotWorker?: boolean;
  } = {},
): Promise<TestStack> {
  if (!runtimeInstalled) {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Already installed in this process by an earlier test file.
    }
    runtimeInstalled = true;
  }
  const taskQueue = opts.taskQueue ?? uniqueTaskQueue('test');
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent', ...opts.config });
  const pool = await createDbPool(config.DATABASE_URL, 20);
  const temporal = await connectTemporal();
  const notifier = new RecordingNotifier();
  // The product's logger (with its redaction); `logger` lets a test read what the API logs.
  const logger = opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'api');
  const search = createSearchBackend(config, pool);
  await search.setup();
  const rateLimits = createRateLimits(config, logger);
  // As api/server.ts does; off unless a test turns it on (TEST_DEFAULTS).
  const catalogCache = config.CATALOG_CACHE_ENABLED ? new CatalogCache({ ttlMs: config.CATALOG_CACHE_TTL }) : undefined;
  catalogCache?.listen(config.DATABASE_URL);
  const app = createApp({ pool, temporal, config, logger, metrics: createMetrics(), search, rateLimits, catalogCache });
  const server = app.listen(0);
  let connection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let hotWorker: Worker | undefined;
  let running: Promise<unknown> | undefined;
  const startWorker = async () => {
    connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const deps: WorkerDeps = {
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      pool,
      notifier: opts.notifier ?? notifier,
      workflowBundlePath: workflowBundle().codePath,
      temporal,
      search,
      config,
      payments: createPaymentProviders({ pool, cardProvider: config.CARD_PAYMENT_PROVIDER }),
      activityOverrides: opts.activityOverrides,
    };
    worker = await createWorker(deps);
    hotWorker = opts.hotWorker ? await createHotWorker(deps, config.WORKER_HOT_SLOTS) : undefined;
    // As workers/run.ts: one stopping (or failing) stops the other; stopWorker (and so stop()) rethrows a failure, so a
    // crashed worker fails the file instead of hiding.
    running = runTogether([worker, ...(hotWorker ? [hotWorker] : [])]);
    running.catch((err: unknown) => console.error('[test stack] a worker stopped with an error', err));
  };
  if (opts.worker !== false) await startWorker();
  const stopWorker = async () => {
    for (const w of [worker, hotWorker]) if (w && w.getState() === 'RUNNING') w.shutdown();
    await running;
    await connection?.close();
    connection = undefined;
  };
  let relaySchedule: string | undefined;
  const startRelay = async (tenantIds: string[]) => {
    relaySchedule = await ensureOutboxRelaySchedule(temporal, {
      taskQueue,
      everyMs: config.OUTBOX_RELAY_INTERVAL,
      batchSize: config.OUTBOX_RELAY_BATCH_SIZE,
      tenantIds,
    });
  };
  return {
    config,
    pool,
    temporal,
    notifier,
    http: request(server),
    server,
    taskQueue,
    search,
    catalogCache,
    startRelay,
    startWorker,
    stopWorker,
    get worker() {
      return worker;
    },
    async stop() {
      if (relaySchedule)
        await temporal.schedule
          .getHandle(relaySchedule)
          .delete()
          .catch(() => {});
      await stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rateLimits.close();
      await catalogCache?.close();
      await temporal.connection.close();
      await pool.end();
    },
  };
}

/** A stack plus one tenant (single brand unless `mode: 'mall'`), the setup most test files share. */
export async function startStackWithTenant(
  opts: {
    config?: Record<string, string>;
    mode?: 'single_brand' | 'mall';
    relay?: boolean;
    notifier?: Notifier;
    logger?: Logger;
    activityOverrides?: WorkerDeps['activityOverrides'];
    hotWorker?: boolean;
  } = {},
): Promise<{ stack: TestStack; tenant: CreatedTenant }> {
  const { config, notifier, logger, activityOverrides, hotWorker } = opts;
  const stack = await startTestStack({ config, notifier, logger, activityOverrides, hotWorker });
  const tenant = await createTestTenant(stack.pool, { mode: opts.mode });
  if (opts.relay) await stack.startRelay([tenant.tenant_id]);
  return { stack, tenant };
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws with the last value). */
export async function waitFor<T>(check: () => Promise<T>, { timeoutMs = 20_000, intervalMs = 200, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until a cart's hold watcher has started (the API starts it HOLD_WATCH_DELAY after the cart's first hold). */
export function holdWatcherStarted(stack: Pick<TestStack, 'temporal'>, tenantId: string, cartId: string) {
  return waitFor(
    () =>
      stack.temporal.workflow
        .getHandle(holdsWorkflowId(tenantId, cartId))
        .describe()
        .catch(() => null),
    { what: 'the cart hold watcher to start' },
  );
}
