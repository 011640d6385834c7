// Refund: pays reserved money back to the card; the gateway is retried until it answers, never twice.
import { acts } from './support.ts';
import type { RefundInput } from './types.ts';

/** One per refund (`refund:<tenant>:<refund>`); the API reserved the amount before starting it. */
export async function refundPayment(input: RefundInput): Promise<string> {
  const { status } = await acts.executeRefund(input);
  return status;
}
