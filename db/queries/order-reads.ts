// Reads of orders and order_items used beside other modules' writes (the writer of both tables is orders.ts).
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';

const orderCustomerRow = z.object({ customer_id: z.string().nullable() });

/** The customer an order belongs to (null: a guest order, or no such order). */
export async function orderCustomerId(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<string | null> {
  const row = await db.maybeOne(sql.type(orderCustomerRow)`SELECT customer_id FROM orders WHERE tenant_id = ${tenantId} AND id = ${orderId}`);
  return row?.customer_id ?? null;
}

const itemGroupRow = z.object({ vendor_id: z.string().nullable(), amount: z.number(), variant_ids: z.array(z.string()) });
/** An order's items per vendor (single brand: one group with vendor null): their total and variants. */
export type OrderItemGroup = z.infer<typeof itemGroupRow>;

/** Groups an order's physical items by vendor, the single-brand group (vendor null) first: one shipment each (digital lines ship none). */
export async function orderItemGroups(tx: CommonQueryMethods, orderId: string): Promise<readonly OrderItemGroup[]> {
  return tx.any(sql.type(itemGroupRow)`
    SELECT i.vendor_id, sum(i.total)::int8 AS amount, array_agg(DISTINCT i.variant_id) AS variant_ids FROM order_items i
    JOIN products p ON p.id = i.product_id WHERE i.order_id = ${orderId} AND p.type <> 'digital'
    GROUP BY i.vendor_id ORDER BY i.vendor_id NULLS FIRST`);
}
