// Read-only: an order's timeline assembled from the rows that record each step (orders, payment_receipts, shipments,
// refunds) and, for who did it, the audit entry written in the same transaction. Writes nothing.
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { timelineEntryView, type TimelineEntry } from '../../contracts/order-timeline.ts';

/** The order's steps recorded in the database, oldest first (reminders live in Temporal: see api/payment-reminders.ts). */
export async function orderTimeline(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<TimelineEntry[]> {
  return [
    ...(await db.any(sql.type(timelineEntryView)`
    WITH o AS (SELECT id, status, cancel_reason, created_at, updated_at FROM orders WHERE tenant_id = ${tenantId} AND id = ${orderId}),
    e AS (
      SELECT o.created_at AS at, 1 AS step, 'placed' AS event, NULL AS audit_type, NULL AS audit_id, NULL AS audit_action, NULL AS match_key, '{}'::jsonb AS details FROM o
      UNION ALL
      SELECT r.created_at, 2, 'paid', 'order', o.id, 'payment.confirm', r.reference,
        jsonb_build_object('amount', jsonb_build_object('amount', r.amount, 'currency', r.currency), 'reference', r.reference, 'confirmed_by', r.confirmed_by)
      FROM o JOIN payments p ON p.order_id = o.id AND p.tenant_id = ${tenantId} JOIN payment_receipts r ON r.payment_id = p.id
      UNION ALL
      SELECT s.shipped_at, 3, 'shipped', 'shipment', s.id, 'shipment.ship', NULL,
        jsonb_build_object('shipment_id', s.id, 'vendor_id', s.vendor_id, 'carrier', s.carrier, 'tracking_number', s.tracking_number)
      FROM o JOIN shipments s ON s.order_id = o.id WHERE s.shipped_at IS NOT NULL
      UNION ALL
      SELECT s.delivered_at, 4, 'delivered', 'shipment', s.id, 'shipment.deliver', NULL,
        jsonb_build_object('shipment_id', s.id, 'vendor_id', s.vendor_id, 'cod_collected',
          CASE WHEN s.cod_collected IS NULL THEN NULL ELSE jsonb_build_object('amount', s.cod_collected, 'currency', p.currency) END)
      FROM o JOIN shipments s ON s.order_id = o.id LEFT JOIN payments p ON p.order_id = o.id AND p.method = 'cod' WHERE s.delivered_at IS NOT NULL
      UNION ALL
      SELECT f.created_at, 5, 'refunded', 'order', o.id, 'refund.create', f.id,
        jsonb_build_object('refund_id', f.id, 'amount', jsonb_build_object('amount', f.amount, 'currency', f.currency), 'status', f.status, 'reason', f.reason)
      FROM o JOIN refunds f ON f.order_id = o.id
      UNION ALL
      SELECT o.updated_at, 6, 'cancelled', 'order', o.id, 'order.cancel', NULL, jsonb_build_object('reason', o.cancel_reason) FROM o WHERE o.status = 'cancelled'
      UNION ALL
      SELECT o.updated_at, 7, 'completed', NULL, NULL, NULL, NULL, '{}'::jsonb FROM o WHERE o.status = 'completed'
    )
    SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, e.event,
      CASE WHEN a.actor_key_id IS NULL THEN NULL ELSE json_build_object('key_id', a.actor_key_id, 'role', a.actor_role) END AS actor, e.details
    FROM e
    LEFT JOIN LATERAL (
      SELECT actor_key_id, actor_role FROM audit_log a
      WHERE a.tenant_id = ${tenantId} AND a.resource_type = e.audit_type AND a.resource_id = e.audit_id AND a.action = e.audit_action
        AND (e.match_key IS NULL OR a.changes->'reference'->>'after' = e.match_key OR a.changes->'refund_id'->>'after' = e.match_key)
      ORDER BY a.at DESC LIMIT 1
    ) a ON true
    ORDER BY e.at, e.step`)),
  ];
}
