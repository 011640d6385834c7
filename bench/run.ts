// `npm run bench`: load scenarios of DESIGN.md §9 against a real stack on this machine, each next to the
// Express baseline measured in the same run. Results go to bench/results/<timestamp>.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDbPool } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { createTenant } from '../db/queries/tenants.ts';
import { createCart } from '../db/queries/carts.ts';
import { createProduct } from '../db/queries/catalog.ts';
import { freePort, startDevServer } from '../scripts/temporal-dev-server.ts';
import { checkoutsAtRate, oneActivityWorkflowsAtRate, sequentialGuestCheckouts, waitForOrdersToSettle, type Latencies } from './checkout.ts';
import { SEARCH_PRODUCTS, SEARCH_QUERIES, seedSearchCatalog, waitForIndex } from './search-catalog.ts';
import { benchImport } from './import.ts';
import { rampCeilings } from './checkout-ramp.ts';
import { cpuCapPerS, cpuMeter, cpuPerOrderLine, cpuPerUnitLine, cpuTimes } from './process-cpu.ts';
import { profileCheckouts } from './checkout-profile.ts';
import { hotSkuOnOwnStack } from './hot-sku.ts';
import { judgeTargets } from './targets.ts';
import { addToCartRequests } from './add-to-cart.ts';
import { peakRss, rssMb } from './process-memory.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const children: ChildProcess[] = [];

function startChild(script: string, env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/run.sh', script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(readyText)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output.slice(-2000)}`)));
  });
}

type Result = { scenario: string; connections: number; rps: number; requests: number; p50: number; p99: number; non2xx: number; errors: number };

