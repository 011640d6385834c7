// Single steps staff may retry: which notices an order can be sent again (rebuilt from what it is now), and the ids that
// make a repeated request a no-op.
import { createHash } from 'node:crypto';
import type { Notification } from './notification.ts';

/** Templates an order's notice can be resent with; others (reminders, operations' notices, account mails) are not. */
export const RESENDABLE_TEMPLATES = ['order_placed', 'order_shipped', 'order_completed', 'order_cancelled'] as const;
/** A resendable template. */
export type ResendableTemplate = (typeof RESENDABLE_TEMPLATES)[number];

type Money = { amount: number; currency: string };
/** What a resent notice is rebuilt from (the order as the back office loads it). */
export type ResendableOrder = {
  id: string;
  status: string;
  payment_method: string;
  total: Money;
  tax_breakdown: unknown[];
  cancel_reason: string | null;
  payments: { method: string; status: string; due_at: string | null }[];
  shipments: { id: string; status: string; carrier: string | null; tracking_number: string | null; shipped_at: string | null }[];
};

/**
 * The data of `template` for this order as its workflows sent it, or null when the order never had that notice
 * (nothing shipped, not completed, not cancelled) or the template is not resendable. order_shipped is the latest parcel's.
 */
export function resendableNotice(order: ResendableOrder, template: string): { template: ResendableTemplate; data: Record<string, unknown> } | null {
  switch (template) {
    case 'order_placed': {
      const paid = order.payments.find((p) => p.method === order.payment_method);
      const due = paid?.due_at ?? null;
      // The bank-transfer instructions are the provider's (providers/payments/offline-methods.ts), derived from the order alone.
      const instructions =
        order.payment_method === 'bank_transfer'
          ? { instructions: { reference: order.id, amount: order.total, due_at: due, note: 'Transfer the exact amount and quote the reference.' } }
          : {};
      const payment = { method: order.payment_method, status: paid?.status ?? 'pending', ...instructions };
      return { template, data: { order_id: order.id, total: order.total, tax_breakdown: order.tax_breakdown, payment } };
    }
    case 'order_shipped': {
      const shipped = order.shipments.filter((s) => s.shipped_at !== null).sort((a, b) => String(b.shipped_at).localeCompare(String(a.shipped_at)))[0];
      if (!shipped) return null;
      return { template, data: { order_id: order.id, shipment_id: shipped.id, carrier: shipped.carrier, tracking_number: shipped.tracking_number } };
    }
    case 'order_completed':
      return order.status === 'completed' ? { template, data: { order_id: order.id } } : null;
    case 'order_cancelled':
      return order.status === 'cancelled' ? { template, data: { order_id: order.id, reason: order.cancel_reason ?? '' } } : null;
    default:
      return null;
  }
}

/** The id of one retry request: the same parts (and the same Idempotency-Key among them) always name the same request. */
export function stepRequestId(prefix: 'rsd' | 'rdl', ...parts: string[]): string {
  return `${prefix}_${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32)}`;
}

/** Workflow id of a resend request. */
export function resendWorkflowId(tenantId: string, orderId: string, template: string, requestId: string): string {
  return `resend:${tenantId}:${orderId}:${template}:${requestId}`;
}

/** Workflow id of the retry of a capture refused `refusals` times: one retry per refusal, however often it is asked for. */
export function captureRetryWorkflowId(tenantId: string, paymentId: string, refusals: number): string {
  return `capture:${tenantId}:${paymentId}:${refusals}`;
}

/** Workflow id of a redelivery request (`webhook:<webhook>:<event>` is the first delivery's). */
export function redeliveryWorkflowId(webhookId: string, eventId: string, requestId: string): string {
  return `webhook:${webhookId}:${eventId}:${requestId}`;
}

/** The notification a resend sends: the rebuilt data plus the request's id (a new Message-ID, the same for its retries). */
export function resentNotification(
  tenantId: string,
  to: string,
  notice: { template: ResendableTemplate; data: Record<string, unknown> },
  requestId: string,
): Notification {
  return { tenantId, to, template: notice.template, data: { ...notice.data, resend_id: requestId } };
}
