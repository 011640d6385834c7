// Browser storefronts: CORS per store (preflights without a key, origins set in the back office and seen by every
// API process), security headers on every answer, no-store on private answers, ETag/304 on catalog reads.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { pino } from 'pino';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { createTestStaffKey, createTestTenant, placeTestOrder, seedProduct, storefront } from '../helpers/factories.ts';
import { testConfig } from '../helpers/stack.ts';
import { createApp } from '../../api/app.ts';
import { StoreOrigins } from '../../api/store-origins.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const listeners: StoreOrigins[] = [];

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
  await stack?.stop();
});

// Every test file shares the database and preflights ask "does any store admit it": origins must be unique.
const uniqueOrigin = () => `https://shop-${randomUUID().slice(0, 8)}.example.jp`;
const admin = (key = tenant.admin_api_key) => ({ Authorization: `Bearer ${key}` });
const setOrigins = (origins: unknown, key = tenant.admin_api_key) => stack.http.patch('/admin/store').set(admin(key)).send({ allowed_origins: origins });
const preflight = (http: { options(path: string): request.Test }, origin: string, path = '/store/products') =>
  http.options(path).set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type,x-publishable-key');

describe('CORS per store', () => {
  test('when an allowed origin sends a preflight without a key, then it is 204 with the origin, methods and allowed headers', async () => {
    const origin = uniqueOrigin();
    expect((await setOrigins([origin])).status).toBe(200);
    const res = await preflight(stack.http, origin, '/store/carts');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers.vary).toContain('Origin');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    const allowed = res.headers['access-control-allow-headers'].toLowerCase().split(',');
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'authorization', 'x-publishable-key', 'idempotency-key', 'x-order-token']));
  });

  test('when a refused origin sends a preflight, then the answer carries no CORS header and no key is asked for', async () => {
    const res = await preflight(stack.http, uniqueOrigin());
    expect(res.status).toBe(204);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.vary).toContain('Origin');
  });

  test('when a storefront GETs with its key from an allowed origin, then the answer has the origin and exposes ETag, Retry-After and X-Request-Id', async () => {
    const origin = uniqueOrigin();
    await setOrigins([origin]);
    const res = await stack.http.get('/store/products').set('X-Publishable-Key', tenant.publishable_key).set('Origin', origin);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-expose-headers'].split(',')).toEqual(expect.arrayContaining(['ETag', 'Retry-After', 'X-Request-Id']));
  });

  test('when another store admits the origin, then a request with this store key gets no CORS header, though the preflight passes', async () => {
    const other = await createTestTenant(stack.pool);
    const origin = uniqueOrigin();
    expect((await setOrigins([origin], other.admin_api_key)).status).toBe(200);
    expect((await preflight(stack.http, origin)).headers['access-control-allow-origin']).toBe(origin);
    const res = await stack.http.get('/store/products').set('X-Publishable-Key', tenant.publishable_key).set('Origin', origin);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when an allowed origin sends a wrong or no key, then the 401 problem carries the origin so the page can read it', async () => {
    const origin = uniqueOrigin();
    await setOrigins([origin]);
    for (const key of [`pk_unknown_${randomUUID()}`, undefined]) {
      const req = stack.http.get('/store/products').set('Origin', origin);
      const res = await (key ? req.set('X-Publishable-Key', key) : req);
      expect({ status: res.status, code: res.body.code, origin: res.headers['access-control-allow-origin'] }).toEqual({
        status: 401,
        code: 'unauthenticated',
        origin,
      });
    }
    const malformed = await stack.http
      .post('/store/carts')
      .set('X-Publishable-Key', tenant.publishable_key)
      .set('Origin', origin)
      .set('Content-Type', 'application/json')
      .send('{"currency":');
    expect({ status: malformed.status, origin: malformed.headers['access-control-allow-origin'] }).toEqual({ status: 400, origin });
  });

  test('when a port wildcard is allowed, then any port of that scheme and host passes and another scheme does not', async () => {
    const host = `dev-${randomUUID().slice(0, 8)}.localhost`;
    await setOrigins([`http://${host}:*`]);
    for (const origin of [`http://${host}:5173`, `http://${host}`])
      expect((await preflight(stack.http, origin)).headers['access-control-allow-origin']).toBe(origin);
    expect((await preflight(stack.http, `https://${host}:5173`)).headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when PATCH /admin/store changes the origins, then GET shows them normalised and the old origin is refused at once', async () => {
    const [before, after] = [uniqueOrigin(), uniqueOrigin()];
    await setOrigins([before]);
    expect((await preflight(stack.http, before)).headers['access-control-allow-origin']).toBe(before);
    const patched = await setOrigins([`${after.toUpperCase()}:443`, after]);
    expect(patched.status).toBe(200);
    expect(patched.body.allowed_origins).toEqual([after]);
    const shown = await stack.http.get('/admin/store').set(admin());
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ publishable_key: tenant.publishable_key, allowed_origins: [after] });
    expect((await preflight(stack.http, before)).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(stack.http, after)).headers['access-control-allow-origin']).toBe(after);
  });

  test('when another API process shares the database, then it sees an origin change through LISTEN/NOTIFY, not after its cache TTL', async () => {
    const origins = new StoreOrigins(stack.pool, { ttlMs: 3_600_000 });
    listeners.push(origins);
    origins.listen(stack.config.DATABASE_URL);
    await waitFor(async () => origins.listening, { what: 'the LISTEN connection' });
    const other = request(
      createApp({
        pool: stack.pool,
        temporal: stack.temporal,
        config: testConfig({ CORS_ORIGINS_CACHE_TTL: '1h' }),
        logger: pino({ level: 'silent' }),
        storeOrigins: origins,
      }),
    );
    const origin = uniqueOrigin();
    // The other process has answered (and cached) a refusal before the change.
    expect((await preflight(other, origin)).headers['access-control-allow-origin']).toBeUndefined();
    await setOrigins([origin]);
    await waitFor(async () => (await preflight(other, origin)).headers['access-control-allow-origin'] === origin, {
      timeoutMs: 5_000,
      what: 'the other process to admit the origin',
    });
  });

  test('when allowed_origins holds a path, a host wildcard, a bare word or too many entries, then it is 400 naming the entry and nothing changes', async () => {
    const kept = uniqueOrigin();
    await setOrigins([kept]);
    for (const bad of [
      'https://shop.example.jp/',
      'https://*.example.jp',
      '*',
      'shop.example.jp',
      'null',
      'https://shop.example.jp:99999',
      `https://${'a'.repeat(400)}.jp`,
    ]) {
      const res = await setOrigins([kept, bad]);
      expect({ bad, status: res.status, code: res.body.code, path: res.body.errors?.[0]?.path }).toEqual({
        bad,
        status: 400,
        code: 'validation_failed',
        path: 'allowed_origins.1',
      });
    }
    const tooMany = await setOrigins(Array.from({ length: 51 }, (_, i) => `https://s${i}.example.jp`));
    expect({ status: tooMany.status, path: tooMany.body.errors?.[0]?.path }).toEqual({ status: 400, path: 'allowed_origins' });
    expect((await setOrigins('https://shop.example.jp')).status).toBe(400);
    expect((await stack.http.get('/admin/store').set(admin())).body.allowed_origins).toEqual([kept]);
  });

  test('when a staff key patches the store, then it is 403 and the origins stay; staff may read them', async () => {
    const staff = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    const before = (await stack.http.get('/admin/store').set(admin(staff))).body.allowed_origins;
    expect(Array.isArray(before)).toBe(true);
    const res = await setOrigins([uniqueOrigin()], staff);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'forbidden' });
    expect((await stack.http.get('/admin/store').set(admin())).body.allowed_origins).toEqual(before);
  });
});

