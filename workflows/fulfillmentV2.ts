// The fulfillment with every recorded change built in: what a checkoutV2 starts (workflows/changes.ts).
import { fulfillment } from './fulfillment.ts';
import { buildsChangesIn } from './changes.ts';
import type { FulfillmentInput } from '../contracts/workflows.ts';
import type { OrderStatus } from '../domain/order.ts';

/**
 * The same business process as `fulfillment` (one per order, `fulfillment:<tenant>:<order>`), whose runs take every change
 * without asking `patched()`. `fulfillment` stays registered for the runs started before it.
 */
export async function fulfillmentV2(input: FulfillmentInput): Promise<OrderStatus> {
  return fulfillment(input);
}

/** The fulfillment a checkout starts: `fulfillmentV2` from a checkoutV2, `fulfillment` from a run of the older type. */
export function fulfillmentOfThisCheckout(): typeof fulfillment {
  return buildsChangesIn() ? fulfillmentV2 : fulfillment;
}
