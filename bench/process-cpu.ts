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

/**
 * CPU used so far by each PostgreSQL process now running, in ms, by pid. Compared by pid ({@link postgresCpuBetween}): a
 * sum over whatever runs would fall when a busy backend ends (a load's pool closing), and a fall read as idle would be
 * added back to every later window (one run read 169 ms of PostgreSQL per one-activity workflow, which uses none).
 */
export function postgresCpuByPid(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of postgresPids()) {
    const ms = cpuMs(pid);
    if (ms !== null) byPid.set(pid, ms);
  }
  return byPid;
}

/** PostgreSQL CPU used between two readings: each process still running, from its earlier reading or from its start. */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, ms] of after) used += Math.max(0, ms - (before.get(pid) ?? 0));
  return used;
}

/**
 * CPU time by process of a bench stack, in ms: its dev server (0 when it drives another server), worker, API, and the
 * PostgreSQL server the stack's database lives on (all of it: run nothing else against it while measuring).
 */
export type CpuByProcess = { temporal: number; worker: number; api: number; postgres: number };
/** The processes of a bench stack whose CPU is read. */
export type StackPids = { temporal: number | null; worker: number; api: number };
/** One reading of a stack's CPU: the three processes' totals so far, PostgreSQL's by pid. */
export type CpuReading = Omit<CpuByProcess, 'postgres'> & { postgres: Map<number, number> };

/** What each process has used so far. */
export function cpuNow(pids: StackPids): CpuReading {
  return {
    temporal: pids.temporal ? (cpuMs(pids.temporal) ?? 0) : 0,
    worker: cpuMs(pids.worker) ?? 0,
    api: cpuMs(pids.api) ?? 0,
    postgres: postgresCpuByPid(),
  };
}

/** CPU each process used between two readings. */
export function cpuBetween(before: CpuReading, after: CpuReading): CpuByProcess {
  return {
    temporal: after.temporal - before.temporal,
    worker: after.worker - before.worker,
    api: after.api - before.api,
    postgres: postgresCpuBetween(before.postgres, after.postgres),
  };
}

/** CPU per ms of wall time between two readings `ms` apart. */
export function cpuRate(before: CpuReading, after: CpuReading, ms: number): CpuByProcess {
  const used = cpuBetween(before, after);
  return { temporal: used.temporal / ms, worker: used.worker / ms, api: used.api / ms, postgres: used.postgres / ms };
}

/** CPU used since `before`, less each process's idle rate over `windowMs`. */
export function cpuSince(pids: StackPids, before: CpuReading, idlePerMs: CpuByProcess, windowMs: number): CpuByProcess {
  const used = cpuBetween(before, cpuNow(pids));
  const less = (k: keyof CpuByProcess) => Math.max(0, Math.round(used[k] - idlePerMs[k] * windowMs));
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
    /** Counts from now again, less the idle rate `start` measured: the next phase of the same load. */
    mark(): void {
      from = cpuNow(pids);
      t0 = performance.now();
    },
    /** CPU per unit of work (orders, adds) since `start` or `mark`, rounded to `decimals`. */
    perOrder(orders: number, decimals = 0): CpuByProcess {
      const used = cpuSince(pids, from, idlePerMs, performance.now() - t0);
      const scale = 10 ** decimals;
      const per = (ms: number) => Math.round((ms / Math.max(1, orders)) * scale) / scale;
      return { temporal: per(used.temporal), worker: per(used.worker), api: per(used.api), postgres: per(used.postgres) };
    },
  };
}

/** The four processes' CPU together. */
function cpuTotal(c: CpuByProcess): number {
  return c.temporal + c.worker + c.api + c.postgres;
}

/** The rate of work the four processes' CPU per unit allows on this machine's cores (they share them). */
export function cpuCapPerS(c: CpuByProcess): number {
  const sum = cpuTotal(c);
  return sum > 0 ? Math.round(((availableParallelism() * 1000) / sum) * 10) / 10 : Infinity;
}

/** One line for the bench output: CPU per `unit` (an order, an add) by process, and the rate those four alone allow. */
export function cpuPerUnitLine(c: CpuByProcess, unit: string): string {
  const sum = +cpuTotal(c).toFixed(2);
  return `CPU per ${unit} (idle subtracted): dev server ${c.temporal} ms, worker ${c.worker} ms, API ${c.api} ms, PostgreSQL ${c.postgres} ms; ${sum} ms together, so these four alone cap ${availableParallelism()} cores at ${cpuCapPerS(c)} ${unit}s/s`;
}

/** {@link cpuPerUnitLine} for checkouts. */
export function cpuPerOrderLine(c: CpuByProcess): string {
  return cpuPerUnitLine(c, 'order');
}

/** How many times `b`'s CPU (all four processes together) `a` costs, to one decimal; 0 when `b` used none. */
export function cpuTimes(a: CpuByProcess, b: CpuByProcess): number {
  return cpuTotal(b) > 0 ? Math.round((cpuTotal(a) / cpuTotal(b)) * 10) / 10 : 0;
}
