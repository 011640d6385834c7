// SQL owned by tenants and locations (the store row is written by stores.ts, API keys by api-keys.ts).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import type { DatabasePool } from '../pool.ts';
import { countRow, noRows, sql } from '../sql.ts';
import { createStore } from './stores.ts';
import { slugify } from '../../domain/catalog.ts';
import { makeId } from '../../domain/ids.ts';
import { newSecret } from '../../domain/secrets.ts';
import { createApiKey } from './api-keys.ts';
import { changedFields } from '../../domain/audit.ts';
import type { Actor } from '../../contracts/audit.ts';
import { recordAudit } from './audit-log.ts';

/** Tenant mode: one brand, or a mall hosting vendors. */
export type TenantMode = 'single_brand' | 'mall';

/** Credentials printed once when a tenant is created. */
export type CreatedTenant = { tenant_id: string; publishable_key: string; admin_api_key: string; default_location_id: string };

/** Creates a tenant with its store, a default location and an owner API key (returned in clear once). */
export async function createTenant(pool: DatabasePool, input: { name: string; mode: TenantMode; currency?: string }): Promise<CreatedTenant> {
  const tenantId = makeId('ten', randomUUID());
  const publishableKey = newSecret('pk');
  let ownerKey = '';
  const locationId = makeId('loc', randomUUID());
  await pool.transaction(async (tx) => {
    await tx.query(sql.type(noRows)`
      INSERT INTO tenants (id, name, mode, default_currency) VALUES (${tenantId}, ${input.name}, ${input.mode}, ${input.currency ?? 'JPY'})`);
    await createStore(tx, tenantId, input.name, publishableKey);
    await tx.query(sql.type(noRows)`
      INSERT INTO locations (id, tenant_id, code, name, is_default) VALUES (${locationId}, ${tenantId}, 'default', 'Default warehouse', true)`);
    ownerKey = (await createApiKey(tx, { tenantId, role: 'owner', name: 'created with the tenant', actor: null })).api_key;
  });
  return { tenant_id: tenantId, publishable_key: publishableKey, admin_api_key: ownerKey, default_location_id: locationId };
}

/** A stock location. */
const locationView = z.object({ id: z.string(), code: z.string(), name: z.string(), is_default: z.boolean() });

/** Creates a stock location. */
export async function createLocation(
  pool: DatabasePool,
  tenantId: string,
  input: { name: string; code?: string },
  actor: Actor | null,
): Promise<z.infer<typeof locationView>> {
  return pool.transaction(async (tx) => {
    const { id, ...location } = await tx.one(sql.type(locationView)`
      INSERT INTO locations (id, tenant_id, code, name) VALUES (${makeId('loc', randomUUID())}, ${tenantId}, ${input.code ?? slugify(input.name)}, ${input.name})
      RETURNING id, code, name, is_default`);
    await recordAudit(tx, { tenantId, actor, action: 'location.create', resourceType: 'location', resourceId: id, changes: changedFields(null, location) });
    return { id, ...location };
  });
}

/** The tenant's stock locations, the default first (a tenant has a handful: no paging). */
export async function listLocations(db: CommonQueryMethods, tenantId: string): Promise<z.infer<typeof locationView>[]> {
  return [
    ...(await db.any(
      sql.type(locationView)`SELECT id, code, name, is_default FROM locations WHERE tenant_id = ${tenantId} ORDER BY is_default DESC, name, id LIMIT 1000`,
    )),
  ];
}

const tenantRow = z.object({ id: z.string(), mode: z.enum(['single_brand', 'mall']), currency: z.string() });

/** The tenant behind a storefront's publishable key. */
export async function tenantByPublishableKey(pool: DatabasePool, key: string) {
  return pool.maybeOne(sql.type(tenantRow)`
    SELECT t.id, t.mode, t.default_currency AS currency FROM stores s JOIN tenants t ON t.id = s.tenant_id WHERE s.publishable_key = ${key}`);
}

/** Number of tenants (an empty database gets the demo catalog). */
export async function countTenants(pool: DatabasePool): Promise<number> {
  return pool.oneFirst(sql.type(countRow)`SELECT count(*)::int8 AS n FROM tenants`);
}

/** The tenant's default currency (prices shown in storefronts and in the search index), or null for an unknown tenant. */
export async function tenantCurrency(db: CommonQueryMethods, tenantId: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ currency: z.string() }))`SELECT default_currency AS currency FROM tenants WHERE id = ${tenantId}`);
}
