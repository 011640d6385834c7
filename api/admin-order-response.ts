// The back office's view of one order (its data, its workflows with their state, whether it needs attention): what
// GET /admin/orders/:id answers and every route that changes an order answers with afterwards.
import type { DatabasePool } from 'slonik';
import type { Config } from '../config/config.ts';
import { getOrder } from '../db/queries/orders.ts';
import { subscriptionsOfOrder } from '../db/queries/subscriptions.ts';
import { needsAttention } from '../domain/repair.ts';
import type { Processes } from './processes.ts';
import { adminOrder } from './views.ts';
import { orderDownloads } from './order-downloads.ts';

/** Builds the loader of an order's admin view (one Temporal describe per workflow of the order). */
export function adminOrderResponse(
  pool: DatabasePool,
  processes: Processes,
  config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE' | 'PUBLIC_URL' | 'PORT' | 'LINK_SIGNING_KEY' | 'WEBHOOK_SECRET_KEY'>,
) {
  return async (tenantId: string, orderId: string) => {
    const order = await getOrder(pool, tenantId, orderId);
    const subscriptionIds = order.payment_method === 'card' ? await subscriptionsOfOrder(pool, tenantId, order.id) : [];
    const workflows = await processes.orderWorkflows(
      tenantId,
      order.cart_id,
      order.id,
      order.payment_method,
      order.shipments.map((s) => s.id),
      subscriptionIds,
    );
    // Open with no live process (its checkout terminated or lost): the reconciler or POST …/resume repairs it.
    return {
      ...adminOrder(order, workflows, config.TEMPORAL_UI_URL, config.TEMPORAL_NAMESPACE),
      needs_attention: needsAttention(order.status, workflows),
      downloads: await orderDownloads(pool, config, tenantId, order.id),
    };
  };
}
