// `node bench/hold-cost.ts`: what adding to a cart costs, on a stack of its own, as `npm run bench` loads it (20
// connections, HOLD_CARTS carts, one unit a request, HOLD_SECONDS each phase): first holds of fresh carts, then more holds
// of the same carts; per phase the rate, P50/P99, the CPU each process spent per add (API, worker, dev server, every
// PostgreSQL process; idle subtracted, bench/process-cpu.ts as npm run bench does), and the rows and buffers the database
// read per add. Run the API with NODE_OPTIONS=--cpu-prof for where its share goes.
import autocannon from 'autocannon';
import pg from 'pg';
import { addToCartRequests } from './add-to-cart.ts';
import { startBenchStack } from './bench-stack.ts';
import { cpuMeter, cpuPerUnitLine } from './process-cpu.ts';

const CARTS = Number(process.env.HOLD_CARTS ?? 500);
const SECONDS = Number(process.env.HOLD_SECONDS ?? 10);

const stack = await startBenchStack('hold-cost', [], { MAX_LINE_QUANTITY: '1000' });
try {
  const headers = { 'x-publishable-key': stack.publishableKey, 'content-type': 'application/json' };
  const carts: string[] = [];
  for (let i = 0; i < CARTS; i++) {
    const res = await fetch(`${stack.apiUrl}/store/carts`, { method: 'POST', headers, body: JSON.stringify({ currency: 'JPY' }) });
    carts.push(((await res.json()) as { id: string }).id);
  }
  const cpu = cpuMeter({ temporal: stack.temporalPid, worker: stack.worker.pid!, api: stack.api.pid! });
  // The database's own counters: transactions, rows read, buffers touched per add (pg_stat_database lags up to a second).
  const stats = new pg.Client({ connectionString: stack.databaseUrl });
  await stats.connect();
  const dbCounters = async () =>
    (
      await stats.query<Record<string, string>>(
        'SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()',
      )
    ).rows[0];
  // Per table: which scans the adds cost (rows read by sequential and index scans).
  const tableCounters = async () =>
    new Map(
      (
        await stats.query<{ relname: string; seq: string; idx: string }>(
          'SELECT relname, seq_tup_read AS seq, COALESCE(idx_tup_fetch, 0) AS idx FROM pg_stat_user_tables',
        )
      ).rows.map((r) => [r.relname, { seq: Number(r.seq), idx: Number(r.idx) }]),
    );
  await cpu.start();
  const requests = addToCartRequests(carts, stack.variantIds);
  for (const phase of ['first holds', 'more holds']) {
    cpu.mark();
    const countersFrom = await dbCounters();
    const tablesFrom = await tableCounters();
    const r = await autocannon({
      url: stack.apiUrl,
      connections: 20,
      duration: SECONDS,
      headers,
      requests,
    });
    const adds = r.requests.total;
    const perAddCpu = cpu.perOrder(adds, 2);
    await new Promise((r) => setTimeout(r, 1500));
    const countersTo = await dbCounters();
    const tablesTo = await tableCounters();
    process.stdout.write(
      `${phase}: ${Math.round(r.requests.average)}/s, P50 ${r.latency.p50} ms, P99 ${r.latency.p99} ms, non-2xx ${r.non2xx}\n  ${cpuPerUnitLine(perAddCpu, 'add')}\n`,
    );
    const perAdd = Object.keys(countersTo)
      .map((k) => `${k} ${((Number(countersTo[k]) - Number(countersFrom[k])) / Math.max(1, adds)).toFixed(1)}`)
      .join(', ');
    process.stdout.write(`  database per add (whole database, workers included): ${perAdd}\n`);
    const tables = [...tablesTo]
      .map(([name, t]) => ({ name, seq: t.seq - (tablesFrom.get(name)?.seq ?? 0), idx: t.idx - (tablesFrom.get(name)?.idx ?? 0) }))
      .sort((a, b) => b.seq + b.idx - (a.seq + a.idx))
      .slice(0, 5)
      .map((t) => `${t.name} ${(t.seq / Math.max(1, adds)).toFixed(1)} seq + ${(t.idx / Math.max(1, adds)).toFixed(1)} idx`)
      .join(', ');
    process.stdout.write(`  rows read per add, busiest tables: ${tables}\n`);
  }
  await stats.end();
} finally {
  await stack.stop();
}
