// Order reconciler: run by the `order-reconciler` Schedule; finds open orders whose process is closed or missing and resumes them.
import { proxyActivities } from '@temporalio/workflow';
import type { RepairActivities } from '../contracts/activities.ts';
import type { OrderReconcilerInput, ReconcileReport } from '../contracts/workflows.ts';
import { RETRY_UNTIL_DONE } from './support.ts';

// reconcileOrders: bounded batches, each repair idempotent (a resume run per order, USE_EXISTING); bounded to 10 minutes
// because the Schedule skips overlapping runs, so a pass stuck retrying would block every later one.
const acts = proxyActivities<Pick<RepairActivities, 'reconcileOrders'>>({
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: RETRY_UNTIL_DONE,
});

/** One pass over open orders older than the grace period; returns what it found and repaired (for metrics and the UI). */
export async function orderReconciler(input: OrderReconcilerInput): Promise<ReconcileReport> {
  return acts.reconcileOrders(input);
}
