// Starting a child that may exist already: a reset or re-run parent meets the child its predecessor abandoned.
import {
  ApplicationFailure,
  CancelledFailure,
  proxyActivities,
  startChild,
  type ChildWorkflowOptions,
  type Workflow,
  type WorkflowResultType,
  type WithWorkflowArgs,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ProcessActivities } from '../contracts/activities.ts';
import { RETRY_UNTIL_DONE } from './support.ts';
import { changed } from './changes.ts';

// followWorkflow waits as long as the followed workflow runs (days for a transfer, weeks for a fulfillment): no overall
// limit worth having; the heartbeat tells a dead follower from a waiting one, and a retry simply follows again.
const { followWorkflow } = proxyActivities<ProcessActivities>({ startToCloseTimeout: '3650 days', heartbeatTimeout: '1 minute', retry: RETRY_UNTIL_DONE });

/** A child this run started, or the same workflow found already there and followed to its end. */
export type StartedOrFollowed<T> = { workflowId: string; followed: boolean; result(): Promise<T> };

/**
 * Starts a child with a deterministic id; when that id runs already (a predecessor's abandoned child) or completed (and the
 * child's id reuse policy refuses a second one), follows that workflow instead: one process per id, never two.
 */
export async function startOrFollow<T extends Workflow>(
  workflowType: T,
  options: WithWorkflowArgs<T, Omit<ChildWorkflowOptions, 'typeInfo'> & { typeInfo?: undefined; workflowId: string }>,
): Promise<StartedOrFollowed<WorkflowResultType<T>>> {
  try {
    const child = await startChild(workflowType, options);
    return { workflowId: options.workflowId, followed: false, result: () => child.result() };
  } catch (err) {
    // Runs recorded before this patch failed here (their checkout cancelled the order), and replay so.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !changed('follow-already-started-child')) throw err;
    return { workflowId: options.workflowId, followed: true, result: () => follow<WorkflowResultType<T>>(options.workflowId) };
  }
}

/** The followed workflow's result; its cancellation or failure surfaces as a child's would. */
async function follow<R>(workflowId: string): Promise<R> {
  const ended = await followWorkflow({ workflowId });
  if (ended.outcome === 'completed') return ended.result as R;
  if (ended.outcome === 'cancelled') throw new CancelledFailure(`${workflowId} was cancelled`);
  throw ApplicationFailure.nonRetryable(`${workflowId} did not complete: ${ended.message}`, 'child_failed');
}
