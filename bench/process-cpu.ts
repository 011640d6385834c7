// A process's CPU time, read from /proc (Linux), for the bench's cost-per-checkout figures.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// USER_HZ: the unit of /proc/<pid>/stat's times; 100 on every Linux this bench runs on.
const TICKS_PER_S = 100;

/** User plus system CPU `pid` has used so far, in ms (all its threads); null once the process is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}

/** Every PostgreSQL process on this machine (backends, WAL writer, checkpointer, autovacuum): the database's share. */
export function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU used so far by every PostgreSQL process now running, in ms (a backend that ended took its share with it). */
export function postgresCpuMs(): number {
  return postgresPids().reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
}

/**
 * CPU time by process of a bench stack, in ms: its dev server (0 when it drives another server), worker, API, and the
 * PostgreSQL server the stack's database lives on (all of it: run nothing else against it while measuring).
 */
export type CpuByProcess = { temporal: number; worker: number; api: number; postgres: number };
/** The processes of a bench stack whose CPU is read. */
export type StackPids = { temporal: number | null; worker: number; api: number };

/** What each process has used so far. */
export function cpuNow(pids: StackPids): CpuByProcess {
  return {
    temporal: pids.temporal ? (cpuMs(pids.temporal) ?? 0) : 0,
    worker: cpuMs(pids.worker) ?? 0,
    api: cpuMs(pids.api) ?? 0,
    postgres: postgresCpuMs(),
  };
}

/** CPU per ms of wall time between two readings `ms` apart. */
export function cpuRate(before: CpuByProcess, after: CpuByProcess, ms: number): CpuByProcess {
  return {
    temporal: (after.temporal - before.temporal) / ms,
    worker: (after.worker - before.worker) / ms,
    api: (after.api - before.api) / ms,
    postgres: (after.postgres - before.postgres) / ms,
  };
}

/** CPU used since `before`, less each process's idle rate over `windowMs`. */
export function cpuSince(pids: StackPids, before: CpuByProcess, idlePerMs: CpuByProcess, windowMs: number): CpuByProcess {
  const now = cpuNow(pids);
  const less = (k: keyof CpuByProcess) => Math.max(0, Math.round(now[k] - before[k] - idlePerMs[k] * windowMs));
  return { temporal: less('temporal'), worker: less('worker'), api: less('api'), postgres: less('postgres') };
}

/**
 * Measures what a load costs each process: `start` lets what ran before settle (3 s: the relay, the preparation's tail),
 * reads their idle rate over 5 s, then starts counting; `perOrder` gives the CPU used since, less that idle rate, divided by
 * the orders placed. A process not measured (the dev server when the bench drives TEMPORAL_ADDRESS's server) reads 0.
 */
export function cpuMeter(pids: StackPids) {
  let idlePerMs: CpuByProcess = { temporal: 0, worker: 0, api: 0, postgres: 0 };
  let from = cpuNow(pids);
  let t0 = performance.now();
  return {
    async start(): Promise<void> {
      await new Promise((r) => setTimeout(r, 3000));
      const idleFrom = cpuNow(pids);
      const idleT0 = performance.now();
      await new Promise((r) => setTimeout(r, 5000));
      idlePerMs = cpuRate(idleFrom, cpuNow(pids), performance.now() - idleT0);
      from = cpuNow(pids);
      t0 = performance.now();
    },
    perOrder(orders: number): CpuByProcess {
      const used = cpuSince(pids, from, idlePerMs, performance.now() - t0);
      const per = (ms: number) => Math.round(ms / Math.max(1, orders));
      return { temporal: per(used.temporal), worker: per(used.worker), api: per(used.api), postgres: per(used.postgres) };
    },
  };
}

/** One line for the bench output: CPU per order by process, and the rate those four alone allow on this machine's cores. */
export function cpuPerOrderLine(c: CpuByProcess): string {
  const sum = c.temporal + c.worker + c.api + c.postgres;
  const cores = availableParallelism();
  const cap = sum > 0 ? ((cores * 1000) / sum).toFixed(1) : '∞';
  return `CPU per order (idle subtracted): dev server ${c.temporal} ms, worker ${c.worker} ms, API ${c.api} ms, PostgreSQL ${c.postgres} ms; ${sum} ms together, so these four alone cap ${cores} cores at ${cap} orders/s`;
}
