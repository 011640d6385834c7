// Per-person API keys: create (secret once), list, revoke with the last-owner rule, who may manage which role,
// audit entries without secrets, last_used_at in batches, and revocation seen by another API process within 1 s.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { createTestStaffKey, createTestTenant } from '../helpers/factories.ts';
import { startApiProcess, type ApiProcess } from '../helpers/api-process.ts';
import { createLogger } from '../../config/logger.ts';
import { sql } from '../../db/sql.ts';
import { createApiKey, createVendorKey, revokeApiKey, touchApiKeys } from '../../db/queries/api-keys.ts';
import { seedVendor } from '../helpers/mall.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { hashSecret } from '../../domain/secrets.ts';
import { ConflictError } from '../../domain/errors.ts';

const apiLog: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    apiLog.push(String(chunk));
    done();
  },
});

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => {
  stack = await startTestStack({ worker: false, config: { API_KEY_TOUCH_INTERVAL: '1s' }, logger: createLogger('debug', 'api', sink) });
  tenant = await createTestTenant(stack.pool);
}, 60_000);
afterAll(async () => stack?.stop());

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const createKey = (key: string, body: unknown) =>
  stack.http
    .post('/admin/api-keys')
    .set(bearer(key))
    .send(body as object);
const listKeys = (key: string, query = '') => stack.http.get(`/admin/api-keys${query}`).set(bearer(key));
const revoke = (key: string, id: string) => stack.http.delete(`/admin/api-keys/${id}`).set(bearer(key));
const idOf = async (secret: string) =>
  stack.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM api_keys WHERE key_hash = ${hashSecret(secret)}`);
const auditOf = (keyId: string) =>
  stack.pool.any(sql.type(z.object({ action: z.string(), actor_key_id: z.string().nullable(), changes: z.unknown() }))`
    SELECT action, actor_key_id, changes FROM audit_log WHERE resource_type = 'api_key' AND resource_id = ${keyId} ORDER BY at`);
const keyCount = (tenantId: string) =>
  stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM api_keys WHERE tenant_id = ${tenantId}`);
