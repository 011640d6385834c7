// SQL owned by vendors (mall mode).
import { randomUUID } from 'node:crypto';
import type { CommonQueryMethods } from 'slonik';
import { idRow, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { VendorStatus } from '../../domain/payouts.ts';
import { vendorView, type VendorView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';
import { appendOutboxMany } from './outbox.ts';

/** Input of a new vendor. */
export type NewVendor = { name: string; commission_rate_bps: number; status?: VendorStatus };

const columns = sql.fragment`id, name, commission_rate_bps, status, created_at`;

/** SQL condition on a product aliased `p`: its vendor (if any) is not suspended; a suspended vendor's products are not for sale. */
export const vendorNotSuspended = sql.fragment`NOT EXISTS (SELECT 1 FROM vendors sv WHERE sv.id = p.vendor_id AND sv.status = 'suspended')`;

/** Changes to a vendor (PATCH /admin/vendors/:id). */
export type VendorPatch = { commission_rate_bps?: number; status?: VendorStatus };

/** Creates a vendor; only a mall tenant hosts vendors (ConflictError for a single-brand tenant). */
export async function createVendor(db: CommonQueryMethods, tenantId: string, input: NewVendor, actor: Actor | null): Promise<VendorView> {
  return db.transaction(async (tx) => {
    // One statement: the tenant's mode is checked by the insert itself, no read-then-write.
    const row = await tx.maybeOne(sql.type(vendorView)`
      INSERT INTO vendors (id, tenant_id, name, commission_rate_bps, status)
      SELECT ${makeId('ven', randomUUID())}, t.id, ${input.name}, ${input.commission_rate_bps}, ${input.status ?? 'active'}
      FROM tenants t WHERE t.id = ${tenantId} AND t.mode = 'mall'
      RETURNING ${columns}`);
    if (!row) throw new ConflictError('only a mall tenant hosts vendors; this store is single-brand');
    const { id, created_at: _at, ...fields } = row;
    await recordAudit(tx, { tenantId, actor, action: 'vendor.create', resourceType: 'vendor', resourceId: id, changes: changedFields(null, fields) });
    return row;
  });
}

/** Lists a tenant's vendors by id, `limit + 1` rows so the caller knows whether there is a next page. */
export async function listVendors(db: CommonQueryMethods, tenantId: string, afterId: string | undefined, limit: number): Promise<VendorView[]> {
  return [
    ...(await db.any(sql.type(vendorView)`
    SELECT ${columns} FROM vendors
    WHERE tenant_id = ${tenantId} ${afterId ? sql.fragment`AND id > ${afterId}` : sql.fragment``}
    ORDER BY id LIMIT ${limit + 1}`)),
  ];
}

/** A vendor of the tenant, or NotFoundError. */
export async function getVendor(db: CommonQueryMethods, tenantId: string, vendorId: string): Promise<VendorView> {
  const row = await db.maybeOne(sql.type(vendorView)`SELECT ${columns} FROM vendors WHERE tenant_id = ${tenantId} AND id = ${vendorId}`);
  if (!row) throw new NotFoundError('vendor', vendorId);
  return row;
}

/**
 * Changes a vendor's commission or status, audited. A status change appends `product.vendor_status_changed` for each of its products,
 * so the search index drops a suspended vendor's products (and takes them back on reactivation).
 */
export async function updateVendor(db: CommonQueryMethods, tenantId: string, vendorId: string, patch: VendorPatch, actor: Actor | null): Promise<VendorView> {
  return db.transaction(async (tx) => {
    const before = await tx.maybeOne(sql.type(vendorView)`SELECT ${columns} FROM vendors WHERE tenant_id = ${tenantId} AND id = ${vendorId} FOR UPDATE`);
    if (!before) throw new NotFoundError('vendor', vendorId);
    const after = await tx.one(sql.type(vendorView)`
      UPDATE vendors SET commission_rate_bps = COALESCE(${patch.commission_rate_bps ?? null}::int, commission_rate_bps),
        status = COALESCE(${patch.status ?? null}, status)
      WHERE id = ${vendorId} RETURNING ${columns}`);
    if (before.status !== after.status) {
      const productIds = await tx.anyFirst(
        sql.type(idRow)`SELECT id FROM products WHERE tenant_id = ${tenantId} AND vendor_id = ${vendorId} AND deleted_at IS NULL ORDER BY id`,
      );
      const payload = (productId: string) => ({ product_id: productId, vendor_id: vendorId, vendor_status: after.status });
      await appendOutboxMany(
        tx,
        productIds.map((productId) => ({ tenantId, type: 'product.vendor_status_changed', aggregateId: productId, payload: payload(productId) })),
      );
    }
    const fields = (v: VendorView) => ({ commission_rate_bps: v.commission_rate_bps, status: v.status });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: 'vendor.update',
      resourceType: 'vendor',
      resourceId: vendorId,
      changes: changedFields(fields(before), fields(after)),
    });
    return after;
  });
}
