// Request validation, credentials, back-office catalog writes, product listing, and the operations endpoints.
import { randomUUID } from 'node:crypto';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import {
  backOffice,
  buildCheckout,
  buildProduct,
  createTestTenant,
  createTestVendorKey,
  outboxEvents,
  seedProduct,
  stockOf,
  storefront,
} from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

const pk = () => ({ 'X-Publishable-Key': tenant.publishable_key });
const bearer = (key = tenant.admin_api_key) => ({ Authorization: `Bearer ${key}` });
const expectProblem = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) => {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
};

describe('request validation', () => {
  test('when a body is malformed JSON, then it is 400 validation_failed problem+json, never a 500', async () => {
    const store = await stack.http.post('/store/carts').set(pk()).set('Content-Type', 'application/json').send('{"currency": "JPY",');
    expectProblem(store, 400, 'validation_failed');
    const admin = await stack.http.post('/admin/products').set(bearer()).set('Content-Type', 'application/json').send('{title: nope}');
    expectProblem(admin, 400, 'validation_failed');
  });

  test('when required fields are missing, then it is 400 with an errors list naming them', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = (await store.createCart()).body;
    const checkout = await store.checkout(cart.id, {});
    expectProblem(checkout, 400, 'validation_failed');
    const paths = (checkout.body.errors as { path: string; message: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'shipping_address', 'payment_method']));

    const product = await stack.http.post('/admin/products').set(bearer()).send({ title: 'No variants' });
    expectProblem(product, 400, 'validation_failed');
    expect((product.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(['status', 'variants']));
    const address = await store.checkout(cart.id, { ...buildCheckout(), shipping_address: { name: 'X' } });
    expect(address.status).toBe(400);
    expect((address.body.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['shipping_address.line1', 'shipping_address.postal_code']),
    );
  });

  test('when the quantity added is zero or negative, then it is 400 and nothing is held', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cart = (await store.createCart()).body;
    for (const quantity of [0, -1, 1.5]) {
      const res = await store.addItem(cart.id, variantId, quantity);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors[0].path).toBe('quantity');
    }
    expect((await store.cart(cart.id)).body.items).toEqual([]);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  });
});

describe('credentials', () => {
  test('when the publishable key is unknown or missing, then the storefront answers 401 unauthenticated', async () => {
    expectProblem(await stack.http.get('/store/products').set('X-Publishable-Key', `pk_unknown_${randomUUID()}`), 401, 'unauthenticated');
    expectProblem(await stack.http.get('/store/products'), 401, 'unauthenticated');
    // The admin key is not a publishable key.
    expectProblem(await stack.http.get('/store/products').set('X-Publishable-Key', tenant.admin_api_key), 401, 'unauthenticated');
  });

  test('when /admin is called without or with an unknown bearer key, then it is 401; with a publishable key, 401', async () => {
    expectProblem(await stack.http.get('/admin/orders'), 401, 'unauthenticated');
    expectProblem(await stack.http.get('/admin/orders').set(bearer(`sk_unknown_${randomUUID()}`)), 401, 'unauthenticated');
    expectProblem(await stack.http.get('/admin/orders').set(bearer(tenant.publishable_key)), 401, 'unauthenticated');
    expectProblem(await stack.http.get('/admin/orders').set('Authorization', tenant.admin_api_key), 401, 'unauthenticated');
  });

  test('when a vendor key calls /admin, then it is 403 forbidden and nothing is created', async () => {
    const { api_key } = await createTestVendorKey(stack.pool, tenant.tenant_id);
    expectProblem(await stack.http.get('/admin/orders').set(bearer(api_key)), 403, 'forbidden');
    const title = `Vendor attempt ${randomUUID().slice(0, 6)}`;
    expectProblem(await stack.http.post('/admin/products').set(bearer(api_key)).send(buildProduct({ title })), 403, 'forbidden');
    const all = (await stack.http.get('/admin/products?limit=100').set(bearer())).body.items as { title: string }[];
    expect(all.map((p) => p.title)).not.toContain(title);
  });

  test('when a route does not exist, then it is a 404 problem', async () => {
    const res = await stack.http.get('/store/nothing-here').set(pk());
    expectProblem(res, 404, 'not_found');
    expectProblem(await stack.http.post('/no/such/route').send({}), 404, 'not_found');
  });
});

