// SQL owned by vendors (mall mode).
import { randomUUID } from 'node:crypto';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { VendorStatus } from '../../domain/payouts.ts';
import { vendorView, type VendorView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

/** Input of a new vendor. */
export type NewVendor = { name: string; commission_rate_bps: number; status?: VendorStatus };

const columns = sql.fragment`id, name, commission_rate_bps, status, created_at`;

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
