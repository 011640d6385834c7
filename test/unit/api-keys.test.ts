// The key services of an API process: the lookup cache (forgetting changed keys) and the last_used_at batcher.
import { ApiKeyCache } from '../../api/key-cache.ts';
import { KeyUsage } from '../../api/key-usage.ts';
import { mayCreateKey, mayRevokeKey } from '../../domain/api-keys.ts';

type Value = { principal: { keyId: string } };

function countingCache(resolve: (hash: string) => Value | null = (hash) => ({ principal: { keyId: `id-${hash}` } })) {
  const loads: string[] = [];
  const cache = new ApiKeyCache<Value>(
    async (hash) => {
      loads.push(hash);
      return resolve(hash);
    },
    { ttlMs: 60_000, downTtlMs: 60_000, negativeTtlMs: 60_000 },
  );
  return { cache, loads };
}

describe('ApiKeyCache', () => {
  test('when a key is looked up twice, then the database is asked once; after changed(its id) it is asked again', async () => {
    const { cache, loads } = countingCache();
    await cache.lookup('h1');
    await cache.lookup('h1');
    await cache.lookup('h2');
    expect(loads).toEqual(['h1', 'h2']);
    cache.changed('id-h1');
    await cache.lookup('h1');
    await cache.lookup('h2');
    expect(loads).toEqual(['h1', 'h2', 'h1']);
  });

  test('when any key changes, then cached unknown hashes are forgotten (a key just created is never refused from the cache)', async () => {
    let known = false;
    const { cache } = countingCache((hash) => (known ? { principal: { keyId: `id-${hash}` } } : null));
    expect(await cache.lookup('new')).toBeNull();
    known = true;
    expect(await cache.lookup('new')).toBeNull();
    cache.changed('id-new');
    expect(await cache.lookup('new')).toEqual({ principal: { keyId: 'id-new' } });
  });

  test('when a change is heard while a lookup is loading, then that answer is not kept', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let loads = 0;
    const cache = new ApiKeyCache<Value>(
      async () => {
        loads++;
        if (loads === 1) await gate;
        return { principal: { keyId: 'k' } };
      },
      { ttlMs: 60_000, downTtlMs: 60_000 },
    );
    const pending = cache.lookup('h');
    cache.changed('k');
    release();
    await pending;
    await cache.lookup('h');
    expect(loads).toBe(2);
  });

  test('when the cache does not listen, then known keys live at most the down TTL', async () => {
    const loads: number[] = [];
    const cache = new ApiKeyCache<Value>(async () => (loads.push(1), { principal: { keyId: 'k' } }), { ttlMs: 60_000, downTtlMs: 1 });
    await cache.lookup('h');
    await new Promise((r) => setTimeout(r, 5));
    await cache.lookup('h');
    expect(loads).toHaveLength(2);
  });
});

describe('KeyUsage', () => {
  test('when keys are used many times, then one flush writes each id once in one call, and an empty flush writes nothing', async () => {
    const calls: string[][] = [];
    const usage = new KeyUsage(async (ids) => void calls.push(ids), { intervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) usage.record(`k${i % 3}`);
    await Promise.all([usage.flush(), usage.flush()]);
    await usage.flush();
    expect(calls).toEqual([['k0', 'k1', 'k2']]);
  });

  test('when a write fails, then its ids are written with the next batch', async () => {
    const calls: string[][] = [];
    let fail = true;
    const errors: unknown[] = [];
    const usage = new KeyUsage(
      async (ids) => {
        calls.push(ids);
        if (fail) throw new Error('database down');
      },
      { intervalMs: 60_000, onError: (err) => errors.push(err) },
    );
    usage.record('a');
    await usage.flush();
    fail = false;
    usage.record('b');
    await usage.close();
    expect(errors).toHaveLength(1);
    expect(calls).toEqual([['a'], ['a', 'b']]);
  });
});

describe('who may manage keys', () => {
  test('when owners, admins and others create or revoke keys, then only owners reach admin keys and everyone reaches their own', () => {
    const admin = { keyId: 'k_admin', role: 'admin' as const };
    expect(mayCreateKey({ keyId: 'o', role: 'owner' }, 'admin')).toBe(true);
    expect(mayCreateKey(admin, 'admin')).toBe(false);
    expect(mayCreateKey(admin, 'viewer')).toBe(true);
    expect(mayCreateKey({ keyId: 's', role: 'staff' }, 'viewer')).toBe(false);
    expect(mayCreateKey(null, 'owner')).toBe(true);
    expect(mayRevokeKey(admin, { id: 'k_other', role: 'admin' })).toBe(false);
    expect(mayRevokeKey(admin, { id: 'k_admin', role: 'admin' })).toBe(true);
    expect(mayRevokeKey(admin, { id: 'k_owner', role: 'owner' })).toBe(false);
    expect(mayRevokeKey({ keyId: 's', role: 'staff' }, { id: 's', role: 'staff' })).toBe(true);
  });
});