describe('security and cache headers', () => {
  test('when any answer goes out (success, 404, 401, 400, admin, ops), then it carries nosniff', async () => {
    const answers = await Promise.all([
      stack.http.get('/store/products').set('X-Publishable-Key', tenant.publishable_key),
      stack.http.get('/no/such/route'),
      stack.http.get('/store/products'),
      stack.http.post('/admin/products').set(admin()).send({}),
      stack.http.get('/health/live'),
      stack.http.get('/store/products%00'),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 404, 401, 400, 200, 400]);
    for (const res of answers) expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test('when a storefront answer goes out, then its resource policy lets other origins read it; other answers stay same-origin', async () => {
    expect((await stack.http.get('/store/products').set('X-Publishable-Key', tenant.publishable_key)).headers['cross-origin-resource-policy']).toBe(
      'cross-origin',
    );
    expect((await stack.http.get('/admin/store').set(admin())).headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  test('when carts, checkout, orders, admin and vendor answer, then they say no-store', async () => {
    const { cartId, order } = await placeTestOrder(stack.http, tenant);
    const store = storefront(stack.http, tenant.publishable_key);
    const answers = {
      cart: await store.cart(cartId),
      checkoutAgain: await store.checkout(cartId),
      newCart: await store.createCart(),
      order: await store.order(order.id, order.access_token),
      adminOrder: await stack.http.get(`/admin/orders/${order.id}`).set(admin()),
      adminStore: await stack.http.get('/admin/store').set(admin()),
      adminUnauthenticated: await stack.http.get('/admin/orders'),
      vendor: await stack.http.get('/vendor/shipments').set(admin()),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({
      cart: 200,
      checkoutAgain: 200,
      newCart: 201,
      order: 200,
      adminOrder: 200,
      adminStore: 200,
      adminUnauthenticated: 401,
      vendor: 403,
    });
    expect(answers.checkoutAgain.body.order.access_token).toBeDefined();
    for (const [name, res] of Object.entries(answers)) expect({ name, cacheControl: res.headers['cache-control'] }).toEqual({ name, cacheControl: 'no-store' });
  });

  test('when a catalog read is repeated with If-None-Match, then it is 304 without a body; after a price change the ETag differs', async () => {
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200 });
    const key = { 'X-Publishable-Key': tenant.publishable_key };
    const first = await stack.http.get(`/store/products/${productId}`).set(key);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^W\/".+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await stack.http.get(`/store/products/${productId}`).set(key).set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');

    const patched = await stack.http
      .patch(`/admin/products/${productId}`)
      .set(admin())
      .send({ variants: [{ id: variantId, price: { amount: 1500, currency: 'JPY' } }] });
    expect(patched.status).toBe(200);
    const changed = await stack.http.get(`/store/products/${productId}`).set(key).set('If-None-Match', first.headers.etag);
    expect(changed.status).toBe(200);
    expect(changed.body.variants[0].price.amount).toBe(1500);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  test('when the list, categories and search are read twice, then each sends an ETag and answers 304 to it', async () => {
    const key = { 'X-Publishable-Key': tenant.publishable_key };
    for (const path of ['/store/products', '/store/categories', '/store/search?q=product']) {
      const first = await stack.http.get(path).set(key);
      expect({ path, status: first.status, etag: typeof first.headers.etag }).toEqual({ path, status: 200, etag: 'string' });
      const again = await stack.http.get(path).set(key).set('If-None-Match', first.headers.etag);
      expect({ path, status: again.status }).toEqual({ path, status: 304 });
    }
  });
});
