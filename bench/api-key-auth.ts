// `node bench/api-key-auth.ts`: what authentication costs as keys and tenants grow. At 50 connections, the key cache
// bypassed (API_KEY_CACHE_TTL=1ms: every request looks its key up), against a database with one tenant and one key
// (the baseline, same run) and one with 2,000 tenants and 500 keys in the tenant asked, each request sending the next
// of its keys. The request is `GET /admin/orders?limit=0`: authenticated, then refused 400 by query validation, so it
// measures authentication and nothing else. Lookups go through the unique key_hash index: the ratio should stay near 1.0.
import { startApi } from './api-child.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDbPool } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { createTenant } from '../db/queries/tenants.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { freePort, startDevServer } from '../scripts/temporal-dev-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const TENANTS = 2_000;
const KEYS = 500;
const AUTH_ONLY_PATH = '/admin/orders?limit=0';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/** A migrated database holding `tenants` tenants; the first one gets `keys` staff keys. Returns its url and the keys to send. */
async function seed(admin: pg.Client, base: string, label: string, tenants: number, keys: number): Promise<{ url: string; keys: string[] }> {
  const dbName = `commerce_bench_keys_${label}_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(`/${dbName}`, base).toString();
  await migrate(url, path.join(root, 'db/migrations'));
  const pool = await createDbPool(url, 4);
  const first = await createTenant(pool, { name: 'Bench 0', mode: 'single_brand' });
  for (let i = 1; i < tenants; i += 4)
    await Promise.all(Array.from({ length: Math.min(4, tenants - i) }, (_, j) => createTenant(pool, { name: `Bench ${i + j}`, mode: 'single_brand' })));
  const sent = [first.admin_api_key];
  for (let i = 0; i < keys; i++) sent.push((await createApiKey(pool, { tenantId: first.tenant_id, role: 'staff', name: `Staff ${i}`, actor: null })).api_key);
  // The list of GET /admin/api-keys for that tenant: the plan must walk api_keys_tenant, not the table.
  await pool.end();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('ANALYZE api_keys');
  const plan = await client.query<{ 'QUERY PLAN': string }>(
    'EXPLAIN SELECT id FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 101',
    [first.tenant_id],
  );
  await client.end();
  process.stdout.write(
    `${label}: ${tenants} tenants, ${sent.length} keys in the tenant asked; list plan: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ')}\n`,
  );
  return { url, keys: sent };
}

async function measure(label: string, env: Record<string, string>, keys: string[]): Promise<number> {
  const port = await freePort();
  const api = await startApi({ ...env, PORT: String(port) });
  try {
    let n = 0;
    const r = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 50,
      duration: DURATION_S,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: AUTH_ONLY_PATH, headers: { authorization: `Bearer ${keys[n++ % keys.length]}` } }) }],
    });
    const rps = Math.round(r.requests.average);
    process.stdout.write(`${label.padEnd(56)} ${String(rps).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms\n`);
    // Every answer must be the validation 400: a 401 would mean the key was not found, a 2xx that more than auth ran.
    const others = Object.keys(r.statusCodeStats ?? {}).filter((code) => code !== '400');
    if (others.length > 0 || r.errors > 0) throw new Error(`${label}: answers other than 400: ${JSON.stringify(r.statusCodeStats)}, ${r.errors} errors`);
    return rps;
  } finally {
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('exit', resolve));
  }
}

async function main() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: new URL('/postgres', base).toString() });
  await admin.connect();
  const temporal = process.env.TEMPORAL_ADDRESS
    ? null
    : await startDevServer({ port: await freePort(), headless: true, logFile: '.data/bench-keys-temporal.log' });
  const created: string[] = [];
  try {
    const small = await seed(admin, base, 'small', 1, 0);
    created.push(new URL(small.url).pathname.slice(1));
    const large = await seed(admin, base, 'large', TENANTS, KEYS);
    created.push(new URL(large.url).pathname.slice(1));
    const env = { TEMPORAL_ADDRESS: temporal?.address ?? process.env.TEMPORAL_ADDRESS!, LOG_LEVEL: 'info', ADMIN_RATE_LIMIT: 'off', STORE_RATE_LIMIT: 'off' };
    const cold = { ...env, API_KEY_CACHE_TTL: '1ms' };
    // Alternated, so load from anything else on the machine falls on both sides alike.
    let baseline = 0;
    let scaled = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      baseline += await measure(`cold cache: 1 tenant, 1 key (baseline) #${round}`, { ...cold, DATABASE_URL: small.url }, small.keys);
      scaled += await measure(`cold cache: ${TENANTS} tenants, ${KEYS + 1} keys in the tenant #${round}`, { ...cold, DATABASE_URL: large.url }, large.keys);
    }
    const warm = await measure(`warm cache: ${TENANTS} tenants, ${KEYS + 1} keys in the tenant`, { ...env, DATABASE_URL: large.url }, large.keys);
    process.stdout.write(`\nscaled/baseline (cold, ${ROUNDS} rounds) ${(scaled / baseline).toFixed(3)}; warm/cold ${((warm * ROUNDS) / scaled).toFixed(3)}\n`);
  } finally {
    await temporal?.stop();
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

await main();
