// SQL owned by payouts: what the platform owes each vendor of a completed mall order.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { randomUUID } from 'node:crypto';
import { idRow, noRows, oneRow, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { appendOutbox } from './outbox.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { PAYOUT_STATUSES, payoutLine, refundLine, refundShares } from '../../domain/payouts.ts';
import { ORDER_STATUSES } from '../../domain/order.ts';
import { payoutStatementView, payoutView, type PayoutStatementView, type PayoutView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

const columns = sql.fragment`
  id, order_id, vendor_id, kind, refund_id, statement_id, status, currency, commission_rate_bps, reference, paid_at, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
  json_build_object('amount', gross, 'currency', currency) AS gross,
  json_build_object('amount', commission, 'currency', currency) AS commission,
  json_build_object('amount', net, 'currency', currency) AS net`;

const orderRow = z.object({ status: z.enum(ORDER_STATUSES), currency: z.string() });
const vendorGrossRow = z.object({ vendor_id: z.string(), gross: z.number(), commission_rate_bps: z.number() });
const statusRow = z.object({ status: z.enum(PAYOUT_STATUSES), statement_id: z.string().nullable() });

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
      const base = { tenantId, orderId, vendorId: g.vendor_id, currency: order.currency, rateBps: g.commission_rate_bps, amounts: line };
      if (await insertPayoutLine(tx, { ...base, refundId: null, event: { commission_rate_bps: g.commission_rate_bps } })) created += 1;
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
      WHERE tenant_id = ${tenantId} AND id = ${payoutId} AND status = 'pending' AND statement_id IS NULL
      RETURNING ${columns}`);
    if (!paid) {
      const current = await tx.maybeOne(sql.type(statusRow)`SELECT status, statement_id FROM payouts WHERE tenant_id = ${tenantId} AND id = ${payoutId}`);
      if (!current) throw new NotFoundError('payout', payoutId);
      // A line in a statement is paid with its statement, never on its own as well.
      if (current.status === 'pending') throw new ConflictError(`payout ${payoutId} is in statement ${current.statement_id}; pay the statement`);
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

const refundOrderRow = z.object({ total: z.number(), currency: z.string() });

/**
 * A refund of a mall order takes each vendor's share back: one negative `refund` line per vendor (its share of the refund
 * proportional to its gross, commission returned at the sale's rate), written in the refund's transaction. Idempotent per
 * refund and vendor. Returns the lines created.
 */
export async function createRefundPayouts(tx: CommonQueryMethods, tenantId: string, orderId: string, refundId: string, amount: number): Promise<number> {
  const order = await tx.maybeOne(sql.type(refundOrderRow)`SELECT total, currency FROM orders WHERE tenant_id = ${tenantId} AND id = ${orderId}`);
  if (!order) return 0;
  // The sale line's rate when the sale is already owed, otherwise the vendor's rate (the one its sale line will take).
  const groups = await tx.any(sql.type(vendorGrossRow)`
    SELECT i.vendor_id, sum(i.total)::int8 AS gross, COALESCE(max(po.commission_rate_bps), max(v.commission_rate_bps))::int AS commission_rate_bps
    FROM order_items i JOIN vendors v ON v.id = i.vendor_id AND v.tenant_id = i.tenant_id
    LEFT JOIN payouts po ON po.order_id = i.order_id AND po.vendor_id = i.vendor_id AND po.kind = 'sale'
    WHERE i.tenant_id = ${tenantId} AND i.order_id = ${orderId}
    GROUP BY i.vendor_id ORDER BY i.vendor_id`);
  const shares = refundShares(
    amount,
    groups.map((g) => g.gross),
    order.total,
  );
  let created = 0;
  for (const [i, g] of groups.entries()) {
    if (shares[i] === 0) continue;
    const line = refundLine(shares[i], g.commission_rate_bps);
    const base = { tenantId, orderId, vendorId: g.vendor_id, currency: order.currency, rateBps: g.commission_rate_bps, amounts: line };
    if (await insertPayoutLine(tx, { ...base, refundId, event: { kind: 'refund', refund_id: refundId } })) created += 1;
  }
  return created;
}

/** One payout line to write: a sale (`refundId` null) or a refund's take-back, and what its event adds. */
type NewPayoutLine = {
  tenantId: string;
  orderId: string;
  vendorId: string;
  currency: string;
  rateBps: number;
  amounts: { gross: number; commission: number; net: number };
  refundId: string | null;
  event: Record<string, unknown>;
};

/**
 * Writes one payout line, its id derived from its sale (the order) or refund and the vendor, with its `payout.created`
 * event; false when the line exists already (DO NOTHING without a target: both unique keys are arbiters).
 */
async function insertPayoutLine(tx: CommonQueryMethods, l: NewPayoutLine): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(payoutView)`
    INSERT INTO payouts (id, tenant_id, vendor_id, order_id, currency, gross, commission, net, commission_rate_bps, kind, refund_id)
    VALUES ('po_' || md5(${l.refundId ?? l.orderId} || ':' || ${l.vendorId}), ${l.tenantId}, ${l.vendorId}, ${l.orderId}, ${l.currency},
      ${l.amounts.gross}, ${l.amounts.commission}, ${l.amounts.net}, ${l.rateBps}, ${l.refundId ? 'refund' : 'sale'}, ${l.refundId})
    ON CONFLICT DO NOTHING
    RETURNING ${columns}`);
  if (!row) return false;
  await appendOutbox(tx, {
    tenantId: l.tenantId,
    type: 'payout.created',
    aggregateId: row.id,
    eventId: `payout-created:${row.id}`,
    payload: { payout_id: row.id, order_id: l.orderId, vendor_id: l.vendorId, ...l.event, gross: row.gross, commission: row.commission, net: row.net },
  });
  return true;
}

const statementColumns = sql.fragment`
  s.id, s.vendor_id, s.period_to AS "to", json_build_object('amount', s.net, 'currency', s.currency) AS net, s.line_count,
  ARRAY(SELECT po.id FROM payouts po WHERE po.statement_id = s.id ORDER BY po.created_at, po.id) AS payout_ids,
  s.status, s.reference, s.paid_at, s.created_at`;
const unpaidLineRow = z.object({ id: z.string(), net: z.number(), currency: z.string() });

/** Groups a vendor's unpaid lines created up to `to` (none in a statement yet) into a new statement, audited; ConflictError when there are none. */
export async function createPayoutStatement(
  db: CommonQueryMethods,
  tenantId: string,
  vendorId: string,
  to: string,
  actor: Actor | null,
): Promise<PayoutStatementView> {
  return db.transaction(async (tx) => {
    // Locked, and re-checked by a concurrent statement after this one commits: a line lands in one statement only.
    const lines = await tx.any(sql.type(unpaidLineRow)`
      SELECT id, net, currency FROM payouts
      WHERE tenant_id = ${tenantId} AND vendor_id = ${vendorId} AND status = 'pending' AND statement_id IS NULL AND created_at <= ${to}::timestamptz
      ORDER BY created_at, id FOR UPDATE`);
    if (lines.length === 0) throw new ConflictError(`vendor ${vendorId} has no unpaid payout lines up to ${to}`);
    const currencies = new Set(lines.map((l) => l.currency));
    if (currencies.size > 1) throw new ConflictError(`vendor ${vendorId} has unpaid lines in several currencies; one statement holds one`);
    const id = makeId('pst', randomUUID());
    const net = lines.reduce((sum, l) => sum + l.net, 0);
    await tx.query(sql.type(noRows)`
      INSERT INTO payout_statements (id, tenant_id, vendor_id, currency, period_to, net, line_count)
      VALUES (${id}, ${tenantId}, ${vendorId}, ${lines[0].currency}, ${to}::timestamptz, ${net}, ${lines.length})`);
    await tx.query(
      sql.type(noRows)`UPDATE payouts SET statement_id = ${id} WHERE id = ANY(${sql.array(
        lines.map((l) => l.id),
        'text',
      )})`,
    );
    const statement = await tx.one(sql.type(payoutStatementView)`SELECT ${statementColumns} FROM payout_statements s WHERE s.id = ${id}`);
    const changes = changedFields(null, { vendor_id: vendorId, to: statement.to, net, line_count: lines.length });
    await recordAudit(tx, { tenantId, actor, action: 'payout_statement.create', resourceType: 'payout_statement', resourceId: id, changes });
    return statement;
  });
}

/** Pays a statement and every line in it, once: pending → paid with the reference; ConflictError when already paid. */
export async function payPayoutStatement(
  db: CommonQueryMethods,
  tenantId: string,
  statementId: string,
  reference: string,
  actor: Actor | null,
): Promise<PayoutStatementView> {
  return db.transaction(async (tx) => {
    const paid = await tx.maybeOne(sql.type(idRow)`
      UPDATE payout_statements SET status = 'paid', reference = ${reference}, paid_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${statementId} AND status = 'pending' RETURNING id`);
    if (!paid) {
      const current = await tx.maybeOne(sql.type(idRow)`SELECT id FROM payout_statements WHERE tenant_id = ${tenantId} AND id = ${statementId}`);
      if (!current) throw new NotFoundError('payout statement', statementId);
      throw new ConflictError(`payout statement ${statementId} is already paid`);
    }
    await tx.query(sql.type(noRows)`
      UPDATE payouts SET status = 'paid', reference = ${reference}, paid_at = now() WHERE statement_id = ${statementId} AND status = 'pending'`);
    const statement = await tx.one(sql.type(payoutStatementView)`SELECT ${statementColumns} FROM payout_statements s WHERE s.id = ${statementId}`);
    await appendOutbox(tx, {
      tenantId,
      type: 'payout_statement.paid',
      aggregateId: statementId,
      eventId: `payout-statement-paid:${statementId}`,
      payload: { statement_id: statementId, vendor_id: statement.vendor_id, net: statement.net, payout_ids: statement.payout_ids, reference },
    });
    const changes = changedFields({ status: 'pending', reference: null }, { status: 'paid', reference });
    await recordAudit(tx, { tenantId, actor, action: 'payout_statement.pay', resourceType: 'payout_statement', resourceId: statementId, changes });
    return statement;
  });
}
