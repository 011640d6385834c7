// Setting a variant's stock from the back office (the levels themselves are written by holds.ts).
import type { DatabasePool } from 'slonik';
import { idRow, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { onHandForUpdate, setOnHand, type InventoryView } from './holds.ts';
import { assertTenantOwns, defaultLocationId } from './catalog.ts';
import { recordAudit } from './audit-log.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Actor } from '../../contracts/audit.ts';

/** Sets on_hand (409 below reserved, by the CHECK constraint) and appends `inventory.updated`. */
export async function setInventory(
  pool: DatabasePool,
  tenantId: string,
  variantId: string,
  locationId: string | undefined,
  onHand: number,
  actor: Actor | null,
  onlyVendorId?: string,
): Promise<InventoryView> {
  return pool.transaction(async (tx) => {
    // A vendor's key sets only its own variants' stock: another vendor's variant is "not found".
    const variant = await tx.maybeOne(sql.type(idRow)`
      SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE v.tenant_id = ${tenantId} AND v.id = ${variantId}
        ${onlyVendorId === undefined ? sql.fragment`` : sql.fragment`AND p.vendor_id = ${onlyVendorId}`}`);
    if (!variant) throw new NotFoundError('variant', variantId);
    const location = locationId ?? (await defaultLocationId(tx, tenantId));
    await assertTenantOwns(tx, tenantId, 'locations', [location]);
    const was = await onHandForUpdate(tx, tenantId, variantId, location);
    const level = await setOnHand(tx, tenantId, variantId, location, onHand);
    await appendOutbox(tx, { tenantId, type: 'inventory.updated', aggregateId: variantId, payload: { ...level } });
    // One variant's stock per location: the field names the location, so the variant's entries read as one history.
    const changes = { [`on_hand@${location}`]: { before: was, after: level.on_hand } };
    await recordAudit(tx, { tenantId, actor, action: 'inventory.set', resourceType: 'variant', resourceId: variantId, changes });
    return level;
  });
}