const liveOwners = (tenantId: string) =>
  stack.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM api_keys WHERE tenant_id = ${tenantId} AND role = 'owner' AND revoked_at IS NULL`,
  );

describe('creating and listing keys', () => {
  test('when an owner creates a staff key, then the secret is in the 201 answer only (not in the list, the audit entry or the logs) and the key works at once', async () => {
    const created = await createKey(tenant.admin_api_key, { name: '  Hanako  ', role: 'staff' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^key_/), name: 'Hanako', role: 'staff', api_key: expect.stringMatching(/^sk_/) });
    const { id, api_key: secret } = created.body as { id: string; api_key: string };
    const list = await listKeys(tenant.admin_api_key);
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual({
      id,
      name: 'Hanako',
      role: 'staff',
      vendor_id: null,
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    const audit = await auditOf(id);
    expect(audit).toEqual([
      {
        action: 'api_key.create',
        actor_key_id: await idOf(tenant.admin_api_key),
        changes: { name: { before: null, after: 'Hanako' }, role: { before: null, after: 'staff' } },
      },
    ]);
    expect((await stack.http.get('/admin/products').set(bearer(secret))).status).toBe(200);
    for (const text of [JSON.stringify(list.body), JSON.stringify(audit), apiLog.join('')]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashSecret(secret));
    }
  });

  test('when an admin creates keys, then staff and viewer keys are created but an admin key is 403 forbidden and nothing is written', async () => {
    const admin = await createTestStaffKey(stack.pool, tenant.tenant_id, 'admin');
    expect((await createKey(admin, { name: 'Viewer', role: 'viewer' })).status).toBe(201);
    expect((await createKey(admin, { name: 'Staff', role: 'staff' })).status).toBe(201);
    const refused = await createKey(admin, { name: 'Another admin', role: 'admin' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    const names = ((await listKeys(admin, '?limit=100')).body.items as { name: string }[]).map((k) => k.name);
    expect(names).not.toContain('Another admin');
    expect((await createKey(tenant.admin_api_key, { name: 'Admin by owner', role: 'admin' })).status).toBe(201);
  });

  test('when a staff or viewer key manages keys, then every call is 403 forbidden', async () => {
    for (const role of ['staff', 'viewer'] as const) {
      const key = await createTestStaffKey(stack.pool, tenant.tenant_id, role);
      for (const res of [await createKey(key, { name: 'x', role: 'viewer' }), await listKeys(key), await revoke(key, await idOf(key))]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    }
  });

  test('when the body is wrong, then it is 400 validation_failed and no key is created', async () => {
    const keysBefore = await keyCount(tenant.tenant_id);
    for (const body of [
      {},
      { name: '   ', role: 'staff' },
      { name: 'x'.repeat(101), role: 'staff' },
      { name: 'Owner', role: 'owner' },
      { name: 'Vendor', role: 'vendor' },
      { name: 'Extra', role: 'staff', vendor_id: 'ven_1' },
    ]) {
      const res = await createKey(tenant.admin_api_key, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect(await keyCount(tenant.tenant_id)).toBe(keysBefore);
  });

  test('when a mall has a vendor key, then GET lists it with its vendor_id, and an admin may revoke it', async () => {
    const mall = await createTestTenant(stack.pool, { mode: 'mall' });
    const vendorId = await seedVendor(stack.http, mall.admin_api_key);
    const vendorKey = (await createVendorKey(stack.pool, mall.tenant_id, vendorId)).api_key;
    const id = await idOf(vendorKey);
    const listed = (await listKeys(mall.admin_api_key)).body.items as { id: string; role: string; vendor_id: string | null }[];
    expect(listed.find((k) => k.id === id)).toMatchObject({ role: 'vendor', vendor_id: vendorId });
    expect((await auditOf(id))[0].changes).toMatchObject({ vendor_id: { before: null, after: vendorId } });
    const admin = await createTestStaffKey(stack.pool, mall.tenant_id, 'admin');
    expect((await revoke(admin, id)).status).toBe(204);
    expect((await stack.http.get('/vendor/shipments').set(bearer(vendorKey))).status).toBe(401);
  });

  test('when a tenant has 500 keys, then GET pages through all of them newest first without repeats', async () => {
    const big = await createTestTenant(stack.pool);
    for (let i = 0; i < 500; i++) await createApiKey(stack.pool, { tenantId: big.tenant_id, role: 'staff', name: `Staff ${i}`, actor: null });
    const seen: { id: string; created_at: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await listKeys(big.admin_api_key, `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...(res.body.items as { id: string; created_at: string }[]));
      cursor = res.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(501);
    expect(new Set(seen.map((k) => k.id)).size).toBe(501);
    expect(seen.map((k) => k.created_at)).toEqual([...seen.map((k) => k.created_at)].sort().reverse());
  }, 60_000);
});

