// The back office's view of one order (its data, its workflows with their state, whether it needs attention, its
// timeline): what GET /admin/orders/:id answers and every route that changes an order answers with afterwards.
import type { DatabasePool } from 'slonik';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/config.ts';
import { getOrder } from '../db/queries/orders.ts';
import { orderTimeline } from '../db/queries/order-timeline.ts';
import { subscriptionsOfOrder } from '../db/queries/subscriptions.ts';
import { needsAttention } from '../domain/repair.ts';
import type { Processes } from './processes.ts';
import { paymentReminders } from './payment-reminders.ts';
import { adminOrder } from './views.ts';
import { orderDownloads } from './order-downloads.ts';

// A reminder missing from a slow answer is better than a slow order page: the page polls again.
const REMINDERS_WAIT_MS = 2000;

/** Builds the loader of an order's admin view (one Temporal describe per workflow of the order, one history read for transfers). */
export function adminOrderResponse(
  pool: DatabasePool,
  processes: Processes,
  config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'PUBLIC_URL' | 'PORT' | 'LINK_SIGNING_KEY' | 'WEBHOOK_SECRET_KEY'>,
  temporal: Client,
) {
  return async (tenantId: string, orderId: string) => {
    const order = await getOrder(pool, tenantId, orderId);
    const subscriptionIds = order.payment_method === 'card' ? await subscriptionsOfOrder(pool, tenantId, order.id) : [];
    const [workflows, recorded, reminders] = await Promise.all([
      processes.orderWorkflows(tenantId, order.cart_id, order.id, order.payment_method, order.shipments, subscriptionIds),
      orderTimeline(pool, tenantId, order.id),
      order.payment_method === 'bank_transfer' ? paymentReminders(temporal, tenantId, order.id, REMINDERS_WAIT_MS) : [],
    ]);
    const timeline = [...recorded, ...reminders].sort((a, b) => a.at.localeCompare(b.at));
    // Open with no live process (its checkout terminated or lost): the reconciler or POST …/resume repairs it.
    return {
      ...adminOrder(order, workflows, config.TEMPORAL_UI_URL, config.TEMPORAL_NAMESPACE),
      needs_attention: needsAttention(order.status, workflows),
      downloads: await orderDownloads(pool, config, tenantId, order.id),
      timeline,
    };
  };
}
