// `node bench/checkout-profile.ts`: what one checkout costs, before anyone changes it (issue 14, scope 1). On its own
// database and dev server, PROFILE_CHECKOUTS (default 20) sequential guest checkouts by card, then by bank transfer, each
// through the real API and worker. Per checkout: the API's gRPC calls to Temporal and SQL statements during the request,
// the workflow tasks, activities and local activities in the histories of the checkout and its children (and the events
// it added to the cart's holds workflow), and the worker's SQL statements until those histories are quiet, less the
// worker's idle rate over that window. SQL is counted by wrapping pg's Client.query in both processes (bench/count-io.ts):
// pg_stat_statements needs shared_preload_libraries, which this machine's shared PostgreSQL does not load.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { checkoutWorkflowId, holdsWorkflowId } from '../domain/ids.ts';
import { startBenchStack } from './bench-stack.ts';
import { percentile } from './stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.PROFILE_CHECKOUTS ?? 20);
const QUIET_MS = 1500;
const EventType = proto.temporal.api.enums.v1.EventType;

type Counts = { sql: Record<string, number>; grpc: Record<string, number> };
type Tree = {
  events: number;
  workflow_tasks: number;
  activities: number;
  local_activities: number;
  patch_markers: number;
  children: number;
  activity_types: Record<string, number>;
  event_types: Record<string, number>;
};

/** The totals a process preloaded with bench/count-io.ts has counted so far. */
function counts(child: ChildProcess): Promise<Counts> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Counts));
    child.send('io-counts');
  });
}

