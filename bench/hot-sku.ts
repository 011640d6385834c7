// `node bench/hot-sku.ts`: does a flash sale on one product starve the rest of the store (issue 14, scope 8)? Ordinary
// card checkouts run at HOT_BENCH_ORDINARY_RATE (default 1/s) for HOT_BENCH_SECONDS (default 20) in five phases: alone;
// beside checkouts of one variant at HOT_BENCH_HOT_RATE (default 3/s, below the machine's saturation), first flagged hot
// (its own task queue) and then not (the store's queue); and beside an overloading sale at HOT_BENCH_OVERLOAD_RATE
// (default: twice the checkout ceiling `npm run bench` just measured, at least 15/s; 15/s when run alone), again on its
// own queue and then on the store's.
// Reported per phase: each ordinary checkout task's schedule-to-start (how long workflow tasks and activities waited on
// the ordinary queue) and the ordinary checkouts' answer latency. The cores are shared by both queues, so the measure is queueing, not CPU.
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { checkoutWorkflowId } from '../domain/ids.ts';
import { startBenchStack, type BenchStack } from './bench-stack.ts';
import { checkoutCartsAtRate, prepareCarts, type Latencies } from './checkout.ts';
import { scheduleToStarts } from './history-gaps.ts';
import { percentile } from './stats.ts';

const ORDINARY_RATE = Number(process.env.HOT_BENCH_ORDINARY_RATE ?? 1);
const HOT_RATE = Number(process.env.HOT_BENCH_HOT_RATE ?? 3);
// An overload whatever the VM's speed: a fixed 15/s no longer overloaded a VM twice as fast (session 15).
const overloadRateFor = (checkoutCeilingPerS?: number) => Number(process.env.HOT_BENCH_OVERLOAD_RATE ?? Math.max(15, 2 * (checkoutCeilingPerS ?? 0)));
const SECONDS = Number(process.env.HOT_BENCH_SECONDS ?? 20);
// Between phases, so the children and e-mails a phase left behind do not fall on the next one's clock (an overloaded
// phase leaves a backlog behind: it gets longer).
const PAUSE_MS = 5000;
const AFTER_OVERLOAD_MS = 30_000;

/** One phase: the ordinary checkouts' queueing on the ordinary task queue and their answers, and the hot load's answers. */
export type HotPhase = {
  phase: string;
  ordinary_schedule_to_start_ms: { tasks: number; p50: number; p99: number; max: number };
  ordinary_checkouts: Latencies;
  hot_checkouts: Latencies | null;
};

/** The five phases' figures, and how much each sale raised the ordinary queue's P99 wait, with and without its own queue. */
export type HotSkuSummary = Awaited<ReturnType<typeof hotSkuIsolation>>;

