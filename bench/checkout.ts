// Checkout scenarios of DESIGN.md §9: orders placed at a fixed rate next to a one-activity workflow at the same
// rate on the same Temporal server, and whole guest checkouts (cart, add, checkout) one after another.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { workflowBundleOptions } from '../workers/bundle-options.ts';
import { parseConfig } from '../config/config.ts';
import { holdWatchDelayMs } from '../api/hold-watches.ts';
import { dataConverter } from '../providers/codec/data-converter.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Latency figures of a scenario, in milliseconds. */
export type Latencies = { count: number; failed: number; p50: number; p99: number; rate_per_s: number };

function summarize(samples: number[], failed: number, seconds: number): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1) : NaN);
  return { count: samples.length, failed, p50: at(0.5), p99: at(0.99), rate_per_s: +(samples.length / seconds).toFixed(1) };
}

/** Fires `call` `rate` times a second for `seconds` (open loop: a slow answer does not delay the next start). */
async function atRate(rate: number, seconds: number, call: (i: number) => Promise<boolean>): Promise<Latencies> {
  const samples: number[] = [];
  let failed = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      (async () => {
        const t0 = performance.now();
        const ok = await call(i).catch(() => false);
        if (ok) samples.push(performance.now() - t0);
        else failed++;
      })(),
    );
  }
  await Promise.all(pending);
  return summarize(samples, failed, (performance.now() - started) / 1000);
}

const address = { name: 'Bench Buyer', line1: '1-2-3 Marunouchi', city: 'Chiyoda-ku', postal_code: '100-0005', country: 'JP', phone: '+81-3-0000-0000' };
const checkoutBody = JSON.stringify({ email: 'bench@example.jp', payment_method: 'card', payment_token: 'tok_visa', shipping_address: address });

async function post(url: string, key: string, body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'x-publishable-key': key, 'content-type': 'application/json' }, body });
  return { status: res.status, json: await res.json() };
}

/** A cart holding one unit of `variantId`. */
async function cartWithItem(api: string, key: string, variantId: string): Promise<string> {
  const cart = await post(`${api}/store/carts`, key, '{}');
  const added = await post(`${api}/store/carts/${cart.json.id}/items`, key, JSON.stringify({ variant_id: variantId, quantity: 1 }));
  if (added.status !== 200) throw new Error(`bench cart: add item answered ${added.status}`);
  return cart.json.id;
}

// The API starts a cart's hold watcher a delay after its first hold (the children share this process's environment);
// prepared carts are checked out once theirs run (as carts filled long before a sale), so a scenario does not measure
// the burst of starts its own preparation left.
const watchersStartedMs = () => holdWatchDelayMs(parseConfig()) + 1500;

/** `count` carts holding one unit each, of `variantIds` in turn, once their hold watchers have started. */
export async function prepareCarts(api: string, key: string, variantIds: string[], count: number): Promise<string[]> {
  const carts: string[] = [];
  for (let i = 0; i < count; i++) carts.push(await cartWithItem(api, key, variantIds[i % variantIds.length]));
  await new Promise((r) => setTimeout(r, watchersStartedMs()));
  return carts;
}

/** Card checkouts of `carts` at `rate`/s (as many as `rate × seconds`): latency of the order-placed answer (201). */
export async function checkoutCartsAtRate(api: string, key: string, carts: string[], rate: number, seconds: number): Promise<Latencies> {
  return atRate(rate, seconds, async (i) => (await post(`${api}/store/carts/${carts[i]}/checkout`, key, checkoutBody)).status === 201);
}

/** Card checkouts of prepared carts at `rate`/s: latency of the order-placed answer (201). `beforeLoad` runs once the carts are ready. */
export async function checkoutsAtRate(
  api: string,
  key: string,
  variantIds: string[],
  rate: number,
  seconds: number,
  beforeLoad?: () => Promise<void>,
): Promise<Latencies> {
  const carts = await prepareCarts(api, key, variantIds, rate * seconds);
  await beforeLoad?.();
  return checkoutCartsAtRate(api, key, carts, rate, seconds);
}

/**
 * Waits until `orders` fulfillment workflows exist (a card order's last workflow: a single brand's parcel is followed by
 * its fulfillment), then 2 s more for their first tasks, notices and signals; at most `boundMs`. Returns the seconds
 * waited, so a scenario after a saturating one measures a quiet store rather than the backlog left behind.
 */
export async function waitForOrdersToSettle(temporalAddress: string, orders: number, boundMs = 120_000): Promise<number> {
  const connection = await Connection.connect({ address: temporalAddress });
  const started = performance.now();
  try {
    const client = new Client({ connection });
    while (performance.now() - started < boundMs) {
      const { count } = await client.workflow.count(`WorkflowType = 'fulfillment' OR WorkflowType = 'fulfillmentV2'`);
      if (count >= orders) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 2000));
    return +((performance.now() - started) / 1000).toFixed(1);
  } finally {
    await connection.close();
  }
}

/** Whole guest checkouts one after another: create a cart, add an item, check out by card. */
export async function sequentialGuestCheckouts(api: string, key: string, variantIds: string[], count: number): Promise<Latencies> {
  const samples: number[] = [];
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    try {
      const cartId = await cartWithItem(api, key, variantIds[i % variantIds.length]);
      if ((await post(`${api}/store/carts/${cartId}/checkout`, key, checkoutBody)).status === 201) samples.push(performance.now() - t0);
      else failed++;
    } catch {
      failed++;
    }
  }
  return summarize(samples, failed, (performance.now() - started) / 1000);
}

/** A worker of the one-activity workflow in this process, on its own task queue, and a client to start it. */
export async function startOneActivityBaseline(temporalAddress: string) {
  const taskQueue = `bench-baseline-${randomUUID().slice(0, 8)}`;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Bundled as the product's workers bundle theirs (its module preloaded), so the two compare like for like.
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(path.join(root, 'bench', 'noop-workflow.ts')), logger: new DefaultLogger('WARN') });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  // The same payload encryption as the product's worker and API, so the baseline pays what they pay.
  const converter = dataConverter(parseConfig());
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { code },
    activities: { noop: async () => 'ok' },
    dataConverter: converter,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, dataConverter: converter });
  return {
    /** Executes the workflow `rate` times a second for `seconds` (open loop). */
    atRate: (rate: number, seconds: number) =>
      atRate(rate, seconds, async () => (await client.workflow.execute('oneActivity', { taskQueue, workflowId: `bench-noop-${randomUUID()}` })) === 'ok'),
    /** Stops the worker and closes both connections. */
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/**
 * The baseline: a one-activity workflow executed at `rate`/s by a worker in this process, on the same server;
 * `beforeLoad` runs once that worker polls and `afterLoad` once the last workflow answered, before the worker stops
 * (a CPU meter's start and reading, as in {@link checkoutsAtRate}).
 */
export async function oneActivityWorkflowsAtRate(
  temporalAddress: string,
  rate: number,
  seconds: number,
  hooks: { beforeLoad?: () => Promise<void>; afterLoad?: (l: Latencies) => void } = {},
): Promise<Latencies> {
  const baseline = await startOneActivityBaseline(temporalAddress);
  try {
    await hooks.beforeLoad?.();
    const latencies = await baseline.atRate(rate, seconds);
    hooks.afterLoad?.(latencies);
    return latencies;
  } finally {
    await baseline.stop();
  }
}
