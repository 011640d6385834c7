// SQL owned by payouts: what the platform owes each vendor of a completed mall order.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { oneRow, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { PAYOUT_STATUSES, payoutLine } from '../../domain/payouts.ts';
import { ORDER_STATUSES } from '../../domain/order.ts';
import { payoutView, type PayoutView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

const columns = sql.fragment`
  id, order_id, vendor_id, status, currency, commission_rate_bps, reference, paid_at, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
  json_build_object('amount', gross, 'currency', currency) AS gross,
  json_build_object('amount', commission, 'currency', currency) AS commission,
  json_build_object('amount', net, 'currency', currency) AS net`;

const orderRow = z.object({ status: z.enum(ORDER_STATUSES), currency: z.string() });
const vendorGrossRow = z.object({ vendor_id: z.string(), gross: z.number(), commission_rate_bps: z.number() });
const statusRow = z.object({ status: z.enum(PAYOUT_STATUSES) });

/**
 * One payout line per vendor of the order's items (gross = its items' total, commission at the vendor's rate),
 * each with a `payout.created` event. Idempotent: lines that exist are kept as they are. None while a refused card capture
 * is not yet captured (recordCapture creates them then). Returns the lines created.
 */
export async function createPayoutsForOrder(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const order = await tx.maybeOne(sql.type(orderRow)`SELECT status, currency FROM orders WHERE tenant_id = ${tenantId} AND id = ${orderId}`);
    if (!order) throw new NotFoundError('order', orderId);
    if (order.status === 'cancelled') throw new ConflictError(`order ${orderId} was cancelled; it owes no payouts`);
    // Vendors are paid out of captured money: a capture the gateway refused holds the lines until staff's retry captures it.
    const awaitingCapture = await tx.maybeOne(sql.type(oneRow)`
      SELECT 1 AS one FROM payments WHERE tenant_id = ${tenantId} AND order_id = ${orderId} AND capture_failed_at IS NOT NULL AND captured_at IS NULL`);
    if (awaitingCapture) return 0;
    const groups = await tx.any(sql.type(vendorGrossRow)`
      SELECT i.vendor_id, sum(i.total)::int8 AS gross, v.commission_rate_bps
      FROM order_items i JOIN vendors v ON v.id = i.vendor_id AND v.tenant_id = i.tenant_id
      WHERE i.tenant_id = ${tenantId} AND i.order_id = ${orderId}
      GROUP BY i.vendor_id, v.commission_rate_bps ORDER BY i.vendor_id`);
    let created = 0;
    for (const g of groups) {
      const line = payoutLine(g.gross, g.commission_rate_bps);
      const row = await tx.maybeOne(sql.type(payoutView)`
        INSERT INTO payouts (id, tenant_id, vendor_id, order_id, currency, gross, commission, net, commission_rate_bps)
        VALUES ('po_' || md5(${orderId} || ':' || ${g.vendor_id}), ${tenantId}, ${g.vendor_id}, ${orderId}, ${order.currency},
          ${line.gross}, ${line.commission}, ${line.net}, ${g.commission_rate_bps})
        ON CONFLICT (order_id, vendor_id) DO NOTHING
        RETURNING ${columns}`);
      if (!row) continue;
      created += 1;
      await appendOutbox(tx, {
        tenantId,
        type: 'payout.created',
        aggregateId: row.id,
        eventId: `payout-created:${row.id}`,
        payload: {
          payout_id: row.id,
          order_id: orderId,
          vendor_id: g.vendor_id,
          gross: row.gross,
          commission: row.commission,
          net: row.net,
          commission_rate_bps: g.commission_rate_bps,
        },
      });
    }
    return created;
  });
}

/** A vendor's payout lines, newest first; `limit + 1` rows so the caller knows whether there is a next page. */
export async function listVendorPayouts(
  db: CommonQueryMethods,
  tenantId: string,
  vendorId: string,
  page: { after?: { createdAt: string; id: string }; limit: number },
): Promise<PayoutView[]> {
  return [
    ...(await db.any(sql.type(payoutView)`
    SELECT ${columns} FROM payouts
    WHERE tenant_id = ${tenantId} AND vendor_id = ${vendorId}
      ${page.after ? sql.fragment`AND (created_at, id) < (${page.after.createdAt}::timestamptz, ${page.after.id})` : sql.fragment``}
    ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`)),
  ];
}

/** Records a manual payout: pending → paid with its reference and a `payout.paid` event; ConflictError when already paid. */
export async function payPayout(db: CommonQueryMethods, tenantId: string, payoutId: string, reference: string, actor: Actor | null): Promise<PayoutView> {
  return db.transaction(async (tx) => {
    const paid = await tx.maybeOne(sql.type(payoutView)`
      UPDATE payouts SET status = 'paid', reference = ${reference}, paid_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${payoutId} AND status = 'pending'
      RETURNING ${columns}`);
    if (!paid) {
      const current = await tx.maybeOne(sql.type(statusRow)`SELECT status FROM payouts WHERE tenant_id = ${tenantId} AND id = ${payoutId}`);
      if (!current) throw new NotFoundError('payout', payoutId);
      throw new ConflictError(`payout ${payoutId} is already ${current.status}`);
    }
    await appendOutbox(tx, {
      tenantId,
      type: 'payout.paid',
      aggregateId: paid.id,
      eventId: `payout-paid:${paid.id}`,
      payload: { payout_id: paid.id, order_id: paid.order_id, vendor_id: paid.vendor_id, net: paid.net, reference, paid_at: paid.paid_at },
    });
    // Only a pending line is paid (the UPDATE's condition), so the fields before are known without another read.
    const changes = changedFields({ status: 'pending', reference: null }, { status: paid.status, reference: paid.reference });
    await recordAudit(tx, { tenantId, actor, action: 'payout.pay', resourceType: 'payout', resourceId: paid.id, changes });
    return paid;
  });
}
