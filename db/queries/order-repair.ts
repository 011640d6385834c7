// Reads of orders for their repair: the open orders the reconciler checks (orders are written by db/queries/orders.ts).
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import type { OrderStatus, PaymentMethod } from '../../domain/order.ts';

const openOrderRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  cart_id: z.string(),
  status: z.string(),
  payment_method: z.string(),
  cursor_at: z.string(),
});

/** An open order as the reconciler checks it. */
export type OpenOrder = { id: string; tenant_id: string; cart_id: string; status: OrderStatus; payment_method: PaymentMethod; cursor_at: string };

/**
 * Open orders (neither completed nor cancelled) placed more than `graceMs` ago, oldest first, after the cursor;
 * `tenantIds` limits them to those tenants.
 */
export async function openOrdersOlderThan(
  db: CommonQueryMethods,
  f: { graceMs: number; limit: number; after?: { createdAt: string; id: string }; tenantIds?: string[] },
): Promise<OpenOrder[]> {
  const rows = await db.any(sql.type(openOrderRow)`
    SELECT id, tenant_id, cart_id, status, payment_method, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM orders
    WHERE status NOT IN ('completed', 'cancelled') AND created_at < now() - make_interval(secs => ${f.graceMs / 1000})
      ${f.tenantIds ? sql.fragment`AND tenant_id = ANY(${sql.array(f.tenantIds, 'text')})` : sql.fragment``}
      ${f.after ? sql.fragment`AND (created_at, id) > (${f.after.createdAt}::timestamptz, ${f.after.id})` : sql.fragment``}
    ORDER BY created_at, id LIMIT ${f.limit}`);
  return rows as readonly OpenOrder[] as OpenOrder[];
}
