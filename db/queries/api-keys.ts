// SQL owned by api_keys: the only writer. Each create and revoke writes its audit entry in the same transaction;
// the secret is returned once by create and stored only as its SHA-256 hash.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import type { DatabasePool } from '../pool.ts';
import { idRow, noRows, sql } from '../sql.ts';
import { recordAudit } from './audit-log.ts';
import { makeId } from '../../domain/ids.ts';
import { hashSecret, newSecret } from '../../domain/secrets.ts';
import type { KeyRole } from '../../domain/roles.ts';
import { mayCreateKey, mayRevokeKey } from '../../domain/api-keys.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import { apiKeyView, keyRoleSchema, type ApiKeyView } from '../../contracts/api-keys.ts';
import type { Actor } from '../../contracts/audit.ts';

/** A key just created: the only moment its secret exists in clear. */
export type CreatedApiKey = { id: string; name: string; role: KeyRole; api_key: string };

const listRow = apiKeyView.extend({ cursor_at: z.string() });
const keyRow = z.object({ id: z.string(), name: z.string(), role: keyRoleSchema, revoked_at: z.string().nullable() });
const revokedRow = z.object({ revoked_at: z.string() });

/**
 * Creates a key of `role` (vendor keys name their vendor) and its audit entry; `actor` null is the system (CLI, tenant
 * creation). Pass a transaction to join it (createTenant does). ForbiddenError when the actor may not create that role.
 */
export async function createApiKey(
  db: CommonQueryMethods,
  input: { tenantId: string; role: KeyRole; name: string; vendorId?: string; actor: Actor | null },
): Promise<CreatedApiKey> {
  if (!mayCreateKey(input.actor, input.role)) throw new ForbiddenError(`${input.actor?.role} keys may not create ${input.role} keys`);
  const id = makeId('key', randomUUID());
  const apiKey = newSecret(input.role === 'vendor' ? 'vk' : 'sk');
  await db.transaction(async (tx) => {
    await tx.query(sql.type(noRows)`
      INSERT INTO api_keys (id, tenant_id, key_hash, role, vendor_id, name)
      VALUES (${id}, ${input.tenantId}, ${hashSecret(apiKey)}, ${input.role}, ${input.vendorId ?? null}, ${input.name})`);
    const changes: Record<string, { before: unknown; after: unknown }> = {
      name: { before: null, after: input.name },
      role: { before: null, after: input.role },
    };
    if (input.vendorId) changes.vendor_id = { before: null, after: input.vendorId };
    await recordAudit(tx, { tenantId: input.tenantId, actor: input.actor, action: 'api_key.create', resourceType: 'api_key', resourceId: id, changes });
  });
  return { id, name: input.name, role: input.role, api_key: apiKey };
}

/** Creates an API key bound to one vendor of the tenant (reaches only /vendor/*); returned in clear once. */
export async function createVendorKey(db: CommonQueryMethods, tenantId: string, vendorId: string, actor: Actor | null = null): Promise<{ api_key: string }> {
  const vendor = await db.maybeOne(sql.type(idRow)`SELECT id FROM vendors WHERE tenant_id = ${tenantId} AND id = ${vendorId}`);
  if (!vendor) throw new Error(`vendor ${vendorId} does not exist in tenant ${tenantId}`);
  const created = await createApiKey(db, { tenantId, role: 'vendor', name: 'vendor key', vendorId, actor });
  return { api_key: created.api_key };
}

