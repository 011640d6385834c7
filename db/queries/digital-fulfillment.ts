// The digital part of an order's fulfillment, in one transaction: its deliveries issued (digital-deliveries.ts), its
// digital stock consumed (holds.ts), its downloads e-mailed (an outbox event) and, with nothing to ship, the order completed
// (orders.ts). Owns no table.
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import { countRow, sql } from '../sql.ts';
import { lockOrder, setOrderStatus } from './orders.ts';
import { consumeOrderAllocations } from './holds.ts';
import { appendOutbox } from './outbox.ts';
import { insertDelivery } from './digital-deliveries.ts';
import type { OrderStatus } from '../../domain/order.ts';

const digitalLineRow = z.object({
  order_item_id: z.string(),
  variant_id: z.string(),
  vendor_id: z.string().nullable(),
  file_id: z.string().nullable(),
  link_ttl_ms: z.number().nullable(),
  max_downloads: z.number().nullable(),
});

/** What issuing an order's downloads did: links new this time, the order's status after, whether vendors sold in it. */
export type IssueOutcome = { issued: number; deliveries: number; orderStatus: OrderStatus; vendorItems: boolean };

/**
 * Issues one delivery per digital line whose variant has a file (ids derived from the lines: a retry inserts nothing),
 * consumes the digital lines' stock allocations, appends `order.downloads_ready` (its e-mail carries the links) and
 * completes an order that has nothing to ship. A cancelled order gets nothing.
 */
export async function issueOrderDeliveries(pool: DatabasePool, tenantId: string, orderId: string): Promise<IssueOutcome> {
  return pool.transaction(async (tx) => {
    const order = await lockOrder(tx, tenantId, orderId);
    const lines = await tx.any(sql.type(digitalLineRow)`
      SELECT i.id AS order_item_id, i.variant_id, i.vendor_id, d.file_id, d.link_ttl_ms, d.max_downloads
      FROM order_items i JOIN products p ON p.id = i.product_id LEFT JOIN variant_digital d ON d.variant_id = i.variant_id
      WHERE i.order_id = ${orderId} AND p.type = 'digital' ORDER BY i.id`);
    const vendorItems = await tx.oneFirst(
      sql.type(countRow)`SELECT count(*)::int8 AS n FROM order_items WHERE order_id = ${orderId} AND vendor_id IS NOT NULL`,
    );
    const outcome = { issued: 0, deliveries: 0, orderStatus: order.status, vendorItems: vendorItems > 0 };
    if (order.status === 'cancelled' || order.status === 'pending_payment') return outcome;
    for (const line of lines) {
      if (!line.file_id || !line.link_ttl_ms || !line.max_downloads) continue;
      const base = { tenantId, orderId, orderItemId: line.order_item_id, variantId: line.variant_id };
      if (await insertDelivery(tx, { ...base, fileId: line.file_id, linkTtlMs: line.link_ttl_ms, maxDownloads: line.max_downloads })) outcome.issued += 1;
      outcome.deliveries += 1;
    }
    await consumeOrderAllocations(
      tx,
      orderId,
      lines.map((l) => l.variant_id),
    );
    if (outcome.issued > 0) {
      await appendOutbox(tx, {
        tenantId,
        type: 'order.downloads_ready',
        aggregateId: orderId,
        eventId: `downloads-ready:${orderId}`,
        payload: { order_id: orderId, downloads: outcome.deliveries },
      });
    }
    const physical = await tx.oneFirst(sql.type(countRow)`
      SELECT count(*)::int8 AS n FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = ${orderId} AND p.type <> 'digital'`);
    if (physical === 0 && order.status === 'pending_shipment') {
      await setOrderStatus(tx, tenantId, orderId, order.status, 'completed');
      outcome.orderStatus = 'completed';
    }
    return outcome;
  });
}