const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v - (before[k] ?? 0) > 0 ? [[k, v - (before[k] ?? 0)]] : [])));
const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** Counts over the history of `workflowId` and, recursively, of the children it started. */
async function historyTree(client: Client, workflowId: string): Promise<Tree> {
  const tree: Tree = { events: 0, workflow_tasks: 0, activities: 0, local_activities: 0, patch_markers: 0, children: 0, activity_types: {}, event_types: {} };
  const queue = [workflowId];
  while (queue.length > 0) {
    const history = await client.workflow.getHandle(queue.shift()!).fetchHistory();
    for (const e of history.events ?? []) {
      tree.events++;
      add(tree.event_types, { [EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? '?']: 1 });
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) tree.workflow_tasks++;
      // Markers are local activities or patched() calls; only the first are work.
      if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) {
        if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') tree.local_activities++;
        else tree.patch_markers++;
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        tree.activities++;
        add(tree.activity_types, { [e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?']: 1 });
      }
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
      if (e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED && child) {
        tree.children++;
        queue.push(child);
      }
    }
  }
  return tree;
}

const historyLength = async (client: Client, workflowId: string) => (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;

async function post(url: string, key: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'x-publishable-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const address = { name: 'Bench Buyer', line1: '1-2-3 Marunouchi', city: 'Chiyoda-ku', postal_code: '100-0005', country: 'JP', phone: '+81-3-0000-0000' };
const bodies = {
  card: { email: 'bench@example.jp', payment_method: 'card', payment_token: 'tok_visa', shipping_address: address },
  bank_transfer: { email: 'bench@example.jp', payment_method: 'bank_transfer', shipping_address: address },
};

type Sample = {
  checkout_ms: number;
  whole_ms: number;
  api_grpc: number;
  api_sql: number;
  worker_sql: number;
  worker_sql_less_idle: number;
  tree: Tree;
  holds_events: number;
  sql_by_statement: Record<string, number>;
  grpc_by_method: Record<string, number>;
};

async function profileOne(stack: Awaited<ReturnType<typeof startBenchStack>>, client: Client, method: keyof typeof bodies, i: number, idlePerMs: number) {
  const key = stack.publishableKey;
  const t0 = performance.now();
  const cart = await post(`${stack.apiUrl}/store/carts`, key, {});
  const added = await post(`${stack.apiUrl}/store/carts/${cart.json.id}/items`, key, {
    variant_id: stack.variantIds[i % stack.variantIds.length],
    quantity: 1,
  });
  if (added.status !== 200) throw new Error(`add item answered ${added.status}`);
  const cartAndAddMs = performance.now() - t0;
  const holdsId = holdsWorkflowId(stack.tenantId, cart.json.id);
  // A cart whose watcher runs (as one filled long before its checkout), once it has taken the add's signal: only the
  // checkout's work is counted below. The stack starts watchers 100 ms after the first hold (HOLD_WATCH_DELAY).
  for (const t0 = performance.now(); (await historyLength(client, holdsId).catch(() => 0)) === 0 && performance.now() - t0 < 5000;)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  const holdsBefore = await historyLength(client, holdsId);
  const [apiBefore, workerBefore] = await Promise.all([counts(stack.api), counts(stack.worker)]);
  const tc = performance.now();
  const res = await post(`${stack.apiUrl}/store/carts/${cart.json.id}/checkout`, key, bodies[method]);
  const end = performance.now();
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.json)}`);
  const apiAfter = await counts(stack.api);
  // The work after the answer (children, e-mails, cart closed) is part of the checkout's cost: wait until it is quiet.
  const workflowId = checkoutWorkflowId(stack.tenantId, cart.json.id);
  let tree = await historyTree(client, workflowId);
  for (let quietSince = performance.now(); performance.now() - quietSince < QUIET_MS && performance.now() - tc < 20_000;) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await historyTree(client, workflowId);
    if (next.events !== tree.events) quietSince = performance.now();
    tree = next;
  }
  const workerAfter = await counts(stack.worker);
  const windowMs = performance.now() - tc;
  const workerSql = total(workerAfter.sql) - total(workerBefore.sql);
  const apiSql = diff(apiAfter.sql, apiBefore.sql);
  const sqlByStatement: Record<string, number> = {};
  add(sqlByStatement, Object.fromEntries(Object.entries(apiSql).map(([k, v]) => [`api    ${k}`, v])));
  add(sqlByStatement, Object.fromEntries(Object.entries(diff(workerAfter.sql, workerBefore.sql)).map(([k, v]) => [`worker ${k}`, v])));
  return {
    checkout_ms: end - tc,
    // The three requests only: the pauses below the add (its watcher starting) are the profile's, not the customer's.
    whole_ms: cartAndAddMs + (end - tc),
    api_grpc: total(apiAfter.grpc) - total(apiBefore.grpc),
    api_sql: total(apiSql),
    worker_sql: workerSql,
    worker_sql_less_idle: Math.max(0, Math.round(workerSql - idlePerMs * windowMs)),
    tree,
    holds_events: (await historyLength(client, holdsId)) - holdsBefore,
    sql_by_statement: sqlByStatement,
    grpc_by_method: diff(apiAfter.grpc, apiBefore.grpc),
  } satisfies Sample;
}

/** Medians of the per-checkout counts, P50/P99 of the latencies, and the statements and activities of an average checkout. */
function summarize(samples: Sample[]) {
  const med = (f: (s: Sample) => number) => percentile(samples.map(f), 0.5);
  const range = (f: (s: Sample) => number) => [Math.min(...samples.map(f)), Math.max(...samples.map(f))];
  const perCheckout = (pick: (s: Sample) => Record<string, number>) => {
    const sum: Record<string, number> = {};
    for (const s of samples) add(sum, pick(s));
    return Object.fromEntries(
      Object.entries(sum)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, +(v / samples.length).toFixed(2)]),
    );
  };
  return {
    checkouts: samples.length,
    checkout_ms: {
      p50: +percentile(
        samples.map((s) => s.checkout_ms),
        0.5,
      ).toFixed(1),
      p99: +percentile(
        samples.map((s) => s.checkout_ms),
        0.99,
      ).toFixed(1),
    },
    whole_guest_checkout_ms: {
      p50: +percentile(
        samples.map((s) => s.whole_ms),
        0.5,
      ).toFixed(1),
      p99: +percentile(
        samples.map((s) => s.whole_ms),
        0.99,
      ).toFixed(1),
    },
    median: {
      api_grpc_calls: med((s) => s.api_grpc),
      api_sql_statements: med((s) => s.api_sql),
      worker_sql_statements: med((s) => s.worker_sql),
      worker_sql_statements_less_idle: med((s) => s.worker_sql_less_idle),
      workflow_tasks: med((s) => s.tree.workflow_tasks),
      activities: med((s) => s.tree.activities),
      local_activities: med((s) => s.tree.local_activities),
      patch_markers: med((s) => s.tree.patch_markers),
      child_workflows: med((s) => s.tree.children),
      history_events: med((s) => s.tree.events),
      holds_workflow_events: med((s) => s.holds_events),
    },
    range: {
      worker_sql_statements: range((s) => s.worker_sql),
      workflow_tasks: range((s) => s.tree.workflow_tasks),
      activities: range((s) => s.tree.activities),
    },
    grpc_calls_per_checkout: perCheckout((s) => s.grpc_by_method),
    activities_per_checkout: perCheckout((s) => s.tree.activity_types),
    events_per_checkout: perCheckout((s) => s.tree.event_types),
    sql_per_checkout: perCheckout((s) => s.sql_by_statement),
  };
}

/** Profiles N card and N bank-transfer checkouts on a stack of its own; writes and returns the report. */
export async function profileCheckouts(): Promise<Record<string, unknown>> {
  const stack = await startBenchStack('profile', ['./bench/count-io.ts'], { HOLD_WATCH_DELAY: '100ms' });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  try {
    // The worker's background statements (relay, sweepers) while nothing is asked of it, subtracted per checkout window.
    await new Promise((r) => setTimeout(r, 2000));
    const idleStart = await counts(stack.worker);
    const idleT0 = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    const idleSql = total((await counts(stack.worker)).sql) - total(idleStart.sql);
    const idlePerMs = idleSql / (performance.now() - idleT0);
    const report: Record<string, unknown> = {
      at: new Date().toISOString(),
      sql_counted_by: 'pg Client.query wrapped in the API and worker (bench/count-io.ts)',
    };
    report.worker_idle_sql_per_s = +(idlePerMs * 1000).toFixed(2);
    const rows: string[] = [];
    for (const method of ['card', 'bank_transfer'] as const) {
      await profileOne(stack, client, method, 0, idlePerMs); // warm-up: first connections, caches, workflow cache
      const samples: Sample[] = [];
      for (let i = 1; i <= N; i++) samples.push(await profileOne(stack, client, method, i, idlePerMs));
      const s = summarize(samples);
      report[method] = s;
      const m = s.median;
      rows.push(
        `${method.padEnd(14)} ${String(m.api_grpc_calls).padStart(5)} ${String(m.api_sql_statements).padStart(7)} ${String(m.worker_sql_statements_less_idle).padStart(10)} ` +
          `${String(m.workflow_tasks).padStart(6)} ${String(m.activities).padStart(6)} ${String(m.local_activities).padStart(5)} ${String(m.child_workflows).padStart(5)} ` +
          `${String(m.history_events).padStart(6)} ${String(m.holds_workflow_events).padStart(5)}   ${s.checkout_ms.p50} / ${s.checkout_ms.p99} ms   ${s.whole_guest_checkout_ms.p50} / ${s.whole_guest_checkout_ms.p99} ms`,
      );
    }
    process.stdout.write(`\nper checkout (median of ${N}; worker idle ${report.worker_idle_sql_per_s} SQL/s subtracted)\n`);
    process.stdout.write(`method          gRPC API SQL  worker SQL  wf tasks  acts  local  child  events  holds   checkout P50/P99   whole guest P50/P99\n`);
    for (const row of rows) process.stdout.write(`${row}\n`);
    const card = report.card as ReturnType<typeof summarize>;
    process.stdout.write(
      `\ncard: activities per checkout ${JSON.stringify(card.activities_per_checkout)}\ncard: API gRPC ${JSON.stringify(card.grpc_calls_per_checkout)}\ncard: history events ${JSON.stringify(card.events_per_checkout)}\n`,
    );
    process.stdout.write('card: most frequent statements per checkout\n');
    for (const [k, v] of Object.entries(card.sql_per_checkout).slice(0, 15)) process.stdout.write(`  ${String(v).padStart(6)}  ${k}\n`);
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    const file = path.join(root, 'bench/results', `checkout-profile-${String(report.at).replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(root, file)}\n`);
    return report;
  } finally {
    await connection.close();
    await stack.stop();
  }
}

// `npm run bench` runs it after its own scenarios; run directly, it profiles and exits.
if (import.meta.main) await profileCheckouts();