const columns = sql.fragment`id, name, role, vendor_id, created_at, last_used_at, revoked_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** A tenant's keys (revoked ones too), newest first, `limit + 1` rows (index api_keys_tenant). */
export async function listApiKeys(
  db: CommonQueryMethods,
  tenantId: string,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<z.infer<typeof listRow>[]> {
  return [
    ...(await db.any(sql.type(listRow)`
    SELECT ${columns} FROM api_keys WHERE tenant_id = ${tenantId}
      ${after ? sql.fragment`AND (created_at, id) < (${after.createdAt}::timestamptz, ${after.id})` : sql.fragment``}
    ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`)),
  ];
}

/** One key of the tenant as the back office sees it, or NotFoundError. */
export async function getApiKey(db: CommonQueryMethods, tenantId: string, keyId: string): Promise<ApiKeyView> {
  const row = await db.maybeOne(sql.type(listRow)`SELECT ${columns} FROM api_keys WHERE tenant_id = ${tenantId} AND id = ${keyId}`);
  if (!row) throw new NotFoundError('API key', keyId);
  const { cursor_at: _c, ...key } = row;
  return key;
}

/**
 * Revokes a key of the tenant; returns false when it was already revoked (nothing written, no second audit entry).
 * NotFoundError for unknown keys (also another tenant's), ForbiddenError per mayRevokeKey, ConflictError for the
 * tenant's last live owner key. Race-safe: revoking an owner first locks every live owner row of the tenant in id
 * order, so of two concurrent revokes of the last two owners the second sees the first's commit and is refused.
 */
export async function revokeApiKey(db: CommonQueryMethods, input: { tenantId: string; keyId: string; actor: Actor | null }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const seen = await tx.maybeOne(sql.type(keyRow)`
      SELECT id, name, role, revoked_at FROM api_keys WHERE tenant_id = ${input.tenantId} AND id = ${input.keyId}`);
    if (!seen) throw new NotFoundError('API key', input.keyId);
    if (!mayRevokeKey(input.actor, seen)) throw new ForbiddenError(`${input.actor?.role} keys may not revoke ${seen.role} keys other than their own`);
    // Owners first (always in the same order), then the key: two revokes never wait on each other in a cycle.
    const liveOwners =
      seen.role === 'owner'
        ? await tx.anyFirst(sql.type(idRow)`
            SELECT id FROM api_keys WHERE tenant_id = ${input.tenantId} AND role = 'owner' AND revoked_at IS NULL ORDER BY id FOR UPDATE`)
        : [];
    const key = await tx.one(
      sql.type(keyRow)`SELECT id, name, role, revoked_at FROM api_keys WHERE tenant_id = ${input.tenantId} AND id = ${input.keyId} FOR UPDATE`,
    );
    if (key.revoked_at !== null) return false;
    if (key.role === 'owner' && liveOwners.length <= 1)
      throw new ConflictError('this is the last owner key of the tenant: create another owner key (CLI) before revoking it');
    const { revoked_at } = await tx.one(sql.type(revokedRow)`UPDATE api_keys SET revoked_at = now() WHERE id = ${input.keyId} RETURNING revoked_at`);
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'api_key.revoke',
      resourceType: 'api_key',
      resourceId: input.keyId,
      changes: { revoked_at: { before: null, after: revoked_at } },
    });
    return true;
  });
}

/**
 * Sets last_used_at = now() on these keys, skipping those touched less than `minAgeMs` ago: one statement for a
 * whole batch of requests (api/key-usage.ts), and no write at all for keys already fresh.
 */
export async function touchApiKeys(db: CommonQueryMethods, keyIds: string[], minAgeMs: number): Promise<void> {
  if (keyIds.length === 0) return;
  await db.query(sql.type(noRows)`
    UPDATE api_keys SET last_used_at = now()
    WHERE id = ANY(${sql.array(keyIds, 'text')}) AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ${minAgeMs / 1000}::float8))`);
}

const principalRow = z.object({
  key_id: z.string(),
  role: keyRoleSchema,
  vendor_id: z.string().nullable(),
  tenant_id: z.string(),
  mode: z.enum(['single_brand', 'mall']),
  currency: z.string(),
});

/** The live API key with this hash, with its tenant. */
export async function principalByKeyHash(pool: DatabasePool, keyHash: string) {
  return pool.maybeOne(sql.type(principalRow)`
    SELECT k.id AS key_id, k.role, k.vendor_id, t.id AS tenant_id, t.mode, t.default_currency AS currency
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = ${keyHash} AND k.revoked_at IS NULL`);
}

/** The live API key with this id (a staff session re-checks its key on every use, so revoking the key ends the session). */
export async function principalByKeyId(pool: DatabasePool, keyId: string) {
  return pool.maybeOne(sql.type(principalRow)`
    SELECT k.id AS key_id, k.role, k.vendor_id, t.id AS tenant_id, t.mode, t.default_currency AS currency
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = ${keyId} AND k.revoked_at IS NULL`);
}
