// `node bench/guest-checkout-cost.ts`: what a quick whole guest checkout (create a cart, add one item, check out by
// card at once, as a "buy now" does) costs, on a stack of its own: GUEST_CHECKOUTS (default 60) one after another after 5
// to warm up, their P50/P99, and each process's CPU per order until its work was done (idle subtracted). Run it with
// HOLD_WATCH_DELAY=1ms for the behaviour before the hold watcher's delay (its start then beats the checkout).
import { startBenchStack } from './bench-stack.ts';
import { sequentialGuestCheckouts } from './checkout.ts';
import { cpuMeter, cpuPerOrderLine } from './process-cpu.ts';

const COUNT = Number(process.env.GUEST_CHECKOUTS ?? 60);
// After the last answer: long enough for its fulfillment and notices (the README figures used 8 s).
const SETTLE_MS = 8000;

const stack = await startBenchStack('guest-cost');
try {
  await sequentialGuestCheckouts(stack.apiUrl, stack.publishableKey, stack.variantIds, 5);
  const cpu = cpuMeter({ temporal: stack.temporalPid, worker: stack.worker.pid!, api: stack.api.pid! });
  await cpu.start();
  const l = await sequentialGuestCheckouts(stack.apiUrl, stack.publishableKey, stack.variantIds, COUNT);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  process.stdout.write(`whole guest checkouts: P50 ${l.p50} ms, P99 ${l.p99} ms, failed ${l.failed} of ${COUNT}\n${cpuPerOrderLine(cpu.perOrder(l.count))}\n`);
} finally {
  await stack.stop();
}
