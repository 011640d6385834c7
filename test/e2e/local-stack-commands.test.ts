// The commands a newcomer runs: the CLI prints working credentials, and `npm start` serves the seeded store.
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import request from 'supertest';
import { freePort } from '../../scripts/temporal-dev-server.ts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';
import { rmSync } from 'node:fs';
import { demoCredentialsPath } from '../../scripts/seed-data.ts';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';

const node = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

function databaseUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

test('when the CLI creates a tenant with --json, then it prints keys that work on /store and /admin', () => {
  const result = node(['scripts/cli.ts', 'tenant', 'create', '--name', 'CLI shop', '--mode', 'single_brand', '--json'], {
    DATABASE_URL: process.env.DATABASE_URL!,
  });
  expect(result.status).toBe(0);
  const created = JSON.parse(result.stdout);
  expect(Object.keys(created).sort()).toEqual(['admin_api_key', 'publishable_key', 'tenant_id']);
  return Promise.all([
    stack.http.get('/store/products').set('X-Publishable-Key', created.publishable_key).expect(200),
    stack.http.get('/admin/orders').set('Authorization', `Bearer ${created.admin_api_key}`).expect(200),
  ]);
});

test('when the CLI is called with a bad mode, then it exits 2 with usage and creates nothing', async () => {
  // Other test files create tenants at the same time: look for this name, not at the total.
  const name = `Bad mode ${randomUUID()}`;
  const result = node(['scripts/cli.ts', 'tenant', 'create', '--name', name, '--mode', 'bazaar'], { DATABASE_URL: process.env.DATABASE_URL! });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('--mode must be single_brand or mall');
  expect(await stack.pool.exists(sql.type(z.object({ id: z.string() }))`SELECT id FROM tenants WHERE name = ${name}`)).toBe(false);
});

test('when npm start runs on an empty database against a running Temporal, then it migrates, seeds, prints credentials and serves the store until SIGINT', async () => {
  const name = `commerce_start_${Date.now()}`;
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/start.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: databaseUrl(name), PORT: String(port), TEMPORAL_TASK_QUEUE: `start-${Date.now()}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(async () => output.includes('Ctrl-C stops everything.'), { timeoutMs: 60_000, what: `npm start to be ready; output so far:\n${output}` });
    expect(output).toContain(`created database ${name}`);
    expect(output).toContain('loading the demo catalog');
    const publishableKey = /publishable key\s+(pk_\S+)/.exec(output)?.[1];
    const adminKey = /admin API key\s+(sk_\S+)/.exec(output)?.[1];
    expect(publishableKey).toBeDefined();
    const api = request(`http://127.0.0.1:${port}`);
    const products = await api.get('/store/products').set('X-Publishable-Key', publishableKey!);
    expect(products.status).toBe(200);
    expect(products.body.items.length).toBeGreaterThanOrEqual(5);
    await api.get('/admin/orders').set('Authorization', `Bearer ${adminKey}`).expect(200);
    // The demo store admits local storefront dev servers from the browser.
    const preflight = await api.options('/store/products').set('Origin', 'http://localhost:5173').set('Access-Control-Request-Method', 'GET');
    expect({ status: preflight.status, origin: preflight.headers['access-control-allow-origin'] }).toEqual({ status: 204, origin: 'http://localhost:5173' });
    await api.get('/health/ready').expect(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    rmSync(demoCredentialsPath(process.cwd(), databaseUrl(name)), { force: true });
  }
});
