// Refund: reserves the amount against what was captured, then pays it back to the card, never twice.
import { proxyActivities } from '@temporalio/workflow';
import type { CardPaymentActivities } from '../contracts/activities.ts';
import { GATEWAY_RETRY, RETRY_UNTIL_DONE } from './support.ts';
import type { RefundInput, RefundOutcome } from '../contracts/workflows.ts';

// reserveRefund: a keyed reservation (safe to repeat) that returns business refusals instead of throwing; retried without limit.
const { reserveRefund } = proxyActivities<Pick<CardPaymentActivities, 'reserveRefund'>>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });
// executeRefund: the amount is reserved, so it must be paid back (or freed); the key `refund:<refund>` makes every retry safe.
const { executeRefund } = proxyActivities<Pick<CardPaymentActivities, 'executeRefund'>>({ startToCloseTimeout: '15 seconds', retry: GATEWAY_RETRY });
const acts = { reserveRefund, executeRefund };

/**
 * One per refund (`refund:<tenant>:<refund>`, the id derived from the request's Idempotency-Key): a repeated request
 * joins the same workflow. A refund above what is left is rejected before anything is reserved.
 */
export async function refundPayment(input: RefundInput): Promise<RefundOutcome> {
  const reserved = await acts.reserveRefund(input);
  if (!reserved.ok) return { status: 'rejected', refundId: input.refundId, code: reserved.code, message: reserved.message, details: reserved.details };
  // The refund is audited when the money moved (by executeRefund), in the name of whoever asked.
  const { status } = await acts.executeRefund({ tenantId: input.tenantId, refundId: input.refundId, ...(input.actor ? { actor: input.actor } : {}) });
  return { status: status === 'succeeded' ? 'succeeded' : 'failed', refundId: input.refundId };
}
