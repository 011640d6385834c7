// Refund: reserves the amount against what was captured, then pays it back to the card, never twice.
import { acts } from './support.ts';
import type { RefundInput, RefundOutcome } from './types.ts';

/**
 * One per refund (`refund:<tenant>:<refund>`, the id derived from the request's Idempotency-Key): a repeated request
 * joins the same workflow. A refund above what is left is rejected before anything is reserved.
 */
export async function refundPayment(input: RefundInput): Promise<RefundOutcome> {
  const reserved = await acts.reserveRefund(input);
  if (!reserved.ok) return { status: 'rejected', refundId: input.refundId, code: reserved.code, message: reserved.message, details: reserved.details };
  const { status } = await acts.executeRefund({ tenantId: input.tenantId, refundId: input.refundId });
  return { status: status === 'succeeded' ? 'succeeded' : 'failed', refundId: input.refundId };
}