/** Flags `variantId` hot or not through the back office API, as a merchant would. */
async function flagHot(stack: BenchStack, variantId: string, isHot: boolean): Promise<void> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ product_id: string }>('SELECT product_id FROM variants WHERE id = $1', [variantId]);
  await db.end();
  const res = await fetch(`${stack.apiUrl}/admin/products/${rows[0].product_id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${stack.adminApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ variants: [{ id: variantId, is_hot: isHot }] }),
  });
  if (res.status !== 200) throw new Error(`flagging the hot variant answered ${res.status}`);
}

/** Runs the five phases on `stack` (its first variant is the sale's, the others ordinary). */
export async function hotSkuIsolation(stack: BenchStack, overloadRate = overloadRateFor()) {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const [hotVariant, ...ordinaryVariants] = stack.variantIds;
  const phases: HotPhase[] = [];
  const runPhase = async (phase: string, hotRate: number, isHot: boolean) => {
    if (hotRate) await flagHot(stack, hotVariant, isHot);
    const ordinaryCarts = await prepareCarts(stack.apiUrl, stack.publishableKey, ordinaryVariants, ORDINARY_RATE * SECONDS);
    const hotCarts = hotRate ? await prepareCarts(stack.apiUrl, stack.publishableKey, [hotVariant], hotRate * SECONDS) : [];
    const [ordinary, hot] = await Promise.all([
      checkoutCartsAtRate(stack.apiUrl, stack.publishableKey, ordinaryCarts, ORDINARY_RATE, SECONDS),
      hotRate ? checkoutCartsAtRate(stack.apiUrl, stack.publishableKey, hotCarts, hotRate, SECONDS) : Promise.resolve(null),
    ]);
    const waits: number[] = [];
    for (const cartId of ordinaryCarts) {
      const history = await client.workflow.getHandle(checkoutWorkflowId(stack.tenantId, cartId)).fetchHistory();
      waits.push(...scheduleToStarts(history.events ?? []));
    }
    const result: HotPhase = {
      phase,
      ordinary_schedule_to_start_ms: {
        tasks: waits.length,
        p50: +percentile(waits, 0.5).toFixed(1),
        p99: +percentile(waits, 0.99).toFixed(1),
        max: +Math.max(...waits).toFixed(1),
      },
      ordinary_checkouts: ordinary,
      hot_checkouts: hot,
    };
    const w = result.ordinary_schedule_to_start_ms;
    process.stdout.write(
      `${phase.padEnd(34)} ordinary queue schedule-to-start p50 ${w.p50} ms p99 ${w.p99} ms max ${w.max} ms (${w.tasks} tasks); ` +
        `ordinary checkouts p50 ${ordinary.p50} ms p99 ${ordinary.p99} ms failed ${ordinary.failed}` +
        `${hot ? `; hot checkouts ${hot.rate_per_s}/s p50 ${hot.p50} ms p99 ${hot.p99} ms failed ${hot.failed}` : ''}\n`,
    );
    phases.push(result);
    // An overload's backlog grows with its rate: 30 s after 15/s, proportionally more after a faster one.
    await new Promise((r) => setTimeout(r, hotRate > HOT_RATE ? AFTER_OVERLOAD_MS * Math.max(1, hotRate / 15) : PAUSE_MS));
  };
  try {
    await runPhase('ordinary alone', 0, false);
    await runPhase(`beside a ${HOT_RATE}/s sale, own queue`, HOT_RATE, true);
    await runPhase(`beside a ${HOT_RATE}/s sale, same queue`, HOT_RATE, false);
    await runPhase(`beside a ${overloadRate}/s sale, own queue`, overloadRate, true);
    await runPhase(`beside a ${overloadRate}/s sale, same queue`, overloadRate, false);
  } finally {
    await connection.close();
  }
  // How many times the ordinary queue's P99 wait grew under each sale, against the phase without one.
  const growth = (i: number) => +(phases[i].ordinary_schedule_to_start_ms.p99 / phases[0].ordinary_schedule_to_start_ms.p99).toFixed(2);
  return {
    ordinary_rate_per_s: ORDINARY_RATE,
    hot_rate_per_s: HOT_RATE,
    overload_rate_per_s: overloadRate,
    seconds: SECONDS,
    phases,
    p99_growth: {
      below_saturation: { own_queue: growth(1), same_queue: growth(2) },
      overloaded: { own_queue: growth(3), same_queue: growth(4) },
    },
  };
}

/**
 * The five phases on a stack of their own (`npm run bench` runs it after the load stack is gone, with the checkout ceiling
 * its ramp measured: the overload is twice that).
 */
export async function hotSkuOnOwnStack(checkoutCeilingPerS?: number): Promise<HotSkuSummary> {
  const stack = await startBenchStack('hot');
  try {
    const summary = await hotSkuIsolation(stack, overloadRateFor(checkoutCeilingPerS));
    process.stdout.write(`ordinary queue P99 wait, times the phase without a sale: ${JSON.stringify(summary.p99_growth)}\n`);
    return summary;
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) await hotSkuOnOwnStack();
