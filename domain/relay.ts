// Names of the outbox relay's moving parts: the Schedule, webhook delivery and reindex workflow ids.

/** Id of the Schedule that runs `outboxRelay` for a task queue (one relay per deployment; relays may run side by side). */
export function outboxRelayScheduleId(taskQueue: string): string {
  return `outbox-relay:${taskQueue}`;
}

/** Workflow id of one event's delivery to one webhook: starting it twice is rejected, so a re-relayed event is not sent twice. */
export function webhookDeliveryWorkflowId(webhookId: string, eventId: string): string {
  return `webhook:${webhookId}:${eventId}`;
}

/** Business facts the customer hears about from the outbox (process steps are notified by their workflows). */
export const EVENT_NOTICES: Record<string, 'payment_refunded' | 'subscription_renewed' | 'customer_welcome' | 'password_reset' | 'digital_downloads'> = {
  'payment.refunded': 'payment_refunded',
  'subscription.renewed': 'subscription_renewed',
  'customer.registered': 'customer_welcome',
  'customer.password_reset_requested': 'password_reset',
  'order.downloads_ready': 'digital_downloads',
};

/** Workflow id of the customer notice sent for one outbox event: a re-relayed event does not notify twice. */
export function eventNoticeWorkflowId(eventId: string): string {
  return `notice:${eventId}`;
}

/** Workflow id of a tenant's search reindex (one at a time per tenant). */
export function searchReindexWorkflowId(tenantId: string): string {
  return `search-reindex:${tenantId}`;
}

/** Event type patterns a webhook may subscribe to: `order.placed`, `product.*`-style names, or `*` for all. */
export const WEBHOOK_EVENT_PATTERN = /^(\*|[a-z][a-z_]*(\.[a-z_]+)+)$/;

/** True when a webhook subscribed to `events` wants an event of `type`. */
export function webhookWants(events: string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}
