// The digitalDelivery step of fulfillment: an order's download links, issued once it is paid and before any parcel leaves.
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import { changed } from './changes.ts';
import type { DigitalDeliveryActivities, DigitalDeliveryOutcome } from '../contracts/activities.ts';
import type { FulfillmentInput } from '../contracts/workflows.ts';
import { RETRY_UNTIL_DONE } from './support.ts';

// deliverDigitalGoods: deliveries keyed by order line, so a retry issues nothing twice; the order is paid, so it must happen.
const { deliverDigitalGoods } = proxyActivities<DigitalDeliveryActivities>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });

/** Whether this run has the digital step: the order has digital lines, and the run was not recorded before the step. */
export function digitalDeliveryRuns(input: FulfillmentInput): boolean {
  return input.digitalLines !== 0 && changed('digital-delivery');
}

/**
 * Issues the order's signed, expiring, counted download links (the e-mail that carries them goes out through the outbox,
 * so no link ever sits in this history). Null when the order has no digital line, and in runs recorded before this step.
 */
export async function digitalDelivery(input: FulfillmentInput, runs = digitalDeliveryRuns(input)): Promise<DigitalDeliveryOutcome | null> {
  if (!runs) return null;
  // Not cut off by a cancellation: the transaction decides, under the order's lock, whether a cancelled order gets anything.
  return CancellationScope.nonCancellable(() => deliverDigitalGoods({ tenantId: input.tenantId, orderId: input.orderId }));
}
