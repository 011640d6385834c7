// The rate limiter on real PostgreSQL: counts shared through `rate_limits`, and still answering when the store fails.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createSharedLimiter, rateLimitKey } from '../../api/rate-limit.ts';
import type { BatchedLimiter } from '../../api/batched-limiter.ts';

const pools: pg.Pool[] = [];
const limiters: BatchedLimiter[] = [];
const pool = (connectionString = process.env.DATABASE_URL) => {
  const p = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 1_000, query_timeout: 2_000 });
  p.on('error', () => {});
  pools.push(p);
  return p;
};
const limiter = (p: pg.Pool, points: number, onStoreError?: (err: unknown) => void) => {
  const l = createSharedLimiter(p, { points, windowSeconds: 60 }, { keyPrefix: 'itest', syncIntervalMs: 60_000, onStoreError });
  limiters.push(l);
  return l;
};

afterAll(async () => {
  await Promise.all(limiters.map((l) => l.close()));
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
});

test('when two processes count one key on their own pools, then PostgreSQL holds the sum and both refuse past the limit', async () => {
  const key = randomUUID();
  const [a, b] = [limiter(pool(), 10), limiter(pool(), 10)];
  let allowed = 0;
  for (let i = 0; i < 30; i++) {
    if ((i % 2 === 0 ? a : b).take(key).allowed) allowed++;
    await Promise.all([a.settled(), b.settled()]);
  }
  // Each process learns the other's count at its own writes: one request of lag at most here.
  expect(allowed).toBeGreaterThanOrEqual(10);
  expect(allowed).toBeLessThanOrEqual(11);
  expect(a.take(key).allowed || b.take(key).allowed).toBe(false);
  const row = await pool().query<{ points: number; expire: string }>('SELECT points, expire FROM rate_limits WHERE key = $1', [`itest:${rateLimitKey(key)}`]);
  expect(row.rows[0].points).toBe(allowed);
  expect(Number(row.rows[0].expire)).toBeGreaterThan(Date.now());
});

test('when PostgreSQL is unreachable, then the limiter keeps answering and its insurance refuses past the limit', async () => {
  const storeErrors: unknown[] = [];
  const l = limiter(pool('postgres://postgres@127.0.0.1:1/nowhere'), 3, (err) => storeErrors.push(err));
  const answers: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    answers.push(l.take('k').allowed);
    await l.settled();
  }
  expect(answers).toEqual([true, true, true, false, false, false]);
  // Every failed write went to the in-memory insurance limiter instead of failing.
  expect(storeErrors).toEqual([]);
});

test('when the store goes away in the middle of a window, then counting continues without failing a request', async () => {
  const key = randomUUID();
  const p = pool();
  const storeErrors: unknown[] = [];
  const l = limiter(p, 4, (err) => storeErrors.push(err));
  expect(l.take(key).allowed).toBe(true);
  await l.settled();
  await p.end();
  const answers: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    answers.push(l.take(key).allowed);
    await l.settled();
  }
  expect(answers).toEqual([true, true, true, false, false]);
  expect(storeErrors).toEqual([]);
});
