// `node bench/checkout-timeline.ts`: where a checkout's time goes under load. Offers TIMELINE_RATE (default 5) card
// checkouts a second for TIMELINE_SECONDS (default 10) on a stack of its own, then reads each checkout's history and sums
// its gaps by kind: workflow task schedule-to-start (waiting for a worker slot or poller), workflow task run
// (start-to-complete: the worker's CPU), activity schedule-to-start and run, local activity run (marker times). Prints the
// median and P99 of each, with the worker's and the API's peak RSS over the run, and the CPU each process spent per order
// (until the orders' last workflows had started, less its idle rate).
import { Client, Connection } from '@temporalio/client';
import { checkoutWorkflowId } from '../domain/ids.ts';
import { startBenchStack } from './bench-stack.ts';
import { checkoutsAtRate, waitForOrdersToSettle } from './checkout.ts';
import { cpuMeter, cpuPerOrderLine } from './process-cpu.ts';
import { percentile } from './stats.ts';
import { peakRss, rssMb } from './process-memory.ts';
import { gaps } from './history-gaps.ts';

const RATE = Number(process.env.TIMELINE_RATE ?? 5);
const SECONDS = Number(process.env.TIMELINE_SECONDS ?? 10);
async function main() {
  const stack = await startBenchStack('timeline');
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const apiPeak = peakRss(stack.api.pid!);
  const workerPeak = peakRss(stack.worker.pid!);
  try {
    process.stdout.write(`idle RSS: api ${rssMb(stack.api.pid!)} MB, worker ${rssMb(stack.worker.pid!)} MB\n`);
    const cpu = cpuMeter({ temporal: stack.temporalPid, worker: stack.worker.pid!, api: stack.api.pid! });
    const before = new Date();
    const l = await checkoutsAtRate(stack.apiUrl, stack.publishableKey, stack.variantIds, RATE, SECONDS, cpu.start);
    process.stdout.write(`checkouts at ${RATE}/s: achieved ${l.rate_per_s}/s p50 ${l.p50} ms p99 ${l.p99} ms failed ${l.failed}\n`);
    // Until every order's last workflow has started and its signals and notices are done: the whole order's work.
    const drained = await waitForOrdersToSettle(stack.temporalAddress, l.count);
    process.stdout.write(`drained ${drained} s after the last answer; ${cpuPerOrderLine(cpu.perOrder(l.count))}\n`);
    const byKind: Record<string, number[]> = {};
    for await (const wf of client.workflow.list({
      query: `(WorkflowType = 'checkout' OR WorkflowType = 'checkoutV2') AND StartTime > '${before.toISOString()}'`,
    })) {
      if (!wf.workflowId.startsWith(checkoutWorkflowId(stack.tenantId, ''))) continue;
      const h = await client.workflow.getHandle(wf.workflowId).fetchHistory();
      for (const [k, v] of Object.entries(gaps(h.events ?? []))) (byKind[k] ??= []).push(v);
    }
    for (const [k, v] of Object.entries(byKind))
      process.stdout.write(`${k.padEnd(30)} n ${v.length}  p50 ${percentile(v, 0.5).toFixed(1)} ms  p99 ${percentile(v, 0.99).toFixed(1)} ms\n`);
    process.stdout.write(`peak RSS: api ${apiPeak()} MB, worker ${workerPeak()} MB; after: worker ${rssMb(stack.worker.pid!)} MB\n`);
  } finally {
    apiPeak();
    workerPeak();
    await connection.close();
    await stack.stop();
  }
}

await main();