describe('back-office catalog and stock', () => {
  test('when on_hand would drop below reserved, then PUT /admin/inventory is 409 and stock is unchanged; at reserved it is accepted', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 3);

    expectProblem(await admin.setStock(variantId, 2), 409, 'conflict');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 3, holds_total: 3 });

    const atReserved = await admin.setStock(variantId, 3);
    expect(atReserved.status).toBe(200);
    expect(atReserved.body).toMatchObject({ on_hand: 3, reserved: 3, available: 0 });
    const raised = await admin.setStock(variantId, 8);
    expect(raised.body).toMatchObject({ on_hand: 8, reserved: 3, available: 5 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 8, reserved: 3, holds_total: 3 });
    expectProblem(await stack.http.put(`/admin/inventory/${variantId}`).set(bearer()).send({ on_hand: -1 }), 400, 'validation_failed');
  });

  test('when a product is created, repriced and deleted, then the storefront follows and a deleted product is 404', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const created = await stack.http
      .post('/admin/products')
      .set(bearer())
      .send(buildProduct({ title: 'Hinoki cutting board', price: 4800, stock: 2 }));
    expect(created.status).toBe(201);
    const product = created.body;
    expect(product).toMatchObject({
      title: 'Hinoki cutting board',
      handle: 'hinoki-cutting-board',
      status: 'published',
      variants: [{ price: { amount: 4800, currency: 'JPY' }, available_quantity: 2 }],
    });
    const variantId = product.variants[0].id;

    const patched = await stack.http
      .patch(`/admin/products/${product.id}`)
      .set(bearer())
      .send({ title: 'Hinoki board', variants: [{ id: variantId, price: { amount: 4200, currency: 'JPY' } }] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Hinoki board', variants: [{ id: variantId, price: { amount: 4200, currency: 'JPY' } }] });
    expect((await store.product(product.id)).body).toMatchObject({ title: 'Hinoki board', variants: [{ price: { amount: 4200 } }] });
    const priceEvents = await outboxEvents(stack.pool, 'price.updated', 'variant_id', variantId);
    expect(priceEvents).toHaveLength(1);
    expect(priceEvents[0].payload).toMatchObject({ price: { amount: 4200, currency: 'JPY' } });
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, variantId, 1)).body.items[0].unit_price).toEqual({ amount: 4200, currency: 'JPY' });
    expectProblem(
      await stack.http
        .patch(`/admin/products/${product.id}`)
        .set(bearer())
        .send({ variants: [{ id: 'var_unknown' }] }),
      404,
      'not_found',
    );

    const deleted = await stack.http.delete(`/admin/products/${product.id}`).set(bearer());
    expect(deleted.status).toBe(204);
    expectProblem(await store.product(product.id), 404, 'not_found');
    expectProblem(await stack.http.get(`/admin/products/${product.id}`).set(bearer()), 404, 'not_found');
    expect((await store.products('?limit=100')).body.items.map((p: { id: string }) => p.id)).not.toContain(product.id);
    const other = (await store.createCart()).body;
    expectProblem(await store.addItem(other.id, variantId, 1), 404, 'not_found');
    expectProblem(await stack.http.delete(`/admin/products/${product.id}`).set(bearer()), 404, 'not_found');
    expect(await outboxEvents(stack.pool, 'product.deleted', 'product_id', product.id)).toHaveLength(1);
  });

  test('when a sku or handle is already taken in the tenant, then creating the product is 409 and nothing is created', async () => {
    const sku = `DUP-${randomUUID().slice(0, 8)}`;
    await seedProduct(stack.http, tenant.admin_api_key, { sku, title: `Original ${sku}` });
    const dupSku = await stack.http
      .post('/admin/products')
      .set(bearer())
      .send(buildProduct({ sku, title: `Copy ${sku}` }));
    expectProblem(dupSku, 409, 'conflict');
    const handle = `handle-${randomUUID().slice(0, 8)}`;
    expect(
      (
        await stack.http
          .post('/admin/products')
          .set(bearer())
          .send({ ...buildProduct(), handle })
      ).status,
    ).toBe(201);
    const dupHandle = await stack.http
      .post('/admin/products')
      .set(bearer())
      .send({ ...buildProduct({ title: `Copy ${handle}` }), handle });
    expectProblem(dupHandle, 409, 'conflict');
    const all = (await stack.http.get('/admin/products?limit=100').set(bearer())).body.items as { title: string }[];
    expect(all.map((p) => p.title)).not.toContain(`Copy ${sku}`);
    expect(all.map((p) => p.title)).not.toContain(`Copy ${handle}`);
    // Another tenant may use the same sku.
    const other = await createTestTenant(stack.pool);
    expect((await stack.http.post('/admin/products').set(bearer(other.admin_api_key)).send(buildProduct({ sku }))).status).toBe(201);
  });
});

