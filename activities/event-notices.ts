// Customer notices driven by outbox events (refund issued, subscription renewed), sent through the notifier.
import type { DatabasePool } from 'slonik';
import { getOrder } from '../db/queries/orders.ts';
import { getBillingState } from '../db/queries/subscriptions.ts';
import { NotFoundError } from '../domain/errors.ts';
import { EVENT_NOTICES } from '../domain/relay.ts';
import type { Notifier } from '../providers/notifications/notifier.ts';
import type { EventNoticeInput } from '../contracts/workflows.ts';
import type { EventNoticeActivities } from '../contracts/activities.ts';

/** Builds the event-notice activity. */
export function createEventNoticeActivities({ pool, notifier }: { pool: DatabasePool; notifier: Notifier }) {
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
      const to = template ? await recipientOf(input.tenantId, input.event.data) : null;
      if (!template || !to) return null;
      await notifier.send({ tenantId: input.tenantId, to, template, data: { ...input.event.data, event_id: input.event.id } });
      return to;
    },
  } satisfies EventNoticeActivities;
}
