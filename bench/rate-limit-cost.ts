// `node bench/rate-limit-cost.ts`: what rate limiting costs the catalog read. GET /store/products (20 products)
// at 50 connections against the same API with limits off, then on (set too high to refuse), in one run.
import { startApi } from './api-child.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDbPool } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { createTenant } from '../db/queries/tenants.ts';
import { createProduct } from '../db/queries/catalog.ts';
import { freePort, startDevServer } from '../scripts/temporal-dev-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);

async function main() {
  const dbName = `commerce_bench_limits_${Date.now()}`;
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseUrl = new URL(`/${dbName}`, base).toString();
  const admin = new pg.Client({ connectionString: new URL('/postgres', base).toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const temporal = process.env.TEMPORAL_ADDRESS
    ? null
    : await startDevServer({ port: await freePort(), headless: true, logFile: '.data/bench-limits-temporal.log' });
  try {
    await migrate(databaseUrl, path.join(root, 'db/migrations'));
    const pool = await createDbPool(databaseUrl, 2);
    const tenant = await createTenant(pool, { name: 'Bench', mode: 'single_brand' });
    for (let i = 0; i < 20; i++) {
      await createProduct(
        pool,
        tenant.tenant_id,
        'JPY',
        {
          title: `Bench product ${i}`,
          description: 'A product with two variants',
          status: 'published',
          variants: [0, 1].map((v) => ({ sku: `B-${i}-${v}`, title: `V${v}`, price: { amount: 1000 + i, currency: 'JPY' }, inventory: [{ on_hand: 1000 }] })),
        },
        null,
      );
    }
    await pool.end();
    const env = { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal?.address ?? process.env.TEMPORAL_ADDRESS!, LOG_LEVEL: 'info' };
    for (const limit of ['off', '100000000/min']) {
      const port = await freePort();
      const api = await startApi({ ...env, PORT: String(port), STORE_RATE_LIMIT: limit, ADMIN_RATE_LIMIT: limit });
      const r = await autocannon({
        url: `http://127.0.0.1:${port}/store/products`,
        connections: 50,
        duration: DURATION_S,
        headers: { 'x-publishable-key': tenant.publishable_key },
      });
      process.stdout.write(
        `limits ${limit.padEnd(14)} ${Math.round(r.requests.average)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non2xx ${r.non2xx}\n`,
      );
      api.kill('SIGTERM');
      await new Promise((resolve) => api.once('exit', resolve));
    }
    const rows = new pg.Client({ connectionString: databaseUrl });
    await rows.connect();
    const stats = await rows.query(`SELECT n_tup_ins + n_tup_upd AS writes FROM pg_stat_user_tables WHERE relname = 'rate_limits'`);
    process.stdout.write(`rate_limits writes during the limited run: ${stats.rows[0]?.writes ?? 'unknown'} (${DURATION_S} s)\n`);
    await rows.end();
  } finally {
    await temporal?.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

await main();
