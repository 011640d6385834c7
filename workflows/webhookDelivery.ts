// One event to one webhook (`webhook:<webhook>:<event>`): the activity retry policy is the delivery schedule, so ops
// see every attempt, its HTTP status and the next retry in the workflow's pending activity.
import { ActivityFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../contracts/activities.ts';
import type { WebhookDeliveryInput } from '../contracts/workflows.ts';

/** Delivers until the receiver answers 2xx or `giveUpAfterMs` passes (exponential backoff between attempts). */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<{ status: number | null; attempts: number }> {
  const { deliverWebhook } = proxyActivities<Pick<WebhookActivities, 'deliverWebhook'>>({
    // The POST itself gives up after 10 s; a worker that died mid-attempt is noticed 15 s in, and the attempt retried.
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: input.retry.giveUpAfterMs,
    retry: {
      initialInterval: input.retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: input.retry.maximumIntervalMs,
      nonRetryableErrorTypes: ['webhook_not_deliverable'],
    },
  });
  // recordWebhookGivenUp: a keyed status change, retried for an hour so the merchant's delivery log says "failed".
  const { recordWebhookGivenUp } = proxyActivities<Pick<WebhookActivities, 'recordWebhookGivenUp'>>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: { maximumInterval: '1 minute' },
  });
  const delivery = {
    tenantId: input.tenantId,
    webhookId: input.webhookId,
    event: input.event,
    ...(input.attemptOffset ? { attemptOffset: input.attemptOffset } : {}),
  };
  try {
    return await deliverWebhook(delivery);
  } catch (err) {
    // The merchant sees "failed" in the delivery log; ops see this workflow failed, with every attempt in its history.
    const reason = isCancellation(err)
      ? 'delivery cancelled by an operator'
      : err instanceof ActivityFailure
        ? String(err.cause?.message ?? err.message)
        : null;
    if (reason) await CancellationScope.nonCancellable(() => recordWebhookGivenUp({ ...delivery, reason: reason.slice(0, 500) }));
    throw err;
  }
}
