import { CatalogCache, type CatalogCacheOptions } from '../../api/catalog-cache.ts';

function buildCache(overrides: Partial<CatalogCacheOptions> = {}) {
  let now = 0;
  const cache = new CatalogCache({ ttlMs: 1_000, now: () => now, ...overrides });
  return { cache, advance: (ms: number) => (now += ms) };
}

/** A render that counts its calls and answers `value`. */
function counted(value: unknown) {
  const render = Object.assign(async () => (render.calls++, value), { calls: 0 });
  return render;
}

describe('catalog cache', () => {
  test('when a key is served twice within the ttl, then it renders once and answers the same body and ETag', async () => {
    const { cache, advance } = buildCache();
    const render = counted({ items: [1] });
    const first = await cache.serve('ten_a', 'k', render);
    advance(999);
    expect(await cache.serve('ten_a', 'k', render)).toEqual(first);
    expect(render.calls).toBe(1);
    expect(first.body.toString()).toBe('{"items":[1]}');
    expect(first.etag).toMatch(/^W\/"/);
  });

  test('when the ttl has passed, then it renders again', async () => {
    const { cache, advance } = buildCache();
    const render = counted({});
    await cache.serve('ten_a', 'k', render);
    advance(1_000);
    await cache.serve('ten_a', 'k', render);
    expect(render.calls).toBe(2);
  });

  test('when many callers miss the same key at once, then one render answers them all', async () => {
    const { cache } = buildCache();
    let release!: () => void;
    let calls = 0;
    const render = () => (calls++, new Promise((resolve) => (release = () => resolve({ n: 1 }))));
    const answers = Promise.all(Array.from({ length: 10 }, () => cache.serve('ten_a', 'k', render)));
    release();
    expect(new Set((await answers).map((a) => a.body.toString()))).toEqual(new Set(['{"n":1}']));
    expect(calls).toBe(1);
  });

  test("when a tenant's catalog changes, then only that tenant's answers are dropped", async () => {
    const { cache } = buildCache();
    const a = counted({ t: 'a' });
    const b = counted({ t: 'b' });
    await cache.serve('ten_a', 'ka', a);
    await cache.serve('ten_b', 'kb', b);
    cache.invalidateTenant('ten_a');
    await cache.serve('ten_a', 'ka', a);
    await cache.serve('ten_b', 'kb', b);
    expect([a.calls, b.calls]).toEqual([2, 1]);
  });

  test('when a change lands while an answer is rendered, then that answer is served but not kept', async () => {
    const { cache } = buildCache();
    let release!: () => void;
    const slow = () => new Promise((resolve) => (release = () => resolve({ stale: true })));
    const serving = cache.serve('ten_a', 'k', slow);
    cache.invalidateTenant('ten_a');
    release();
    expect((await serving).body.toString()).toBe('{"stale":true}');
    const fresh = counted({ stale: false });
    expect((await cache.serve('ten_a', 'k', fresh)).body.toString()).toBe('{"stale":false}');
    expect(fresh.calls).toBe(1);
  });

  test('when everything is cleared (the listener reconnected), then a render in flight is not kept either', async () => {
    const { cache } = buildCache();
    let release!: () => void;
    const slow = () => new Promise((resolve) => (release = () => resolve({})));
    const serving = cache.serve('ten_a', 'k', slow);
    cache.clear();
    release();
    await serving;
    expect(cache.size).toBe(0);
  });

  test('when more answers than maxEntries are kept, then the oldest go first', async () => {
    const { cache } = buildCache({ maxEntries: 2 });
    const first = counted({ n: 1 });
    await cache.serve('ten_a', 'k1', first);
    await cache.serve('ten_a', 'k2', counted({ n: 2 }));
    await cache.serve('ten_a', 'k3', counted({ n: 3 }));
    expect(cache.size).toBe(2);
    await cache.serve('ten_a', 'k1', first);
    expect(first.calls).toBe(2);
  });

  test('when a render fails, then the caller gets the error and nothing is kept', async () => {
    const { cache } = buildCache();
    await expect(cache.serve('ten_a', 'k', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(cache.size).toBe(0);
  });
});