describe('product listing', () => {
  test('when a store has 3 products and the page limit is 2, then next_cursor yields the rest; q and category filter', async () => {
    const shop = await createTestTenant(stack.pool);
    const h = { Authorization: `Bearer ${shop.admin_api_key}` };
    const teaware = (await stack.http.post('/admin/categories').set(h).send({ name: 'Teaware' })).body;
    expect(teaware).toMatchObject({ id: expect.any(String), handle: 'teaware' });
    const ids = [];
    for (const body of [
      buildProduct({ title: 'Matcha whisk', category_ids: [teaware.id] }),
      buildProduct({ title: 'Kyusu teapot', category_ids: [teaware.id] }),
      buildProduct({ title: 'Cotton tenugui' }),
    ])
      ids.push((await stack.http.post('/admin/products').set(h).send(body)).body.id);
    await stack.http
      .post('/admin/products')
      .set(h)
      .send(buildProduct({ title: 'Draft matcha bowl', status: 'draft', category_ids: [teaware.id] }));
    const store = storefront(stack.http, shop.publishable_key);

    const first = await store.products('?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const rest = await store.products(`?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
    const seen = [...first.body.items, ...rest.body.items].map((p: { id: string }) => p.id);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect((await store.products()).body.next_cursor).toBeNull();

    // A text query goes through the search index, which the outbox relay keeps in sync.
    await stack.startRelay([shop.tenant_id]);
    const matcha = await waitFor(
      async () => {
        const titles = (await store.products('?q=MATCHA')).body.items.map((p: { title: string }) => p.title);
        return titles.length > 0 && titles;
      },
      { what: 'the indexed products' },
    );
    expect(matcha).toEqual(['Matcha whisk']);
    expect((await store.products('?q=tea')).body.items.map((p: { title: string }) => p.title)).toEqual(['Kyusu teapot']);
    const byCategory = (await store.products(`?category=${teaware.id}`)).body.items.map((p: { title: string }) => p.title).sort();
    expect(byCategory).toEqual(['Kyusu teapot', 'Matcha whisk']);
    expect((await store.products('?category=teaware')).body.items).toHaveLength(2);
    expect((await store.products('?category=cat_unknown')).body.items).toEqual([]);
    expectProblem(await store.products('?limit=0'), 400, 'validation_failed');
    expectProblem(await store.products('?limit=101'), 400, 'validation_failed');
  });
});

describe('operations endpoints', () => {
  test('when probed, then liveness, readiness, metrics and the OpenAPI document answer', async () => {
    const live = await stack.http.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    const ready = await stack.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });

    await stack.http.get('/store/products').set(pk());
    const metrics = await stack.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toContain('http_request_duration_seconds');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/store\/products"[^}]*\} [1-9]/);

    const openapi = await stack.http.get('/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(openapi.body.paths).toHaveProperty(['/store/carts/{id}/checkout', 'post']);
    expect(openapi.body.paths['/store/carts/{id}/checkout'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['email', 'shipping_address', 'payment_method']),
    );
  });
});
