// Worker metrics on WORKER_METRICS_PORT (SDK runtime series and ours), OTLP export from a worker process, and one
// OpenTelemetry trace per checkout across API, workflow, activity and SQL.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { buildCheckout, createTestTenant, placeTestOrder, seedProduct, storefront, backOffice } from '../helpers/factories.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { freePort } from '../../scripts/temporal-dev-server.ts';
import { installTracing, temporalClientInterceptors, type Tracing } from '../../config/tracing.ts';
import { createApp } from '../../api/app.ts';
import { createMetrics } from '../../api/metrics.ts';
import { createWorker } from '../../workers/worker.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { dataConverter } from '../../providers/codec/data-converter.ts';
import { createLogger } from '../../config/logger.ts';
import { loadAlertRules, metricNamesIn } from '../helpers/alert-rules.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import request, { type Agent as TestAgent } from 'supertest';
import { createDbPool, type DatabasePool } from '../../db/pool.ts';

describe('worker process: metrics and trace export', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let worker: WorkerProcess;
  let metricsUrl: string;
  let collector: Server;
  const exported: string[] = [];

  beforeAll(async () => {
    // A stand-in OTLP/HTTP collector: the worker process exports its spans here as JSON.
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        exported.push(`${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    // Holds expire fast here, so the holds-expired counter moves within the test.
    stack = await startTestStack({ worker: false, config: { CART_HOLD_TTL: '3s' } });
    tenant = await createTestTenant(stack.pool);
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = await startWorkerProcess(stack.taskQueue, {
      // The plain test bundle lacks the tracing interceptors: the worker must build a traced one itself.
      env: {
        WORKER_METRICS_PORT: String(port),
        WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE!,
        CART_HOLD_TTL: '3s',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await new Promise<void>((resolve) => (collector ? collector.close(() => resolve()) : resolve()));
  });

  test('when a worker with WORKER_METRICS_PORT places an order, fails an activity and expires a hold, then its /metrics shows the SDK runtime series and ours', async () => {
    await placeTestOrder(stack.http, tenant, { payment_method: 'bank_transfer' });
    // Cancelling a tok_flaky card order: the gateway loses the void's first attempt, a failed (regular) activity.
    const flaky = await placeTestOrder(stack.http, tenant, { payment_method: 'card', payment_token: 'tok_flaky' });
    expect((await backOffice(stack.http, tenant.admin_api_key).cancel(flaky.order.id)).status).toBe(200);
    // A stale expected_total fails placeOrder (price_changed), a local activity: the SDK counts a failed local activity.
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 700, stock: 3 });
    const stale = (await store.createCart()).body as { id: string };
    await store.addItem(stale.id, variantId, 1);
    const refused = await store.checkout(stale.id, { ...buildCheckout(), expected_total: { amount: 1, currency: 'JPY' } });
    expect(refused.status).toBe(409);
    // That cart's hold is left to expire (CART_HOLD_TTL 3s) by its reservationExpiry workflow.
    const text = await waitFor(
      async () => {
        const body = await (await fetch(metricsUrl)).text();
        return /^holds_expired_total\{by="cart"\} [1-9]/m.test(body) ? body : null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'holds_expired_total to count the expired hold' },
    );
    expect(text).toMatch(/^orders_placed_total\{payment_method="bank_transfer"\} 1$/m);
    expect(text).toMatch(/^# TYPE reconciler_repairs_total counter$/m);
    expect(text).toMatch(/^webhook_give_ups_total 0$/m);
    expect(text).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);
    expect(text).toMatch(/^temporal_local_activity_execution_failed_total\{.*activity_type="placeOrder"/m);
    expect(text).toMatch(/^temporal_activity_execution_failed_total\{.*activity_type="voidCardAuthorization"/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);

    // Every metric an alert rule reads is served by the worker or the API (or by Prometheus itself).
    const api = await stack.http.get('/metrics');
    // The checkout latency alert reads this route label.
    expect(api.text).toContain('route="/store/carts/:id/checkout"');
    // Declared series count too: a labelled counter nobody incremented yet has only its # TYPE line.
    const served = new Set([...`${text}\n${api.text}`.matchAll(/^(?:# TYPE )?([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
    const fromPrometheus = new Set(['up', 'probe_success']);
    const used = loadAlertRules().groups.flatMap((g) => g.rules.flatMap((r) => metricNamesIn(r.expr)));
    expect(used.filter((name) => !served.has(name) && !fromPrometheus.has(name))).toEqual([]);
  });

  test('when that worker runs with OTEL_EXPORTER_OTLP_ENDPOINT, then it exports workflow, activity and SQL spans to <endpoint>/v1/traces', async () => {
    expect(worker.logs.some((l) => String(l.msg).includes('no tracing interceptors'))).toBe(true);
    const traces = await waitFor(async () => (exported.some((e) => e.includes('RunActivity:placeOrder')) ? exported.join('\n') : null), {
      timeoutMs: 30_000,
      what: 'the worker to export its spans',
    });
    expect(exported.every((e) => e.startsWith('/v1/traces '))).toBe(true);
    for (const name of ['StartActivity:placeOrder', 'RunActivity:placeOrder', 'slonik.executeQuery', 'temporal-commerce'])
      expect({ name, exported: traces.includes(name) }).toEqual({ name, exported: true });
  });
});

// Builds the workflow bundle with the tracing interceptors, as a worker with OTEL_EXPORTER_OTLP_ENDPOINT does.
async function tracedBundle(): Promise<string> {
  const out = path.join(process.cwd(), '.data', `test-workflow-bundle-traced-${process.pid}.js`);
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/bundle-workflows.ts', out, '--tracing'], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bundling with --tracing exited ${code}`);
  return out;
}

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let stack: TestStack;
  let tenant: CreatedTenant;
  let tracing: Tracing;
  let temporal: Client;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let http: TestAgent;
  let bundlePath: string;
  let pool: DatabasePool;

  beforeAll(async () => {
    // The in-memory exporter stands in for OTEL_EXPORTER_OTLP_ENDPOINT; everything else is what the processes install.
    tracing = (await installTracing({ OTEL_SERVICE_NAME: 'commerce-test' }, { spanProcessor: new SimpleSpanProcessor(exporter) }))!;
    stack = await startTestStack({ worker: false });
    tenant = await createTestTenant(stack.pool);
    pool = await createDbPool(stack.config.DATABASE_URL, 10, { tracing: true });
    temporal = new Client({
      connection: stack.temporal.connection,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      dataConverter: dataConverter(stack.config),
      interceptors: temporalClientInterceptors(tracing),
    });
    const logger = createLogger('silent', 'api');
    const app = createApp({ pool, temporal, config: stack.config, logger, metrics: createMetrics(), tracer: tracing.tracer });
    http = request(app);
    connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    worker = await createWorker({
      connection,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: stack.taskQueue,
      pool,
      notifier: stack.notifier,
      payments: createPaymentProviders({ pool, cardProvider: stack.config.CARD_PAYMENT_PROVIDER }),
      workflowBundlePath: (bundlePath = await tracedBundle()),
      temporal,
      search: stack.search,
      config: stack.config,
      tracing,
    });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection?.close();
    await pool?.end();
    await stack?.stop();
    await tracing?.shutdown();
    if (bundlePath) rmSync(bundlePath, { force: true });
  });

  test('when a storefront checks out, then one trace holds the API request, the Temporal start, the workflow run, its activity and their SQL', async () => {
    const { order } = await placeTestOrder(http, tenant, { payment_method: 'bank_transfer' });
    // The client span is named after the Update (placeOrder) that starts the checkout workflow.
    // Cancelling ends the checkout workflow, so its RunWorkflow span ends and is exported too.
    expect((await backOffice(http, tenant.admin_api_key).cancel(order.id)).status).toBe(200);
    const spans = await waitFor(
      async () => (exporter.getFinishedSpans().some((s) => s.name === 'RunWorkflow:checkoutV2') ? exporter.getFinishedSpans() : null),
      {
        what: 'the checkout workflow span',
      },
    );
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [request] = byName('POST /store/carts/:id/checkout');
    expect(request).toBeDefined();
    const traceId = request.spanContext().traceId;
    const inTrace = (s: ReadableSpan) => s.spanContext().traceId === traceId;
    for (const name of ['UpdateWithStartWorkflow:placeOrder', 'RunWorkflow:checkoutV2', 'StartActivity:placeOrder', 'RunActivity:placeOrder'])
      expect({ name, inTrace: byName(name).some(inTrace) }).toEqual({ name, inTrace: true });
    // SQL: slonik's query spans, in the API (cart reads) and under the placeOrder activity.
    const activity = byName('RunActivity:placeOrder').find(inTrace)!;
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const ancestors = (span: ReadableSpan) => {
      const names: string[] = [];
      for (let s: ReadableSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) names.push(s.name);
      return names;
    };
    const sql = byName('slonik.executeQuery').filter(inTrace);
    expect(sql.some((s) => ancestors(s).includes('RunActivity:placeOrder'))).toBe(true);
    expect(sql.some((s) => ancestors(s)[1] === 'POST /store/carts/:id/checkout')).toBe(true);
    // The chain from the activity up reaches the API's request span: one trace, not several stitched by id.
    const chain = ancestors(activity);
    expect(chain.at(-1)).toBe('POST /store/carts/:id/checkout');
    expect(chain).toEqual(
      expect.arrayContaining(['RunActivity:placeOrder', 'StartActivity:placeOrder', 'RunWorkflow:checkoutV2', 'UpdateWithStartWorkflow:placeOrder']),
    );
    expect(request.attributes).toMatchObject({ 'http.route': '/store/carts/:id/checkout', 'http.response.status_code': 201 });
  });
});
