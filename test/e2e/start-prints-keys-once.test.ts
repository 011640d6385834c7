// `npm start` prints the demo keys once, when it creates them; a later start says where they are kept, not what they are.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { freePort } from '../../scripts/temporal-dev-server.ts';
import { demoCredentialsPath } from '../../scripts/seed-data.ts';
import { waitFor } from '../helpers/harness.ts';

function databaseUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `scripts/start.ts` until it is ready, stops it with SIGINT and returns everything it printed. */
async function startOnce(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/start.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(async () => output.includes('Ctrl-C stops everything.'), { timeoutMs: 60_000, what: `npm start to be ready; output so far:\n${output}` });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    return output;
  } finally {
    child.kill('SIGKILL');
  }
}

test('when npm start runs twice on one database, then only the first run prints the demo keys and the second names the file that keeps them', async () => {
  const name = `commerce_keys_once_${Date.now()}`;
  const env = { DATABASE_URL: databaseUrl(name), TEMPORAL_TASK_QUEUE: `keys-once-${Date.now()}`, LOG_LEVEL: 'warn' };
  try {
    const first = await startOnce({ ...env, PORT: String(await freePort()) });
    const adminKey = /admin API key\s+(sk_\S+)/.exec(first)?.[1];
    const publishableKey = /publishable key\s+(pk_\S+)/.exec(first)?.[1];
    expect(adminKey).toBeDefined();
    expect(publishableKey).toBeDefined();
    const second = await startOnce({ ...env, PORT: String(await freePort()) });
    expect(second).not.toContain(adminKey!);
    expect(second).not.toContain(publishableKey!);
    expect(second).toContain(`demo-credentials-${name}.json`);
  } finally {
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    rmSync(demoCredentialsPath(process.cwd(), databaseUrl(name)), { force: true });
  }
}, 150_000);