async function load(scenario: string, opts: autocannon.Options): Promise<Result> {
  const r = await autocannon({ duration: DURATION_S, ...opts });
  const result = {
    scenario,
    connections: opts.connections ?? 10,
    rps: Math.round(r.requests.average),
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
  process.stdout.write(
    `${scenario.padEnd(44)} ${String(result.connections).padStart(3)} conn  ${String(result.rps).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  non2xx ${result.non2xx}\n`,
  );
  return result;
}

async function main() {
  const dbName = `commerce_bench_${Date.now()}`;
  const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL ? new URL('/postgres', process.env.DATABASE_URL).toString() : adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const temporal = process.env.TEMPORAL_ADDRESS ? null : await startDevServer({ port: await freePort(), headless: true, logFile: '.data/bench-temporal.log' });
  try {
    await migrate(databaseUrl, path.join(root, 'db/migrations'));
    const pool = await createDbPool(databaseUrl, 4);
    const tenant = await createTenant(pool, { name: 'Bench', mode: 'single_brand' });
    const variants: string[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await createProduct(
        pool,
        tenant.tenant_id,
        'JPY',
        {
          title: `Bench product ${i}`,
          description: 'A product with two variants',
          status: 'published',
          variants: [0, 1].map((v) => ({
            sku: `B-${i}-${v}`,
            title: `V${v}`,
            price: { amount: 1000 + i, currency: 'JPY' },
            inventory: [{ on_hand: 10_000_000 }],
          })),
        },
        null,
      );
      variants.push(p.variants[0].id);
    }
    const carts = await Promise.all(Array.from({ length: 500 }, () => createCart(pool, tenant.tenant_id, { currency: 'JPY' })));
    // The search scenario's tenant; its 10,000 products are created once the worker runs, and the relay indexes them.
    const searchTenant = await createTenant(pool, { name: 'Bench search', mode: 'single_brand' });

    const address = temporal?.address ?? process.env.TEMPORAL_ADDRESS!;
    // The hold scenarios add one unit at a time to the same 500 cart lines: allow the most a line may hold.
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: 'bench',
      LOG_LEVEL: 'info',
      CART_HOLD_TTL: '15m',
      MAX_LINE_QUANTITY: '1000',
      ...BENCH_RATE_LIMITS,
    };
    const basePort = await freePort();
    const baseline = await startChild('bench/baseline-server.ts', { PORT: String(basePort) }, 'listening');
    const apiPort = await freePort();
    const worker = await startChild('workers/main.ts', env, 'worker polling');
    const apiStarted = Date.now();
    const api = await startChild('api/main.ts', { ...env, PORT: String(apiPort) }, 'api listening');
    const apiStartMs = Date.now() - apiStarted;
    // Idle means idle: measured before the search catalog arrives (the relay has only the small catalog's events to do).
    await new Promise((r) => setTimeout(r, 2000));
    const idle = { api_rss_mb: rssMb(api.pid!), worker_rss_mb: rssMb(worker.pid!) };
    // The search catalog is created through the same queries as /admin, while the relay indexes it from the outbox.
    const seedStarted = Date.now();
    await seedSearchCatalog(pool, searchTenant.tenant_id);
    process.stdout.write(`seeded ${SEARCH_PRODUCTS} products in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);
    const indexStarted = Date.now();
    await waitForIndex(pool, searchTenant.tenant_id);
    const indexSeconds = +((Date.now() - indexStarted) / 1000).toFixed(1);
    process.stdout.write(`relay indexed all ${SEARCH_PRODUCTS} products ${indexSeconds} s after the last one was created\n`);
    await pool.end();

    const headers = { 'x-publishable-key': tenant.publishable_key, 'content-type': 'application/json' };
    const results: Result[] = [];
    results.push(await load('baseline: express hello JSON', { url: `http://127.0.0.1:${basePort}/hello`, connections: 50 }));
    results.push(await load('GET /store/products (20 products)', { url: `http://127.0.0.1:${apiPort}/store/products`, connections: 50, headers }));
    results.push(await load('GET /store/products (20 products)', { url: `http://127.0.0.1:${apiPort}/store/products`, connections: 1, headers }));
    const addRequests = addToCartRequests(
      carts.map((c) => c.id),
      variants,
    );
    const addItem = (label: string) => load(label, { url: `http://127.0.0.1:${apiPort}`, connections: 20, headers, requests: addRequests });
    // A cart's first hold starts its reservation-expiry workflow (bounded by the Temporal server's start rate);
    // later holds reuse the running workflow. Measured apart, first holds while the carts are fresh.
    // What each add cost each process (the measured reason when the hold rows miss their bars).
    const holdCpu = cpuMeter({ temporal: temporal?.pid ?? null, worker: worker.pid!, api: api.pid! });
    await holdCpu.start();
    results.push(await addItem('POST /store/carts/:id/items (first holds)'));
    const firstHoldsCpu = holdCpu.perOrder(results.at(-1)!.requests, 2);
    process.stdout.write(`  ${cpuPerUnitLine(firstHoldsCpu, 'add')}\n`);
    holdCpu.mark();
    results.push(await addItem('POST /store/carts/:id/items (more holds)'));
    const moreHoldsCpu = holdCpu.perOrder(results.at(-1)!.requests, 2);
    process.stdout.write(`  ${cpuPerUnitLine(moreHoldsCpu, 'add')}\n`);
    const searchHeaders = { 'x-publishable-key': searchTenant.publishable_key };
    let s = 0;
    const searchLoad = (label: string, connections: number) =>
      load(label, {
        url: `http://127.0.0.1:${apiPort}`,
        connections,
        headers: searchHeaders,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/store/search?${SEARCH_QUERIES[s++ % SEARCH_QUERIES.length]}` }) }],
      });
    results.push(await searchLoad('GET /store/search (10k products, mixed)', 50));
    results.push(await searchLoad('GET /store/search (10k products, mixed)', 1));
    const [base, list50, list1, firstHolds, holds, search50, search1] = results;
    // Checkout: the order-placed answer at 20 orders/s next to a one-activity workflow at 20/s; then whole guest checkouts.
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const line = (label: string, l: Latencies) =>
      process.stdout.write(
        `${label.padEnd(44)} ${String(l.rate_per_s).padStart(6)} /s  p50 ${l.p50} ms  p99 ${l.p99} ms  failed ${l.failed} of ${l.count + l.failed}\n`,
      );
    // What one baseline workflow costs: the dev server and this process, which hosts its worker and its client (the API's
    // part for a checkout) and the bench's load generator, not counted for checkouts (so the baseline reads a little high);
    // the stack's own processes idle through it (their idle rate is subtracted). Read before the baseline worker stops.
    const baselineCpu = cpuMeter({ temporal: temporal?.pid ?? null, worker: process.pid, api: api.pid! });
    let cpuPerWorkflow = { temporal: 0, worker: 0, api: 0, postgres: 0 };
    const workflowBaseline = await oneActivityWorkflowsAtRate(address, CHECKOUT_RATE, CHECKOUT_SECONDS, {
      beforeLoad: baselineCpu.start,
      afterLoad: (l) => (cpuPerWorkflow = baselineCpu.perOrder(l.count)),
    });
    line('baseline: one-activity workflow', workflowBaseline);
    process.stdout.write(
      `CPU per one-activity workflow (idle subtracted): dev server ${cpuPerWorkflow.temporal} ms, its worker and client ${cpuPerWorkflow.worker} ms, ` +
        `the idle API ${cpuPerWorkflow.api} ms, PostgreSQL ${cpuPerWorkflow.postgres} ms\n`,
    );
    const workerPeak = peakRss(worker.pid!);
    const cpu = cpuMeter({ temporal: temporal?.pid ?? null, worker: worker.pid!, api: api.pid! });
    const checkout = await checkoutsAtRate(apiUrl, tenant.publishable_key, variants, CHECKOUT_RATE, CHECKOUT_SECONDS, cpu.start);
    line('POST /store/carts/:id/checkout (card)', checkout);
    // The whole guest checkout is one customer on a quiet store: measured once the saturating load above has drained.
    const drainedS = await waitForOrdersToSettle(address, checkout.count);
    process.stdout.write(`the 20/s orders' fulfillments had all started ${drainedS} s after the last answer\n`);
    const cpuPerOrder = cpu.perOrder(checkout.count);
    process.stdout.write(`${cpuPerOrderLine(cpuPerOrder)}\n`);
    const checkoutCpuTimes = cpuTimes(cpuPerOrder, cpuPerWorkflow);
    process.stdout.write(`a checkout costs the CPU of ${checkoutCpuTimes} one-activity workflows\n`);
    const guest = await sequentialGuestCheckouts(apiUrl, tenant.publishable_key, variants, GUEST_CHECKOUTS);
    line('whole guest checkout (cart, add, card)', guest);
    // The open-loop ramp (DESIGN §9 "checkout ceiling") on the same stack; its steps print as they go.
    const ramp = await rampCeilings({ apiUrl, temporalAddress: address, publishableKey: tenant.publishable_key, variantIds: variants });
    const workerPeakMb = workerPeak();
    const bulk = await benchImport(apiUrl, tenant.admin_api_key, api.pid!);
    process.stdout.write(`bulk import ${bulk.rows} rows in ${bulk.import_s} s; products export ${bulk.export_rows} rows in ${bulk.export_s} s\n`);
    const summary = {
      at: new Date().toISOString(),
      duration_s: DURATION_S,
      results,
      idle,
      api_start_ms: apiStartMs,
      holds_cpu_ms_per_add: { first: firstHoldsCpu, more: moreHoldsCpu },
      ratios: { products_vs_baseline_rps: +(list50.rps / base.rps).toFixed(3), search_vs_baseline_rps: +(search50.rps / base.rps).toFixed(3) },
      checkout: {
        rate_per_s: CHECKOUT_RATE,
        seconds: CHECKOUT_SECONDS,
        orders: checkout,
        one_activity_workflow: workflowBaseline,
        drained_s: drainedS,
        cpu_ms_per_order: cpuPerOrder,
        cpu_ms_per_one_activity_workflow: cpuPerWorkflow,
        checkout_cpu_in_one_activity_workflows: checkoutCpuTimes,
        whole_guest_checkout: guest,
      },
      bulk,
      search: {
        products: SEARCH_PRODUCTS,
        queries: SEARCH_QUERIES,
        relay_index_s: indexSeconds,
        rps_50: search50.rps,
        p50_1_ms: search1.p50,
        p99_1_ms: search1.p99,
        p50_50_ms: search50.p50,
        p99_50_ms: search50.p99,
      },
      ramp,
      worker_peak_rss_mb_under_checkout: workerPeakMb,
      targets: judgeTargets({
        baselineRps: base.rps,
        products: { rps50: list50.rps, p50At1: list1.p50 },
        search: { rps50: search50.rps, p50At1: search1.p50 },
        firstHolds: { rps: firstHolds.rps, p99: firstHolds.p99, cpuCapPerS: cpuCapPerS(firstHoldsCpu) },
        moreHolds: { rps: holds.rps, p99: holds.p99, cpuCapPerS: cpuCapPerS(moreHoldsCpu) },
        checkoutAt20: checkout,
        ceilings: { ...ramp.ceilings, checkoutCpuTimes },
        guest,
        apiIdleRssMb: idle.api_rss_mb,
        workerIdleRssMb: idle.worker_rss_mb,
        workerPeakRssUnderCheckoutMb: workerPeakMb,
        apiReadyMs: apiStartMs,
        importSeconds: bulk.import_s,
      }),
    };
    void baseline;
    return summary;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await temporal?.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

// Rate limits stay on, set too high to refuse, so every request pays for its counting (BENCH_RATE_LIMIT=off to compare).
const BENCH_RATE_LIMITS = {
  STORE_RATE_LIMIT: process.env.BENCH_RATE_LIMIT ?? '100000000/min',
  ADMIN_RATE_LIMIT: process.env.BENCH_RATE_LIMIT ?? '100000000/min',
};
const CHECKOUT_RATE = 20;
const CHECKOUT_SECONDS = Number(process.env.BENCH_CHECKOUT_SECONDS ?? 10);
const GUEST_CHECKOUTS = Number(process.env.BENCH_GUEST_CHECKOUTS ?? 50);

const summary = await main();
// What one checkout costs (gRPC calls, SQL statements, workflow tasks), on a stack of its own once the load stack is gone.
const profile = process.env.BENCH_PROFILE === 'off' ? null : await profileCheckouts();
// A flash sale beside ordinary checkouts (issue 14 scope 8), on a stack of its own; BENCH_HOT=off skips it.
const hotSku = process.env.BENCH_HOT === 'off' ? null : await hotSkuOnOwnStack(summary.ramp.ceilings.checkout_per_s);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `${summary.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ ...summary, profile, hot_sku: hotSku }, null, 2)}\n`);
process.stdout.write(`\nDESIGN.md §9 targets (ratios against this run's baselines):\n`);
for (const t of summary.targets) process.stdout.write(`  ${t.met ? 'met   ' : 'MISSED'} ${t.target.padEnd(58)} ${t.measured}\n`);
process.stdout.write(`results: ${path.relative(root, file)}\n`);
