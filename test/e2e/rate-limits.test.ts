// Rate limits held across two real API processes sharing PostgreSQL: /store per publishable key + client address,
// /admin and /vendor per credential (known or not), 429 rate_limited with Retry-After.
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { createDbPool } from '../../db/pool.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { rateLimitKey } from '../../api/rate-limit.ts';
import { startApiProcess, type ApiProcess } from '../helpers/api-process.ts';
import { createTestTenant } from '../helpers/factories.ts';
import { waitFor } from '../helpers/harness.ts';

const STORE_LIMIT = 20;
const ADMIN_LIMIT = 10;
const FAILURE_LIMIT = 30;
let pool: DatabasePool;
let store: pg.Pool;
let a: ApiProcess;
let b: ApiProcess;
let shop: CreatedTenant;
let other: CreatedTenant;

beforeAll(async () => {
  pool = await createDbPool(process.env.DATABASE_URL!, 2);
  store = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  [shop, other] = [await createTestTenant(pool), await createTestTenant(pool)];
  // TRUST_PROXY=loopback: the test plays a load balancer and names the client address in X-Forwarded-For.
  const env = {
    STORE_RATE_LIMIT: `${STORE_LIMIT}/min`,
    ADMIN_RATE_LIMIT: `${ADMIN_LIMIT}/min`,
    RATE_LIMIT_SYNC_INTERVAL: '100ms',
    TRUST_PROXY: 'loopback',
    AUTH_FAILURE_LIMIT: `${FAILURE_LIMIT}/min`,
  };
  [a, b] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await store?.end();
  await pool?.end();
});

const get = (api: ApiProcess, path: string, headers: Record<string, string>, method = 'GET') => fetch(`${api.url}${path}`, { method, headers });
const storefront = (api: ApiProcess, address: string, key = shop.publishable_key) =>
  get(api, '/store/categories', { 'x-publishable-key': key, 'x-forwarded-for': address });
const admin = (api: ApiProcess, bearer: string, path = '/admin/products') =>
  get(api, path, { authorization: `Bearer ${bearer}`, 'x-forwarded-for': '198.51.100.1' });

async function statuses(send: () => Promise<Response>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
}

/** Waits until the shared store holds `points` for a key: both processes have written what they counted. */
async function sharedCount(key: string, points: number): Promise<void> {
  await waitFor(
    async () => {
      const row = await store.query<{ points: number }>('SELECT points FROM rate_limits WHERE key = $1', [key]);
      return row.rows[0]?.points === points;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: `${points} points in rate_limits for ${key}` },
  );
  // The process reads the store's answer a moment after the row is written.
  await new Promise((r) => setTimeout(r, 200));
}

test('when a storefront client goes over the limit through two API processes, then both answer 429 rate_limited with Retry-After, and other keys and addresses are unaffected', async () => {
  const address = '203.0.113.10';
  const key = `store:${rateLimitKey(shop.publishable_key, address)}`;
  // 12 through A, then one batch (2) through B, whose write reads the shared count back.
  expect(await statuses(() => storefront(a, address), 12)).toEqual(Array(12).fill(200));
  await sharedCount(key, 12);
  expect(await statuses(() => storefront(b, address), 2)).toEqual([200, 200]);
  await sharedCount(key, 14);
  // B alone has seen 2 requests, far below 20: it refuses at 20 only because it shares A's count.
  expect(await statuses(() => storefront(b, address), 10)).toEqual([...Array(6).fill(200), 429, 429, 429, 429]);
  // A learns B's requests at its next write: one request of lag (the documented batch lag), then refused.
  expect((await storefront(a, address)).status).toBe(200);
  await sharedCount(key, 21);
  const refused = await storefront(a, address);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(refused.headers.get('ratelimit-limit')).toBe(String(STORE_LIMIT));
  expect(refused.headers.get('ratelimit-remaining')).toBe('0');

  // Another client address of the same store, and the same address on another store, keep their own budgets.
  expect((await storefront(a, '203.0.113.11')).status).toBe(200);
  expect((await storefront(b, address, other.publishable_key)).status).toBe(200);
  // Preflights are never counted nor refused; health is not limited.
  const preflight = await get(
    b,
    '/store/categories',
    { 'x-publishable-key': shop.publishable_key, 'x-forwarded-for': address, origin: 'https://shop.example.jp', 'access-control-request-method': 'GET' },
    'OPTIONS',
  );
  expect(preflight.status).not.toBe(429);
  expect((await get(a, '/health/live', { 'x-forwarded-for': address })).status).toBe(200);
  // The back office has its own budget: the store flood does not touch the tenant's admin key.
  expect((await admin(a, shop.admin_api_key)).status).toBe(200);
});

test('when an unknown admin credential floods /admin and /vendor through two API processes, then it is refused with 429 before authentication, and a real key is unaffected', async () => {
  const bogus = `sk_${'x'.repeat(40)}`;
  const key = `admin:${rateLimitKey(rateLimitKey('bearer', bogus))}`;
  expect(await statuses(() => admin(a, bogus), 6)).toEqual(Array(6).fill(401));
  await sharedCount(key, 6);
  expect((await admin(b, bogus, '/vendor/shipments')).status).toBe(401);
  await sharedCount(key, 7);
  expect(await statuses(() => admin(b, bogus), 5)).toEqual([401, 401, 401, 429, 429]);
  const refused = await admin(b, bogus, '/vendor/shipments');
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect((await admin(b, shop.admin_api_key)).status).toBe(200);
});

test('when a client invents a new publishable key for every request, then its address is refused with 429 once its 401s reach AUTH_FAILURE_LIMIT, on both API processes, while other addresses are unaffected', async () => {
  const address = '192.0.2.50';
  const key = `auth-failures:${rateLimitKey('address', address)}`;
  const invented = () => `pk_${Math.random().toString(36).slice(2)}`;
  // Each invented key has a fresh budget of its own: only the address's 401s can stop the flood.
  expect(await statuses(() => storefront(a, address, invented()), FAILURE_LIMIT)).toEqual(Array(FAILURE_LIMIT).fill(401));
  await sharedCount(key, FAILURE_LIMIT);
  const refused = await storefront(a, address, invented());
  expect(refused.status).toBe(429);
  expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  // The address is refused whatever key it sends now, on the other process too once it has written what it saw.
  expect((await storefront(a, address)).status).toBe(429);
  expect(await statuses(() => storefront(b, address, invented()), 3)).toEqual([401, 401, 401]);
  await sharedCount(key, FAILURE_LIMIT + 3);
  expect((await storefront(b, address, invented())).status).toBe(429);
  // Another address with the real key goes on.
  expect((await storefront(b, '192.0.2.51')).status).toBe(200);
});
