// One event to one webhook (`webhook:<webhook>:<event>`): the activity retry policy is the delivery schedule, so ops
// see every attempt, its HTTP status and the next retry in the workflow's pending activity.
import { ActivityFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** What the relay starts a delivery with; the event travels in the input so every attempt sends the same body. */
export type WebhookDeliveryInput = {
  tenantId: string;
  webhookId: string;
  event: { id: string; type: string; created_at: string; data: Record<string, unknown>; sequence?: number };
  retry: { initialIntervalMs: number; maximumIntervalMs: number; giveUpAfterMs: number };
};

/** Delivers until the receiver answers 2xx or `giveUpAfterMs` passes (exponential backoff between attempts). */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<{ status: number | null; attempts: number }> {
  const { deliverWebhook } = proxyActivities<Activities>({
    // The POST itself gives up after 10 s; a worker that died mid-attempt is noticed 15 s in, and the attempt retried.
    startToCloseTimeout: '15 seconds',
    scheduleToCloseTimeout: input.retry.giveUpAfterMs,
    retry: { initialInterval: input.retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: input.retry.maximumIntervalMs, nonRetryableErrorTypes: ['webhook_not_deliverable'] },
  });
  const { recordWebhookGivenUp } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds', scheduleToCloseTimeout: '1 hour', retry: { maximumInterval: '1 minute' } });
  const delivery = { tenantId: input.tenantId, webhookId: input.webhookId, event: input.event };
  try {
    return await deliverWebhook(delivery);
  } catch (err) {
    // The merchant sees "failed" in the delivery log; ops see this workflow failed, with every attempt in its history.
    const reason = isCancellation(err) ? 'delivery cancelled by an operator' : err instanceof ActivityFailure ? String(err.cause?.message ?? err.message) : null;
    if (reason) await CancellationScope.nonCancellable(() => recordWebhookGivenUp({ ...delivery, reason: reason.slice(0, 500) }));
    throw err;
  }
}
