// The checkout with every recorded change built in: what the API starts since issue 14 (workflows/changes.ts).
import { checkout } from './checkout.ts';
import type { CheckoutInput } from '../contracts/workflows.ts';
import type { OrderStatus } from '../domain/order.ts';

/**
 * The same business process as `checkout` (one per cart, `checkout:<tenant>:<cart>`), whose runs take every change without
 * asking `patched()`: no patch markers or version upserts in its history, and its order's fulfillment is `fulfillmentV2`.
 * `checkout` stays registered for the runs started before it, until they have drained.
 */
export async function checkoutV2(input: CheckoutInput): Promise<OrderStatus> {
  return checkout(input);
}
