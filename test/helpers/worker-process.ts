// The real worker entry point (workers/main.ts) in a child process, so a test can SIGKILL it like a crashed pod.
import { spawn, type ChildProcess } from 'node:child_process';

/** A running `workers/main.ts` child. */
export type WorkerProcess = {
  child: ChildProcess;
  pid: number;
  /** Every JSON log line the worker wrote to stdout so far (non-JSON lines kept as `{ raw }`). */
  logs: Record<string, unknown>[];
  /** What the process wrote to stderr. */
  stderr(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (no graceful shutdown, like a crashed machine); resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful drain); resolves once the process is gone. */
  stop(): Promise<void>;
};

/**
 * Spawns `node workers/main.ts` on `taskQueue` against the run's Postgres and Temporal and resolves once it
 * logs `worker polling` (it bundles the workflow code first, which takes several seconds).
 * The log level must be `info` or lower: `worker polling` is an info line.
 */
export async function startWorkerProcess(taskQueue: string, opts: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'workers/main.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'info',
      HOLD_SWEEP_INTERVAL: '1m',
      // A relay here would serve every tenant of the shared test database; tests that want one say so.
      OUTBOX_RELAY_ENABLED: 'false',
      // Likewise a reconciler would resume other test files' orders onto this worker's queue.
      RECONCILE_ENABLED: 'false',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  let onLine: (() => void) | undefined;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ raw: line });
      }
    }
    onLine?.();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const timeoutMs = opts.readyTimeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`worker did not log 'worker polling' within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\nstdout: ${JSON.stringify(logs.slice(-20))}\nstderr: ${stderr}`));
    };
    onLine = () => {
      if (!settled && logs.some((l) => l.msg === 'worker polling')) {
        settled = true;
        clearTimeout(timer);
        onLine = undefined;
        resolve();
      }
    };
    child.once('error', fail);
    void exited.then(({ code, signal }) => fail(new Error(`worker exited early (code ${code}, signal ${signal})`)));
    onLine();
  });

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, pid: child.pid!, logs, stderr: () => stderr, exited, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
