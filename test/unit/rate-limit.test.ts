// Rate-limit config syntax and the batched counter's rules, on the library's in-memory counter as the shared store.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { BatchedLimiter, type SharedCounter } from '../../api/batched-limiter.ts';
import { parseConfig } from '../../config/config.ts';

const limiters: BatchedLimiter[] = [];
const limiter = (counter: SharedCounter, points: number, batch?: number) => {
  const l = new BatchedLimiter(counter, { points, windowMs: 60_000, syncIntervalMs: 60_000, batch });
  limiters.push(l);
  return l;
};
afterAll(() => Promise.all(limiters.map((l) => l.close())));

describe('rate limit config', () => {
  test('when nothing is set, then /store allows 600 and /admin 1200 per minute and no proxy is trusted', () => {
    const config = parseConfig({});
    expect(config.STORE_RATE_LIMIT).toEqual({ points: 600, windowSeconds: 60 });
    expect(config.ADMIN_RATE_LIMIT).toEqual({ points: 1200, windowSeconds: 60 });
    expect(config.TRUST_PROXY).toBe(false);
  });

  test('when limits are written as a bare count, per second, per hour or off, then each is read as such', () => {
    const config = parseConfig({ STORE_RATE_LIMIT: '50', ADMIN_RATE_LIMIT: '10/s', TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect(config.STORE_RATE_LIMIT).toEqual({ points: 50, windowSeconds: 60 });
    expect(config.ADMIN_RATE_LIMIT).toEqual({ points: 10, windowSeconds: 1 });
    expect(config.TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(parseConfig({ STORE_RATE_LIMIT: '5000/h', TRUST_PROXY: '1' })).toMatchObject({
      STORE_RATE_LIMIT: { points: 5000, windowSeconds: 3600 },
      TRUST_PROXY: 1,
    });
    expect(parseConfig({ STORE_RATE_LIMIT: 'off' }).STORE_RATE_LIMIT).toBeNull();
  });

  test('when a limit or TRUST_PROXY is not valid, then the error names the variable', () => {
    expect(() => parseConfig({ STORE_RATE_LIMIT: 'many' })).toThrow(/STORE_RATE_LIMIT: invalid rate "many"/);
    expect(() => parseConfig({ ADMIN_RATE_LIMIT: '0/min' })).toThrow(/ADMIN_RATE_LIMIT: .*at least one request/);
    expect(() => parseConfig({ STORE_RATE_LIMIT: '10/fortnight' })).toThrow(/STORE_RATE_LIMIT/);
    expect(() => parseConfig({ TRUST_PROXY: 'example.com' })).toThrow(/TRUST_PROXY: invalid/);
  });
});

describe('batched limiter', () => {
  test('when a key takes more than its points, then the excess is refused until its window ends and other keys are unaffected', async () => {
    const l = limiter(new RateLimiterMemory({ points: 5, duration: 60 }), 5);
    const answers = Array.from({ length: 8 }, () => l.take('a'));
    expect(answers.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(answers[4].remaining).toBe(0);
    expect(answers[5].resetMs).toBeGreaterThan(0);
    expect(answers[5].resetMs).toBeLessThanOrEqual(60_000);
    expect(l.take('b').allowed).toBe(true);
  });

  test('when a steady stream stays under a high limit, then the store is written once per batch, not once per request', async () => {
    const writes: number[] = [];
    const store = new RateLimiterMemory({ points: 1_000_000, duration: 60 });
    const counter: SharedCounter = { consume: (key, points) => (writes.push(points), store.consume(key, points)) };
    const l = limiter(counter, 1_000_000, 400);
    for (let i = 0; i < 1_000; i++) expect(l.take('reader').allowed).toBe(true);
    await l.settled();
    // The first batch is written at 400; what arrives while that write is under way goes in the next one.
    expect(writes).toEqual([400, 600]);
  });

  test('when a client stays far below its limit, then its requests cause no store write at all', async () => {
    const writes: number[] = [];
    const store = new RateLimiterMemory({ points: 600, duration: 60 });
    const counter: SharedCounter = { consume: (key, points) => (writes.push(points), store.consume(key, points)) };
    const l = new BatchedLimiter(counter, { points: 600, windowMs: 60_000, syncIntervalMs: 10, batch: 60 });
    limiters.push(l);
    for (let i = 0; i < 59; i++) expect(l.take('visitor').allowed).toBe(true);
    // Several sync intervals pass: the key is below half its budget, so the sync leaves it alone.
    await new Promise((r) => setTimeout(r, 100));
    expect(writes).toEqual([]);
    l.take('visitor');
    await l.settled();
    expect(writes).toEqual([60]);
  });

  test('when two processes share one store, then together they allow the limit plus at most one batch each', async () => {
    const shared = new RateLimiterMemory({ points: 20, duration: 60 });
    const [a, b] = [limiter(shared, 20, 2), limiter(shared, 20, 2)];
    let allowed = 0;
    for (let i = 0; i < 60; i++) {
      if ((i % 2 === 0 ? a : b).take('k').allowed) allowed++;
      await new Promise((r) => setImmediate(r));
    }
    expect(allowed).toBeGreaterThanOrEqual(20);
    expect(allowed).toBeLessThanOrEqual(24);
    expect(a.take('k').allowed).toBe(false);
    expect(b.take('k').allowed).toBe(false);
  });

  test('when another process pushed the shared count over the limit, then this one refuses at its next sync', async () => {
    const shared = new RateLimiterMemory({ points: 10, duration: 60 });
    await shared.consume('k', 10);
    const l = limiter(shared, 10, 1);
    expect(l.take('k').allowed).toBe(true); // the count here knew nothing yet
    await l.settled();
    const refused = l.take('k');
    expect(refused.allowed).toBe(false);
    expect(refused.resetMs).toBeGreaterThan(50_000);
  });

  test('when the store fails, then requests are still answered and counted in this process', async () => {
    const failures: unknown[] = [];
    const broken: SharedCounter = { consume: () => Promise.reject(new Error('store down')) };
    const l = new BatchedLimiter(broken, { points: 3, windowMs: 60_000, syncIntervalMs: 60_000, batch: 1, onStoreError: (err) => failures.push(err) });
    limiters.push(l);
    const answers: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(l.take('k').allowed);
      await l.settled();
    }
    expect(answers).toEqual([true, true, true, false, false]);
    expect(failures.length).toBeGreaterThan(0);
  });

  test('when the store answers "over the limit" by rejecting, then the key is blocked until the reset it gave', async () => {
    const over: SharedCounter = { consume: () => Promise.reject(new RateLimiterRes(0, 30_000, 99, false)) };
    const l = limiter(over, 50, 1);
    expect(l.take('k').allowed).toBe(true);
    await l.settled();
    const refused = l.take('k');
    expect(refused.allowed).toBe(false);
    expect(refused.resetMs).toBeGreaterThan(25_000);
    expect(refused.resetMs).toBeLessThanOrEqual(30_000);
  });
});
