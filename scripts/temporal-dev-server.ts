// Starts `temporal server start-dev` as a child process and waits until it really serves requests.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../contracts/search-attributes.ts';
import { findTemporalBinary, projectRoot } from './temporal-binary.ts';
import { ensureSearchAttributes } from '../workers/setup.ts';
import { startSdkDownloadedDevServer } from './temporal-sdk-server.ts';

/** Options of the local dev server. `dbFile` persists state (SQLite); without it everything is in memory. */
export type DevServerOptions = {
  port: number;
  uiPort?: number;
  headless?: boolean;
  dbFile?: string;
  namespace?: string;
  logLevel?: string;
  /** Where the server's output goes (default .data/temporal-dev-server-<port>.log). */
  logFile?: string;
  /** The Web UI's remote codec (`--ui-codec-endpoint`), e.g. http://localhost:3000/codec. */
  codecEndpoint?: string;
  /** How long to wait for the server to serve requests (default 60 s: the SDK's 5 s is too short on 2 cores). */
  startTimeoutMs?: number;
};

/** A running dev server. */
export type DevServer = { address: string; uiUrl: string | null; logFile: string; pid: number; stop(): Promise<void> };

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function logTail(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(log is empty)';
  } catch {
    return '(no log)';
  }
}

/** One readiness probe: gRPC health, the namespace exists, our search attributes are registered. */
async function probe(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  try {
    await connection.healthService.check({});
    await connection.workflowService.describeNamespace({ namespace });
    // The CLI registers --search-attribute only when it creates the namespace, so a reused SQLite file misses new ones.
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}

/** Spawns `temporal server start-dev` on 127.0.0.1 and resolves once it serves the namespace (rejects with the log tail if it dies). */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const host = '127.0.0.1';
  const address = `${host}:${opts.port}`;
  const namespace = opts.namespace ?? 'default';
  const root = projectRoot();
  const dataDir = path.join(root, '.data');
  mkdirSync(dataDir, { recursive: true });
  if (await isPortOpen(host, opts.port)) throw new Error(`cannot start the Temporal dev server: port ${opts.port} is already in use`);

  const binary = await findTemporalBinary();
  if (!binary) {
    const server = await startSdkDownloadedDevServer(opts);
    return { ...server, logFile: '(managed by the Temporal SDK)', pid: -1 };
  }
  const args = ['server', 'start-dev', '--ip', host, '--port', String(opts.port)];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (!opts.headless && opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  if (opts.dbFile) args.push('--db-filename', path.resolve(root, opts.dbFile), '--sqlite-pragma', 'journal_mode=WAL');
  args.push('--namespace', 'default');
  if (namespace !== 'default') args.push('--namespace', namespace);
  args.push('--log-level', opts.logLevel ?? 'warn');
  // Eager activity dispatch: an activity scheduled on the workflow's own queue comes back in the answer to the workflow
  // task that scheduled it, when the worker has a free slot, instead of through a poll. Measured: a quiet checkout
  // answered in 188 ms instead of 235 (the card authorization's 33 ms wait went). Off by default in the server.
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);

  const logFile = path.resolve(root, opts.logFile ?? path.join(dataDir, `temporal-dev-server-${opts.port}.log`));
  const logFd = openSync(logFile, 'w');
  // The child writes its log straight to the file, so it never blocks on (or dies with) our pipes.
  // Own process group: a terminal's Ctrl-C reaches `npm start`, which stops the server last, after the worker.
  const child = spawn(binary, args, { cwd: root, stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);

  // A holder, not a `let`: TypeScript would narrow a local assigned only in callbacks to `null`.
  const proc: { exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | null } = { exit: null };
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exit ??= { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      proc.exit ??= { code: null, signal: null, error };
      resolve();
    });
  });
  // Never leave an orphaned server behind when the parent exits without calling stop().
  const killOnExit = () => {
    if (!proc.exit) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (proc.exit) return;
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(10_000, true, { ref: false })]);
      if (timedOut && !proc.exit) {
        child.kill('SIGKILL');
        await exited;
      }
    })());

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let lastError: unknown = null;
  for (;;) {
    const exit = proc.exit;
    if (exit) {
      process.off('exit', killOnExit);
      const how = exit.error ? exit.error.message : `exit code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''}`;
      throw new Error(`the Temporal dev server (${binary}) exited during start-up (${how}). Log ${logFile}:\n${logTail(logFile)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the Temporal dev server did not serve ${address} within ${(opts.startTimeoutMs ?? 60_000) / 1000} s` +
          `${lastError ? ` (last error: ${(lastError as Error).message})` : ''}. Log ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (await isPortOpen(host, opts.port)) {
      try {
        await probe(address, namespace);
        break;
      } catch (err) {
        lastError = err;
      }
    }
    await sleep(250);
  }

  const uiUrl = opts.headless ? null : `http://${host}:${opts.uiPort ?? opts.port + 1000}`;
  return { address, uiUrl, logFile, pid: child.pid!, stop };
}
