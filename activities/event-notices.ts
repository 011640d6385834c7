// Customer notices driven by outbox events (refund issued, subscription renewed), sent through the notifier.
import type { DatabasePool } from 'slonik';
import { getOrder } from '../db/queries/orders.ts';
import { getBillingState } from '../db/queries/subscriptions.ts';
import { armPasswordReset, customerContact } from '../db/queries/customers.ts';
import { hashSecret, newSecret } from '../domain/secrets.ts';
import { NotFoundError } from '../domain/errors.ts';
import { EVENT_NOTICES } from '../domain/relay.ts';
import type { Notifier } from '../providers/notifications/notifier.ts';
import type { EventNoticeInput } from '../contracts/workflows.ts';
import type { EventNoticeActivities } from '../contracts/activities.ts';
import type { Config } from '../config/config.ts';
import { orderDeliveries } from '../db/queries/digital-deliveries.ts';
import { downloadLink } from '../providers/download-links.ts';

/** Builds the event-notice activity. */
export function createEventNoticeActivities({ pool, notifier, config }: { pool: DatabasePool; notifier: Notifier; config?: Config }) {
  const recipientOf = async (tenantId: string, data: Record<string, unknown>): Promise<string | null> => {
    try {
      if (typeof data.order_id === 'string') return (await getOrder(pool, tenantId, data.order_id)).email;
      if (typeof data.subscription_id === 'string') return (await getBillingState(pool, data.subscription_id, tenantId)).customer_email;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return null;
  };
  return {
    /** Sends the event's notice to its customer (the event id rides along, so a repeated send can be recognised). */
    async sendEventNotice(input: EventNoticeInput): Promise<string | null> {
      const template = EVENT_NOTICES[input.event.type];
      if (template === 'password_reset') {
        // The token is minted here, right before the e-mail, and only its hash is stored: it never sits in the outbox
        // (plain text) nor in the workflow history (this activity returns the recipient only). A retry mints a new one.
        const token = newSecret('prt', 32);
        const to = await armPasswordReset(pool, input.tenantId, String(input.event.data.reset_id), hashSecret(token));
        if (!to) return null;
        await notifier.send({ tenantId: input.tenantId, to: to.email, template, data: { token, name: to.name, event_id: input.event.id } });
        return to.email;
      }
      if (template === 'digital_downloads') {
        // The links are signed here, right before the e-mail: they are never stored, nor in the outbox, nor in a history.
        const orderId = String(input.event.data.order_id);
        const order = await getOrder(pool, input.tenantId, orderId);
        const titles = new Map(order.items.map((i) => [i.id, i.title]));
        const downloads = (await orderDeliveries(pool, input.tenantId, orderId))
          .filter((d) => d.status === 'active')
          .map((d) => ({
            title: titles.get(d.order_item_id) ?? d.variant_id,
            url: downloadLink(config, { id: d.id, tenantId: d.tenant_id, expiresAtMs: d.expires_at_ms }),
            expires_at: d.expires_at,
            remaining: d.remaining,
          }));
        if (downloads.length === 0) return null;
        await notifier.send({ tenantId: input.tenantId, to: order.email, template, data: { order_id: orderId, downloads, event_id: input.event.id } });
        return order.email;
      }
      if (template === 'customer_welcome') {
        const to = await customerContact(pool, input.tenantId, String(input.event.data.customer_id));
        if (!to) return null;
        await notifier.send({ tenantId: input.tenantId, to: to.email, template, data: { name: to.name, event_id: input.event.id } });
        return to.email;
      }
      const to = template ? await recipientOf(input.tenantId, input.event.data) : null;
      if (!template || !to) return null;
      await notifier.send({ tenantId: input.tenantId, to, template, data: { ...input.event.data, event_id: input.event.id } });
      return to;
    },
  } satisfies EventNoticeActivities;
}
