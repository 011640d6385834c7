// `node bench/checkout-timeline.ts`: where a checkout's time goes under load. Offers TIMELINE_RATE (default 5) card
// checkouts a second for TIMELINE_SECONDS (default 10) on a stack of its own, then reads each checkout's history and sums
// its gaps by kind: workflow task schedule-to-start (waiting for a worker slot or poller), workflow task run
// (start-to-complete: the worker's CPU), activity schedule-to-start and run, local activity run (marker times). Prints the
// median and P99 of each, with the worker's and the API's peak RSS over the run.
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { checkoutWorkflowId } from '../domain/ids.ts';
import { startBenchStack } from './bench-stack.ts';
import { checkoutsAtRate } from './checkout.ts';
import { percentile } from './stats.ts';
import { peakRss, rssMb } from './process-memory.ts';

const RATE = Number(process.env.TIMELINE_RATE ?? 5);
const SECONDS = Number(process.env.TIMELINE_SECONDS ?? 10);
const EventType = proto.temporal.api.enums.v1.EventType;
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/** Sums of a history's gaps by kind, in ms. */
function gaps(events: proto.temporal.api.history.v1.IHistoryEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (k: string, v: number) => (out[k] = (out[k] ?? 0) + v);
  const at = new Map<number, number>();
  for (const e of events) {
    const t = ms(e.eventTime as never);
    at.set(Number(e.eventId), t);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
      add('wft schedule-to-start', t - at.get(Number(e.workflowTaskStartedEventAttributes!.scheduledEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
      add('wft run', t - at.get(Number(e.workflowTaskCompletedEventAttributes!.startedEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
      add('activity schedule-to-start', t - at.get(Number(e.activityTaskStartedEventAttributes!.scheduledEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
      add('activity run', t - at.get(Number(e.activityTaskCompletedEventAttributes!.startedEventId))!);
  }
  const first = ms(events[0]?.eventTime as never);
  const updateDone = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  if (updateDone) add('start to update completed', ms(updateDone.eventTime as never) - first);
  return out;
}

async function main() {
  const stack = await startBenchStack('timeline');
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const apiPeak = peakRss(stack.api.pid!);
  const workerPeak = peakRss(stack.worker.pid!);
  try {
    process.stdout.write(`idle RSS: api ${rssMb(stack.api.pid!)} MB, worker ${rssMb(stack.worker.pid!)} MB\n`);
    const before = new Date();
    const l = await checkoutsAtRate(stack.apiUrl, stack.publishableKey, stack.variantIds, RATE, SECONDS);
    process.stdout.write(`checkouts at ${RATE}/s: achieved ${l.rate_per_s}/s p50 ${l.p50} ms p99 ${l.p99} ms failed ${l.failed}\n`);
    await new Promise((r) => setTimeout(r, 3000));
    const byKind: Record<string, number[]> = {};
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'checkout' AND StartTime > '${before.toISOString()}'` })) {
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
