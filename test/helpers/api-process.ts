// The real API entry point (api/main.ts) in a child process, so a test can run several API replicas side by side.
import { spawn } from 'node:child_process';
import { freePort } from '../../scripts/temporal-dev-server.ts';

/** A running `api/main.ts` child on its own port. */
export type ApiProcess = { url: string; pid: number; output(): string; stop(): Promise<void> };

/** Spawns `node api/main.ts` against the run's Postgres and Temporal (env from global setup); resolves once it logs `api listening` (an info line: keep LOG_LEVEL at info or lower). */
export async function startApiProcess(env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'api/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`api did not log 'api listening' within ${readyTimeoutMs} ms`), readyTimeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n${output.slice(-3000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('api listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => fail('api exited early'));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // A drain that hangs must not hang the test run.
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
