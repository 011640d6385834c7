// Hold sweeper: run by a Temporal Schedule; releases expired holds whose expiry workflow never started.
import { proxyActivities } from '@temporalio/workflow';
import type { HoldActivities } from '../contracts/activities.ts';
import { RETRY_UNTIL_DONE } from './support.ts';

// sweepExpiredHolds: up to 20 batches in one run; bounded to 10 minutes because the Schedule skips overlapping runs,
// so a sweep stuck retrying would block every later one (the next run picks up whatever this one left).
const acts = proxyActivities<Pick<HoldActivities, 'sweepExpiredHolds'>>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '10 minutes',
  retry: RETRY_UNTIL_DONE,
});

/** Releases every expired hold, in bounded batches; returns how many it released. */
export async function holdSweeper(): Promise<number> {
  return acts.sweepExpiredHolds({ batchSize: 500, maxBatches: 20 });
}