describe('revoking keys', () => {
  test('when the last owner key is revoked, then it is 409 conflict; with a second owner it is 204, the key answers 401, and revoking again is 204 without a second audit entry', async () => {
    const shop = await createTestTenant(stack.pool);
    const ownerId = await idOf(shop.admin_api_key);
    const last = await revoke(shop.admin_api_key, ownerId);
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('conflict');

    const second = await createTestStaffKey(stack.pool, shop.tenant_id, 'owner');
    expect((await revoke(second, ownerId)).status).toBe(204);
    expect((await stack.http.get('/admin/products').set(bearer(shop.admin_api_key))).status).toBe(401);
    expect((await revoke(second, ownerId)).status).toBe(204);
    const audit = await auditOf(ownerId);
    expect(audit.map((a) => a.action)).toEqual(['api_key.create', 'api_key.revoke']);
    expect(audit[1].changes).toEqual({ revoked_at: { before: null, after: expect.any(String) } });
    const listed = (await listKeys(second)).body.items as { id: string; revoked_at: string | null }[];
    expect(listed.find((k) => k.id === ownerId)?.revoked_at).toEqual(expect.any(String));
    expect((await revoke(second, await idOf(second))).status).toBe(409);
  });

  test('when an admin revokes keys, then owner and other admin keys are 403, staff keys and its own key are 204', async () => {
    const shop = await createTestTenant(stack.pool);
    const [admin, otherAdmin, staff] = [
      await createTestStaffKey(stack.pool, shop.tenant_id, 'admin'),
      await createTestStaffKey(stack.pool, shop.tenant_id, 'admin'),
      await createTestStaffKey(stack.pool, shop.tenant_id, 'staff'),
    ];
    expect((await revoke(admin, await idOf(shop.admin_api_key))).status).toBe(403);
    expect((await revoke(admin, await idOf(otherAdmin))).status).toBe(403);
    expect((await revoke(admin, await idOf(staff))).status).toBe(204);
    expect((await stack.http.get('/admin/products').set(bearer(staff))).status).toBe(401);
    expect((await revoke(admin, await idOf(admin))).status).toBe(204);
    expect((await listKeys(admin)).status).toBe(401);
  });

  test("when a key id is unknown or another tenant's, then it is 404 and the other tenant's key still works", async () => {
    const other = await createTestTenant(stack.pool);
    const otherStaff = await createTestStaffKey(stack.pool, other.tenant_id, 'staff');
    expect((await revoke(tenant.admin_api_key, 'key_unknown')).status).toBe(404);
    expect((await revoke(tenant.admin_api_key, await idOf(otherStaff))).status).toBe(404);
    expect((await stack.http.get('/admin/products').set(bearer(otherStaff))).status).toBe(200);
  });

  test('when the last two owner keys are revoked at the same moment, then exactly one revoke succeeds and one owner is left', async () => {
    for (let round = 0; round < 5; round++) {
      const shop = await createTestTenant(stack.pool);
      const second = await createTestStaffKey(stack.pool, shop.tenant_id, 'owner');
      const ids = [await idOf(shop.admin_api_key), await idOf(second)];
      const outcomes = await Promise.allSettled(ids.map((keyId) => revokeApiKey(stack.pool, { tenantId: shop.tenant_id, keyId, actor: null })));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(ConflictError);
      expect(await liveOwners(shop.tenant_id)).toBe(1);
    }
  });
});

describe('last_used_at', () => {
  test('when a key is used, then GET shows its last_used_at after the touch interval', async () => {
    const admin = await createTestStaffKey(stack.pool, tenant.tenant_id, 'admin');
    const id = await idOf(admin);
    for (let i = 0; i < 20; i++) expect((await stack.http.get('/admin/products').set(bearer(admin))).status).toBe(200);
    const used = await waitFor(
      async () => ((await listKeys(admin, '?limit=100')).body.items as { id: string; last_used_at: string | null }[]).find((k) => k.id === id)?.last_used_at,
      { timeoutMs: 10_000, what: 'last_used_at of the admin key' },
    );
    expect(Date.parse(used)).toBeGreaterThan(Date.now() - 60_000);
  });

  test('when a key was touched within the interval, then another touch leaves last_used_at unchanged', async () => {
    const id = await idOf(await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff'));
    const lastUsed = () => stack.pool.oneFirst(sql.type(z.object({ at: z.string().nullable() }))`SELECT last_used_at AS at FROM api_keys WHERE id = ${id}`);
    await touchApiKeys(stack.pool, [id], 60_000);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await touchApiKeys(stack.pool, [id], 60_000);
    expect(await lastUsed()).toBe(first);
    await touchApiKeys(stack.pool, [id], 1);
    expect(await lastUsed()).not.toBe(first);
  });
});

describe('the CLI', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/cli.ts', 'api-key', 'create', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL! },
      encoding: 'utf8',
      timeout: 60_000,
    });

  test('when the CLI creates a staff key with --json, then it prints {id, api_key}, the key works at once and the audit entry has no actor', async () => {
    const result = cli(['--tenant', tenant.tenant_id, '--role', 'staff', '--name', 'Hanako', '--json']);
    expect(result.status).toBe(0);
    const created = JSON.parse(result.stdout) as { id: string; api_key: string };
    expect(Object.keys(created).sort()).toEqual(['api_key', 'id']);
    expect(created.api_key).toMatch(/^sk_/);
    expect((await stack.http.get('/admin/products').set(bearer(created.api_key))).status).toBe(200);
    expect(await auditOf(created.id)).toEqual([
      { action: 'api_key.create', actor_key_id: null, changes: { name: { before: null, after: 'Hanako' }, role: { before: null, after: 'staff' } } },
    ]);
  });

  test('when the CLI gets an unknown tenant or role, or no name, then it exits 2 with a message and creates nothing', async () => {
    const keysBefore = await keyCount(tenant.tenant_id);
    const cases: [string[], string][] = [
      [['--tenant', 'ten_unknown', '--role', 'staff', '--name', 'x'], 'tenant ten_unknown does not exist'],
      [['--tenant', tenant.tenant_id, '--role', 'boss', '--name', 'x'], '--role must be one of viewer, staff, admin, owner'],
      [['--tenant', tenant.tenant_id, '--role', 'staff'], '--name is required'],
    ];
    for (const [args, message] of cases) {
      const result = cli(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect(await keyCount(tenant.tenant_id)).toBe(keysBefore);
  });
});

