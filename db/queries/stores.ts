// SQL owned by stores: the store created with its tenant and its settings (allowed browser origins). Resolving
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
    SELECT id, name, publishable_key, allowed_origins, created_at FROM stores WHERE tenant_id = ${tenantId} ORDER BY created_at, id LIMIT 1`);
  if (!row) throw new NotFoundError('store');
  return row;
}

/** Replaces the tenant's allowed origins (already normalised); the table's trigger notifies every API process. */
export async function setAllowedOrigins(db: CommonQueryMethods, tenantId: string, origins: string[], actor: Actor | null): Promise<StoreSettingsView> {
  return db.transaction(async (tx) => {
    const before = await tx.maybeOne(sql.type(z.object({ allowed_origins: z.array(z.string()) }))`
      SELECT allowed_origins FROM stores WHERE tenant_id = ${tenantId} ORDER BY created_at, id LIMIT 1 FOR UPDATE`);
    await tx.query(sql.type(noRows)`
      UPDATE stores SET allowed_origins = ${sql.array(origins, 'text')} WHERE tenant_id = ${tenantId}`);
    const store = await getStoreSettings(tx, tenantId);
    const changes = changedFields({ allowed_origins: before?.allowed_origins ?? [] }, { allowed_origins: store.allowed_origins });
    await recordAudit(tx, { tenantId, actor, action: 'store.update', resourceType: 'store', resourceId: store.id, changes });
    return store;
  });
}

const originsRow = z.object({ publishable_key: z.string(), allowed_origins: z.array(z.string()) });

/** Every store's publishable key with its origins: the CORS registry's snapshot (thousands of short rows). */
export async function allStoreOrigins(db: CommonQueryMethods): Promise<readonly z.infer<typeof originsRow>[]> {
  return db.any(sql.type(originsRow)`SELECT publishable_key, allowed_origins FROM stores`);
}
