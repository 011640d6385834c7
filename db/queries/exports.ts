// SQL owned by exports (recorded export requests), and the read queries each kind of export streams row by row.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool, QuerySqlToken } from 'slonik';
import { sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Actor } from '../../contracts/audit.ts';
import type { ExportKind } from '../../contracts/import-views.ts';
import { recordAudit } from './audit-log.ts';

const exportRow = z.object({
  id: z.string(),
  kind: z.enum(['orders', 'products', 'payouts']),
  from: z.string().nullable(),
  to: z.string(),
  created_at: z.string(),
});
/** A recorded export request. */
export type ExportRow = z.infer<typeof exportRow>;

/** Records an export request (its range is fixed now: `to` defaults to this instant) with its audit entry. */
export async function createExport(
  pool: DatabasePool,
  tenantId: string,
  input: { kind: ExportKind; from: string | null; to: string | null },
  actor: Actor | null,
): Promise<ExportRow> {
  return pool.transaction(async (tx) => {
    const row = await tx.one(sql.type(exportRow)`
      INSERT INTO exports (id, tenant_id, kind, range_from, range_to, created_by)
      VALUES (${makeId('exp', randomUUID())}, ${tenantId}, ${input.kind}, ${input.from}, COALESCE(${input.to}::timestamptz, now()), ${actor?.keyId ?? null})
      RETURNING id, kind, range_from AS from, range_to AS to, created_at`);
    const changes = { kind: { before: null, after: row.kind }, from: { before: null, after: row.from }, to: { before: null, after: row.to } };
    await recordAudit(tx, { tenantId, actor, action: 'export.create', resourceType: 'export', resourceId: row.id, changes });
    return row;
  });
}

/** One export request of the tenant, or NotFoundError. */
export async function getExport(db: CommonQueryMethods, tenantId: string, exportId: string): Promise<ExportRow> {
  const row = await db.maybeOne(sql.type(exportRow)`
    SELECT id, kind, range_from AS from, range_to AS to, created_at FROM exports WHERE tenant_id = ${tenantId} AND id = ${exportId}`);
  if (!row) throw new NotFoundError('export', exportId);
  return row;
}

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const csvRow = z.record(z.string(), cell);

/** Columns of each kind of export, in file order (products: exactly the import's columns, so a file goes back in). */
export const EXPORT_COLUMNS: Record<ExportKind, string[]> = {
  orders: [
    'order_id', 'placed_at', 'status', 'payment_method', 'email', 'currency', 'line_id', 'sku', 'title', 'vendor_id', 'quantity', 'unit_price',
    'line_discount', 'line_total', 'tax_rate_bps', 'order_subtotal', 'order_discount_total', 'order_shipping_total', 'order_cod_fee',
    'order_tax_total', 'order_total', 'ship_to_name', 'ship_to_postal_code', 'ship_to_country',
  ], // prettier-ignore
  products: ['handle', 'title', 'status', 'sku', 'variant_title', 'price', 'currency', 'on_hand', 'category', 'vendor_id'],
  payouts: [
    'payout_id', 'created_at', 'vendor_id', 'vendor_name', 'order_id', 'kind', 'currency', 'gross', 'commission', 'net', 'commission_rate_bps',
    'status', 'statement_id', 'reference', 'paid_at',
  ], // prettier-ignore
};

const range = (column: string, e: ExportRow) =>
  sql.fragment`${sql.identifier(column.split('.'))} <= ${e.to} ${e.from ? sql.fragment`AND ${sql.identifier(column.split('.'))} >= ${e.from}` : sql.fragment``}`;

/** The query whose rows (column → value, in EXPORT_COLUMNS order) make the export's file; to be streamed. */
export function exportQuery(tenantId: string, e: ExportRow): QuerySqlToken<typeof csvRow> {
  if (e.kind === 'orders') {
    return sql.type(csvRow)`
      SELECT o.id AS order_id, o.created_at AS placed_at, o.status, o.payment_method, o.email, o.currency, i.id AS line_id, i.sku, i.title, i.vendor_id,
        i.quantity, i.unit_price, i.discount AS line_discount, i.total AS line_total, i.tax_rate_bps, o.subtotal AS order_subtotal,
        o.discount_total AS order_discount_total, o.shipping_total AS order_shipping_total, o.cod_fee AS order_cod_fee, o.tax_total AS order_tax_total,
        o.total AS order_total, o.shipping_address->>'name' AS ship_to_name, o.shipping_address->>'postal_code' AS ship_to_postal_code,
        o.shipping_address->>'country' AS ship_to_country
      FROM orders o JOIN order_items i ON i.order_id = o.id
      WHERE o.tenant_id = ${tenantId} AND ${range('o.created_at', e)}
      ORDER BY o.created_at, o.id, i.id`;
  }
  if (e.kind === 'products') {
    return sql.type(csvRow)`
      SELECT p.handle, p.title, p.status, v.sku, v.title AS variant_title, pr.amount AS price, t.default_currency AS currency,
        (SELECT il.on_hand FROM inventory_levels il JOIN locations l ON l.id = il.location_id AND l.is_default WHERE il.variant_id = v.id) AS on_hand,
        COALESCE((SELECT string_agg(c.handle, '|' ORDER BY c.handle) FROM product_categories pc JOIN categories c ON c.id = pc.category_id
          WHERE pc.product_id = p.id), '') AS category,
        p.vendor_id
      FROM products p JOIN tenants t ON t.id = p.tenant_id JOIN variants v ON v.product_id = p.id
        LEFT JOIN prices pr ON pr.variant_id = v.id AND pr.currency = t.default_currency
      WHERE p.tenant_id = ${tenantId} AND p.deleted_at IS NULL AND ${range('p.created_at', e)}
      ORDER BY p.created_at, p.id, v.position, v.id`;
  }
  return sql.type(csvRow)`
    SELECT po.id AS payout_id, po.created_at, po.vendor_id, ve.name AS vendor_name, po.order_id, po.kind, po.currency, po.gross, po.commission, po.net,
      po.commission_rate_bps, po.status, po.statement_id, po.reference, po.paid_at
    FROM payouts po JOIN vendors ve ON ve.id = po.vendor_id
    WHERE po.tenant_id = ${tenantId} AND ${range('po.created_at', e)}
    ORDER BY po.created_at, po.id`;
}
