// One event to one webhook (`webhook:<webhook>:<event>`): the activity retry policy is the delivery schedule, so ops
// see every attempt, its HTTP status and the next retry in the workflow's pending activity.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** What the relay starts a delivery with; the event travels in the input so every attempt sends the same body. */
export type WebhookDeliveryInput = {
  tenantId: string;
  webhookId: string;
  event: { id: string; type: string; created_at: string; data: Record<string, unknown> };
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
  const { recordWebhookGivenUp } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumInterval: '30 seconds' } });
  const delivery = { tenantId: input.tenantId, webhookId: input.webhookId, event: input.event };
  try {
    return await deliverWebhook(delivery);
  } catch (err) {
    // The merchant sees "failed" in the delivery log; ops see this workflow failed, with every attempt in its history.
    if (err instanceof ActivityFailure) await recordWebhookGivenUp({ ...delivery, reason: String(err.cause?.message ?? err.message).slice(0, 500) });
    throw err;
  }
}