describe('two API processes', () => {
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    // A minute of cache TTL: only the NOTIFY can make process B refuse a revoked key within a second.
    [a, b] = await Promise.all([startApiProcess({ API_KEY_CACHE_TTL: '60s' }), startApiProcess({ API_KEY_CACHE_TTL: '60s' })]);
    await waitFor(
      async () =>
        (await stack.pool.oneFirst(
          sql.type(z.object({ n: z.number() }))`
            SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE application_name = 'api_keys_changed-listener' AND datname = current_database()`,
        )) >= 2,
      { timeoutMs: 10_000, intervalMs: 50, what: 'both API processes listening for key changes' },
    );
  }, 90_000);
  afterAll(async () => Promise.all([a?.stop(), b?.stop()]));

  const get = (api: ApiProcess, key: string) => fetch(`${api.url}/admin/products`, { headers: bearer(key) });

  test('when a key cached by process B is revoked through process A, then B answers 401 within 1 s', async () => {
    const created = await fetch(`${a.url}/admin/api-keys`, {
      method: 'POST',
      headers: { ...bearer(tenant.admin_api_key), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Temp staff', role: 'staff' }),
    });
    expect(created.status).toBe(201);
    const { id, api_key: secret } = (await created.json()) as { id: string; api_key: string };
    // Created on A, known at once on B (never cached there as unknown).
    expect((await get(b, secret)).status).toBe(200);
    expect((await get(b, secret)).status).toBe(200);

    const revoked = await fetch(`${a.url}/admin/api-keys/${id}`, { method: 'DELETE', headers: bearer(tenant.admin_api_key) });
    expect(revoked.status).toBe(204);
    const since = Date.now();
    await waitFor(async () => (await get(b, secret)).status === 401, { timeoutMs: 1_000, intervalMs: 50, what: 'process B refusing the revoked key' });
    expect(Date.now() - since).toBeLessThanOrEqual(1_000);
    expect((await get(a, secret)).status).toBe(401);
  });

  test('when an API process stops, then it writes the last_used_at it had not written yet', async () => {
    const secret = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    const id = await idOf(secret);
    const c = await startApiProcess({ API_KEY_TOUCH_INTERVAL: '1h' });
    try {
      for (let i = 0; i < 3; i++) expect((await get(c, secret)).status).toBe(200);
    } finally {
      await c.stop();
    }
    const lastUsed = await stack.pool.oneFirst(sql.type(z.object({ at: z.string().nullable() }))`SELECT last_used_at AS at FROM api_keys WHERE id = ${id}`);
    expect(lastUsed).not.toBeNull();
  }, 60_000);
});
