// The checkout scenario's baseline: the cheapest useful workflow, one activity, on the same Temporal server.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<string> }>({ startToCloseTimeout: '10 seconds' });

/** Runs one activity and returns its result. */
export async function oneActivity(): Promise<string> {
  return noop();
}
