// Runs the worker process: config → pool → Temporal connection → setup → worker, with graceful shutdown.
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import { createDbPool } from '../db/pool.ts';
import { createHotWorker, createWorker, runTogether } from './worker.ts';
import { createPaymentProviders } from '../providers/payments/index.ts';
import { ensureHoldSweeperSchedule, ensureOrderReconcilerSchedule, ensureOutboxRelaySchedule, ensureSearchAttributes } from './setup.ts';
import { createSearchBackend } from '../providers/search/index.ts';
import { createNotifier } from '../providers/notifications/email.ts';
import { dataConverter } from '../providers/codec/data-converter.ts';
import { installTracing, temporalClientInterceptors } from '../config/tracing.ts';
import { freeLoopbackPort, sdkPrometheusOptions, serveWorkerMetrics } from './metrics-server.ts';
import { workflowBundleFor } from './bundle.ts';
import { hotTaskQueue } from '../domain/task-queues.ts';

let runtimeInstalled = false;

/** Starts a worker for the config; resolves once it polls. `stop()` drains and shuts down. */
export async function startWorker(config: Config, logger: Logger, address: string): Promise<{ stop(): Promise<void>; done: Promise<void> }> {
  let metricsServer: Server | undefined;
  if (!runtimeInstalled) {
    const sdkPort = config.WORKER_METRICS_PORT ? await freeLoopbackPort() : undefined;
    // SDK and bundler logs go to our JSON log; below WARN they are noise for operators.
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        const level = entry.level === 'ERROR' ? 'error' : 'warn';
        logger[level]({ sdk: entry.meta }, entry.message);
      }),
      ...(sdkPort ? { telemetryOptions: sdkPrometheusOptions(sdkPort) } : {}),
    });
    runtimeInstalled = true;
    if (config.WORKER_METRICS_PORT) metricsServer = await serveWorkerMetrics({ port: config.WORKER_METRICS_PORT, sdkPort, logger });
  }
  const tracing = await installTracing(config);
  const pool = await createDbPool(config.DATABASE_URL, config.DB_POOL_SIZE, { tracing: Boolean(tracing) });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config),
    interceptors: temporalClientInterceptors(tracing),
  });
  const added = await ensureSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  if (added.length) logger.info({ added }, 'registered search attributes');
  await ensureHoldSweeperSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, everyMs: config.HOLD_SWEEP_INTERVAL });
  if (config.RECONCILE_ENABLED) {
    await ensureOrderReconcilerSchedule(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      everyMs: config.RECONCILE_INTERVAL,
      graceMs: config.RECONCILE_GRACE ?? 2 * config.CHECKOUT_ANSWER_TIMEOUT,
    });
  }
  const search = createSearchBackend(config, pool);
  await search.setup();
  if (config.OUTBOX_RELAY_ENABLED) {
    await ensureOutboxRelaySchedule(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      everyMs: config.OUTBOX_RELAY_INTERVAL,
      batchSize: config.OUTBOX_RELAY_BATCH_SIZE,
      tenantIds: config.OUTBOX_RELAY_TENANTS,
    });
  }
  const connection = await NativeConnection.connect({ address });
  const deps = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    pool,
    notifier: createNotifier(config, logger),
    payments: createPaymentProviders({ pool, cardProvider: config.CARD_PAYMENT_PROVIDER }),
    temporal: client,
    search,
    config,
    workflowBundlePath: await workflowBundleFor(config.WORKFLOW_BUNDLE_PATH, Boolean(tracing), logger),
    tracing,
  };
  const worker = await createWorker(deps);
  // The hot task queue's own worker: a flash sale's carts and checkouts wait for these slots, never for the store's.
  const workers = [worker, await createHotWorker(deps, config.WORKER_HOT_SLOTS)];
  // The process serves both queues or neither.
  const stopAll = () => workers.filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown());
  const done = runTogether(workers).finally(async () => {
    await connection.close();
    await clientConnection.close();
    await pool.end();
    await tracing?.shutdown();
    await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, hotTaskQueue: hotTaskQueue(config.TEMPORAL_TASK_QUEUE), address }, 'worker polling');
  return {
    done,
    async stop() {
      stopAll();
      await done;
    },
  };
}
