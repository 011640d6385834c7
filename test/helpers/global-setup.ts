// jest global setup: the real stack for the whole run — a fresh database, one Temporal dev server, one workflow bundle.
// Loaded through @swc/jest as CommonJS, so no import.meta: paths come from projectRoot() (the cwd, where npm runs).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { projectRoot } from '../../scripts/temporal-binary.ts';
import { freePort, startDevServer, type DevServer } from '../../scripts/temporal-dev-server.ts';
import { ensureSearchAttributes } from '../../workers/setup.ts';
import { workflowBundleOptions } from '../../workers/bundle-options.ts';
import globalTeardown from './global-teardown.ts';

// Teardown reads these; setup and teardown share the jest parent process, hence globalThis.
const state = globalThis as typeof globalThis & { __TEMPORAL_DEV_SERVER__?: DevServer; __TEST_DATABASE__?: { name: string; adminUrl: string } };

/** The payload key of test runs (test-only; never a production key). */
export const TEST_PAYLOAD_KEY = Buffer.alloc(32, 't').toString('base64');

const log = (msg: string) => process.stderr.write(`[test stack] ${msg}\n`);

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function runNode(root: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

async function createDatabase(root: string): Promise<{ name: string; url: string; adminUrl: string }> {
  // Same server and credentials as DATABASE_URL when set (CI may point it elsewhere), always a new database.
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `commerce_test_${Date.now()}_${process.pid}`;
  const adminUrl = withDatabase(base, 'postgres');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect().catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${new URL(adminUrl).host} (${err.message}); run \`bash scripts/ensure-postgres.sh\``);
  });
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  state.__TEST_DATABASE__ = { name, adminUrl };
  const url = withDatabase(base, name);
  await runNode(root, ['scripts/migrate.ts'], { ...process.env, DATABASE_URL: url });
  return { name, url, adminUrl };
}

async function temporal(): Promise<{ address: string; server?: DevServer }> {
  const existing = process.env.TEMPORAL_ADDRESS;
  if (existing) {
    // An external server may predate our search attributes; registering is idempotent.
    const connection = await Connection.connect({ address: existing, connectTimeout: 10_000 });
    try {
      await ensureSearchAttributes(connection, process.env.TEMPORAL_NAMESPACE ?? 'default');
    } finally {
      await connection.close();
    }
    return { address: existing };
  }
  const server = await startDevServer({ port: await freePort(), headless: true, logLevel: 'warn', logFile: '.data/test-temporal-dev-server.log' });
  state.__TEMPORAL_DEV_SERVER__ = server;
  return { address: server.address, server };
}

async function bundle(root: string): Promise<string | null> {
  const { workflowsPath } = workflowBundleOptions();
  if (!existsSync(workflowsPath)) {
    log(`no ${path.relative(root, workflowsPath)}: TEST_WORKFLOW_BUNDLE is not set, workflow tests will fail`);
    return null;
  }
  const started = Date.now();
  // Built as the workers build theirs (preloaded modules and all), so every test runs what production runs.
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  const file = path.join(root, '.data', 'test-workflow-bundle.js');
  mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: a concurrent run never reads a half-written bundle.
  writeFileSync(`${file}.${process.pid}.tmp`, code);
  renameSync(`${file}.${process.pid}.tmp`, file);
  log(`workflow bundle ${path.relative(root, file)} (${Math.round(code.length / 1024)} kB, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return file;
}

/** Starts the stack in parallel and publishes it to test workers via process.env. */
export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) throw new Error(`tests need Node 24 (this is ${process.version}); run them with \`npm test\``);
  const root = projectRoot();
  const [db, tmp, wf, ui] = await Promise.allSettled([
    createDatabase(root),
    temporal(),
    bundle(root),
    runNode(root, ['scripts/build-dashboard.ts'], process.env),
  ]);
  if (db.status === 'rejected' || tmp.status === 'rejected' || wf.status === 'rejected' || ui.status === 'rejected') {
    const reasons = [db, tmp, wf, ui].flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    for (const extra of reasons.slice(1)) log(`also failed: ${extra?.message ?? extra}`);
    // jest skips global teardown when setup throws: clean up what did start.
    await globalTeardown().catch(() => {});
    throw reasons[0];
  }
  process.env.DATABASE_URL = db.value.url;
  // Workflow payloads are encrypted in tests as in production; a fixed test-only key keeps recorded histories replayable.
  process.env.TEMPORAL_PAYLOAD_KEY ??= TEST_PAYLOAD_KEY;
  process.env.TEMPORAL_ADDRESS = tmp.value.address;
  // Worker processes of parallel test files would fight over the default metrics port: a test that scrapes sets its own.
  process.env.WORKER_METRICS_PORT = '0';
  if (wf.value) process.env.TEST_WORKFLOW_BUNDLE = wf.value;
  log(
    `database ${db.value.name}; Temporal ${tmp.value.address}${tmp.value.server ? ` (dev server, log ${path.relative(root, tmp.value.server.logFile)})` : ' (external)'}`,
  );
}
