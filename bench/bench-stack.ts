// A whole stack for one bench script: a fresh database with a tenant and 20 products, its own Temporal dev server (or
// TEMPORAL_ADDRESS), and the real worker and API (workers/main.ts, api/main.ts) as child processes, set up as in run.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDbPool } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { createTenant } from '../db/queries/tenants.ts';
import { createProduct } from '../db/queries/catalog.ts';
import { freePort, startDevServer } from '../scripts/temporal-dev-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What a bench script drives: the API's url, the store's key, variants with ample stock, and the two processes. */
export type BenchStack = {
  apiUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  tenantId: string;
  publishableKey: string;
  adminApiKey: string;
  variantIds: string[];
  api: ChildProcess;
  worker: ChildProcess;
  /** The dev server this stack started; null when it drives TEMPORAL_ADDRESS's server. */
  temporalPid: number | null;
  stop(): Promise<void>;
};

/** Spawns `script` with `env` added (and an IPC channel, so a preloaded bench/count-io.ts can answer); resolves once it logs `readyText`. */
function startChild(script: string, env: Record<string, string>, readyText: string, preload: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/run.sh', ...preload.flatMap((p) => ['--import', p]), script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk).slice(-20_000);
      if (output.includes(readyText)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output.slice(-2000)}`)));
  });
}

/**
 * Starts the stack under database `commerce_bench_<label>_<now>`; `preload` modules are imported first in the API and
 * worker; `extraEnv` adds to (or overrides) their configuration.
 */
export async function startBenchStack(label: string, preload: string[] = [], extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `commerce_bench_${label}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: new URL('/postgres', base).toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = new URL(`/${dbName}`, base).toString();
  const temporal = process.env.TEMPORAL_ADDRESS
    ? null
    : await startDevServer({ port: await freePort(), headless: true, logFile: `.data/bench-${label}-temporal.log` });
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await temporal?.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
  try {
    await migrate(databaseUrl, path.join(root, 'db/migrations'));
    const pool = await createDbPool(databaseUrl, 4);
    const tenant = await createTenant(pool, { name: 'Bench', mode: 'single_brand' });
    const variantIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const variants = [{ sku: `B-${i}-0`, title: 'V0', price: { amount: 1000 + i, currency: 'JPY' }, inventory: [{ on_hand: 10_000_000 }] }];
      const p = await createProduct(pool, tenant.tenant_id, 'JPY', { title: `Bench product ${i}`, description: 'Bench', status: 'published', variants }, null);
      variantIds.push(p.variants[0].id);
    }
    await pool.end();
    const temporalAddress = temporal?.address ?? process.env.TEMPORAL_ADDRESS!;
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: `bench-${label}`,
      LOG_LEVEL: 'info',
      CART_HOLD_TTL: '15m',
      STORE_RATE_LIMIT: '100000000/min',
      ADMIN_RATE_LIMIT: '100000000/min',
      ...extraEnv,
    };
    const worker = await startChild('workers/main.ts', env, 'worker polling', preload);
    children.push(worker);
    const port = await freePort();
    const api = await startChild('api/main.ts', { ...env, PORT: String(port) }, 'api listening', preload);
    children.push(api);
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      databaseUrl,
      temporalAddress,
      tenantId: tenant.tenant_id,
      publishableKey: tenant.publishable_key,
      adminApiKey: tenant.admin_api_key,
      variantIds,
      api,
      worker,
      temporalPid: temporal && temporal.pid > 0 ? temporal.pid : null,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
