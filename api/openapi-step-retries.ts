// /openapi.json operations of single-step retries (API.md "Operations: repair"): resend, capture retry, redelivery.
import { z } from 'zod';
import { RESENDABLE_TEMPLATES } from '../domain/step-retries.ts';
import type { Op } from './openapi-operation.ts';

/** What a resend answers: the request's id (the same for a repeated Idempotency-Key) and the workflow sending it. */
const resendView = z.object({ id: z.string(), order_id: z.string(), template: z.enum(RESENDABLE_TEMPLATES), workflow_id: z.string() });

/** What a redelivery answers: the request's id, its workflow and the delivery's status now. */
const redeliveryView = z.object({
  id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  workflow_id: z.string(),
  status: z.enum(['delivered', 'retrying', 'failed']),
});

/** Back-office retries of one step; each answers 200 and is a no-op when repeated. */
export const STEP_RETRY_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/orders/{id}/notifications/{template}/resend',
    summary: `Send an order notice again, rebuilt from the order now (${RESENDABLE_TEMPLATES.join(', ')}); 404 for a template the order never had. The same Idempotency-Key is the same resend (sent once); without one, every request sends`,
    auth: 'admin',
    response: resendView,
  },
  {
    method: 'post',
    path: '/admin/orders/{id}/payments/{payment_id}/capture',
    summary:
      'Retry a card capture the gateway refused (payments[].capture_failed); answers the order. Once captured, a repeat is a no-op; 409 for a payment whose capture was not refused, 402 card_declined when the gateway refuses again',
    auth: 'admin',
  },
  {
    method: 'post',
    path: '/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver',
    summary:
      'Send a delivered or failed delivery (delivery_id: the event id) again as a new attempt series, same event and signature scheme; 409 while it is still retrying. The same Idempotency-Key is the same redelivery',
    auth: 'admin',
    response: redeliveryView,
  },
];
