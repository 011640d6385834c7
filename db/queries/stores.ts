// SQL owned by stores: the store created with its tenant and its settings (allowed browser origins, whether prices include tax). Resolving
// publishable keys stays in tenants.ts.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { makeId } from '../../domain/ids.ts';
import { storeSettingsView, type StoreSettingsView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

/** Creates the tenant's store, inside the transaction that creates the tenant. */
export async function createStore(tx: CommonQueryMethods, tenantId: string, name: string, publishableKey: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    INSERT INTO stores (id, tenant_id, name, publishable_key) VALUES (${makeId('str', randomUUID())}, ${tenantId}, ${name}, ${publishableKey})`);
}

/** The tenant's store (each tenant has one; the oldest wins should there ever be more). */
export async function getStoreSettings(db: CommonQueryMethods, tenantId: string): Promise<StoreSettingsView> {
  const row = await db.maybeOne(sql.type(storeSettingsView)`
    SELECT id, name, publishable_key, allowed_origins, prices_include_tax, created_at FROM stores WHERE tenant_id = ${tenantId} ORDER BY created_at, id LIMIT 1`);
  if (!row) throw new NotFoundError('store');
  return row;
}

/** The store settings a PATCH may change; fields left out keep their value. */
export type StoreSettingsPatch = { allowed_origins?: string[]; prices_include_tax?: boolean };

const editableRow = z.object({ allowed_origins: z.array(z.string()), prices_include_tax: z.boolean() });

/** Updates the tenant's store settings (origins already normalised) with one audit entry; the table's trigger notifies every API process. */
export async function updateStoreSettings(
  db: CommonQueryMethods,
  tenantId: string,
  patch: StoreSettingsPatch,
  actor: Actor | null,
): Promise<StoreSettingsView> {
  return db.transaction(async (tx) => {
    const before = await tx.maybeOne(sql.type(editableRow)`
      SELECT allowed_origins, prices_include_tax FROM stores WHERE tenant_id = ${tenantId} ORDER BY created_at, id LIMIT 1 FOR UPDATE`);
    if (!before) throw new NotFoundError('store');
    await tx.query(sql.type(noRows)`
      UPDATE stores SET allowed_origins = ${sql.array(patch.allowed_origins ?? before.allowed_origins, 'text')},
        prices_include_tax = ${patch.prices_include_tax ?? before.prices_include_tax}
      WHERE tenant_id = ${tenantId}`);
    const store = await getStoreSettings(tx, tenantId);
    const changes = changedFields(before, { allowed_origins: store.allowed_origins, prices_include_tax: store.prices_include_tax });
    await recordAudit(tx, { tenantId, actor, action: 'store.update', resourceType: 'store', resourceId: store.id, changes });
    return store;
  });
}

const originsRow = z.object({ publishable_key: z.string(), allowed_origins: z.array(z.string()) });

/** Every store's publishable key with its origins: the CORS registry's snapshot (thousands of short rows). */
export async function allStoreOrigins(db: CommonQueryMethods): Promise<readonly z.infer<typeof originsRow>[]> {
  return db.any(sql.type(originsRow)`SELECT publishable_key, allowed_origins FROM stores`);
}
