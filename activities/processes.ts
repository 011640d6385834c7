// Following another workflow to its end from a workflow, which has no API for the result of a workflow it did not start.
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { FollowedOutcome, ProcessActivities } from '../contracts/activities.ts';

// Well inside the heartbeat timeout the workflow sets, so a live follower is never taken for a dead one.
const HEARTBEAT_EVERY_MS = 10_000;

/** Builds the process activities; they need the worker's Temporal client. */
export function createProcessActivities({ temporal }: { temporal?: Client }): ProcessActivities {
  return {
    async followWorkflow({ workflowId }): Promise<FollowedOutcome> {
      if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to follow a workflow', 'not_configured');
      try {
        return await follow(temporal, workflowId);
      } catch (err) {
        // Gone from Temporal (past retention, another namespace): retrying would follow nothing forever.
        if (err instanceof WorkflowNotFoundError) return { outcome: 'failed', message: `${workflowId} no longer exists in Temporal` };
        throw err;
      }
    },
  };
}

/** Follows `workflowId` across resets to its end, heartbeating meanwhile. */
async function follow(temporal: Client, workflowId: string): Promise<FollowedOutcome> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  const latestRun = async () => (await temporal.workflow.getHandle(workflowId).describe()).runId;
  try {
    for (;;) {
      const runId = await latestRun();
      try {
        // Ends with the worker too (shutdown, lost heartbeat): a retry follows again, the workflow keeps running meanwhile.
        const result: unknown = await Promise.race([temporal.workflow.getHandle(workflowId, runId).result(), context.cancelled]);
        return { outcome: 'completed', result };
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        // A reset ends the run it replaces as terminated: follow the run that replaced it.
        if ((await latestRun()) !== runId) continue;
        if (err.cause instanceof CancelledFailure) return { outcome: 'cancelled' };
        return { outcome: 'failed', message: `${err.message}: ${String(err.cause)}` };
      }
    }
  } finally {
    clearInterval(beat);
  }
}
