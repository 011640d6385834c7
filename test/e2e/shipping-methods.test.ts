// Shipping methods end to end: back-office CRUD with audit entries and validation, a cart's options by region, the
// choice per shipping group (one per vendor in a mall), and the checkout guard assertShippingChosen.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, buildProduct, createTestTenant, seedProduct, storefront } from '../helpers/factories.ts';
import { seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { buildShippingMethod, cartShipping, chooseTestShipping, seedShippingMethod, shippingChoicesOf, shippingOffice } from '../helpers/shipping.ts';
import { sql } from '../../db/sql.ts';
import { assertShippingChosen } from '../../db/queries/shipping.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let shop: CreatedTenant;
let mall: CreatedTenant;

beforeAll(async () => {
  ({ stack, tenant: shop } = await startStackWithTenant());
  mall = await createTestTenant(stack.pool, { mode: 'mall' });
}, 120_000);
afterAll(async () => stack?.stop());

const auditActionsOf = async (resourceId: string) =>
  stack.pool.anyFirst(sql.type(z.object({ action: z.string() }))`SELECT action FROM audit_log WHERE resource_id = ${resourceId} ORDER BY at, id`);

/** A new tenant of `mode` (methods configured by one test never leak into another's carts). */
const freshTenant = (mode: 'single_brand' | 'mall' = 'single_brand') => createTestTenant(stack.pool, { mode });

/** An open cart of `tenant` holding one unit of each variant. */
async function cartWith(tenant: CreatedTenant, variantIds: string[]): Promise<string> {
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  for (const v of variantIds) expect((await store.addItem(cart.id, v, 1)).status).toBe(200);
  return cart.id;
}

const optionIds = (res: { body: { items: { id: string }[] } }) => res.body.items.map((o) => o.id).sort();

describe('shipping methods in the back office', () => {
  test('when a method is created, listed, read, changed and withdrawn, then each write answers the method and leaves one audit entry', async () => {
    const office = shippingOffice(stack.http, shop.admin_api_key);
    const created = await office.create(buildShippingMethod({ name: 'Yamato', price: 800, free_over: 5000, cod_fee: 330, regions: ['jp', 'JP-13', 'JP'] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Yamato',
      price: { amount: 800, currency: 'JPY' },
      free_over: { amount: 5000, currency: 'JPY' },
      cod_fee: { amount: 330, currency: 'JPY' },
      regions: ['JP', 'JP-13'],
      vendor_id: null,
      active: true,
    });
    expect(created.body).not.toHaveProperty('cursor_at');
    const id = created.body.id as string;
    expect(id).toMatch(/^shm_/);

    expect((await office.get(id)).body).toEqual(created.body);
    const changed = await office.update(id, { price: { amount: 900, currency: 'JPY' }, free_over: null, regions: [] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ price: { amount: 900, currency: 'JPY' }, free_over: null, regions: [], cod_fee: { amount: 330, currency: 'JPY' } });

    expect((await office.remove(id)).status).toBe(204);
    expect((await office.get(id)).body.active).toBe(false);
    // Withdrawing a withdrawn method changes nothing and records nothing.
    expect((await office.remove(id)).status).toBe(204);
    expect(await auditActionsOf(id)).toEqual(['shipping_method.create', 'shipping_method.update', 'shipping_method.deactivate']);
    expect((await office.update(id, { active: true })).body.active).toBe(true);
  });

  test('when methods are listed a page at a time, then pages follow creation order and inactive methods are listed too', async () => {
    const tenant = await freshTenant();
    const ids = [];
    for (const name of ['A', 'B', 'C']) ids.push(await seedShippingMethod(stack.http, tenant.admin_api_key, { name }));
    const office = shippingOffice(stack.http, tenant.admin_api_key);
    await office.remove(ids[1]);
    const first = await office.list('?limit=2');
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, 2));
    const second = await office.list(`?limit=2&cursor=${first.body.next_cursor}`);
    expect([second.body.items.map((m: { id: string }) => m.id), second.body.next_cursor]).toEqual([ids.slice(2), null]);
  });

  test('when a region, currency, vendor or amount is wrong, then it is 400 naming it and nothing is created', async () => {
    const tenant = await freshTenant();
    const office = shippingOffice(stack.http, tenant.admin_api_key);
    const refused = [
      [buildShippingMethod({ regions: ['JP-48'] }), '"JP-48" is not a region'],
      [buildShippingMethod({ regions: ['XX'] }), '"XX" is not a region'],
      [buildShippingMethod({ regions: ['US-CA'] }), 'is not a region'],
      [{ ...buildShippingMethod(), price: { amount: 800, currency: 'USD' } }, "price must be in the store's currency JPY"],
      [{ ...buildShippingMethod(), cod_fee: { amount: 1, currency: 'EUR' } }, "cod_fee must be in the store's currency JPY"],
      [buildShippingMethod({ vendor_id: 'ven_x' }), 'vendor_id is for mall stores'],
      [{ ...buildShippingMethod(), price: { amount: -1, currency: 'JPY' } }, ''],
      [{ ...buildShippingMethod(), price: 800 }, ''],
      [{ ...buildShippingMethod(), speed: 'fast' }, ''],
      [{ price: { amount: 800, currency: 'JPY' } }, ''],
    ] as const;
    for (const [body, detail] of refused) {
      const res = await office.create(body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'validation_failed' });
      expect([res.body.detail, ...((res.body.errors ?? []) as { message: string }[]).map((e) => e.message)].join(' ')).toContain(detail);
    }
    expect((await office.list()).body.items).toEqual([]);
    const unknownVendor = await shippingOffice(stack.http, mall.admin_api_key).create(buildShippingMethod({ vendor_id: 'ven_nobody' }));
    expect([unknownVendor.status, unknownVendor.body.detail]).toEqual([400, 'unknown vendor id in ven_nobody']);
    expect((await office.get('shm_nothing')).status).toBe(404);
    expect((await office.update('shm_nothing', { name: 'x' })).status).toBe(404);
    expect((await office.remove('shm_nothing')).status).toBe(404);
    const other = await seedShippingMethod(stack.http, shop.admin_api_key);
    expect((await office.get(other)).status).toBe(404);
    const mine = await seedShippingMethod(stack.http, tenant.admin_api_key, { regions: ['JP'] });
    expect((await office.update(mine, { regions: ['JP-00'] })).status).toBe(400);
    expect((await office.update(mine, { vendor_id: null })).status).toBe(400);
    expect((await office.get(mine)).body.regions).toEqual(['JP']);
  });

  test('when /openapi.json is read, then it documents every shipping route', async () => {
    const paths = (await stack.http.get('/openapi.json')).body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/admin/shipping-methods']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/admin/shipping-methods/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/store/carts/{id}/shipping-options'])).toEqual(['get']);
    expect(Object.keys(paths['/store/carts/{id}/shipping-method'])).toEqual(['post']);
    const options = JSON.stringify(paths['/store/carts/{id}/shipping-options'].get);
    expect(['"amount"', '"cod_fee"', '"vendor_id"'].map((field) => options.includes(field))).toEqual([true, true, true]);
  });
});

describe("a cart's shipping options and choice", () => {
  test('when options are asked by region, then methods without regions, of the country and of the prefecture are offered', async () => {
    const tenant = await freshTenant();
    const seed = (name: string, regions?: string[]) => seedShippingMethod(stack.http, tenant.admin_api_key, { name, regions });
    const [anywhere, japan, tokyo, us, withdrawn] = [
      await seed('anywhere'),
      await seed('japan', ['JP']),
      await seed('tokyo', ['JP-13']),
      await seed('us', ['US']),
      await seed('gone'),
    ];
    await shippingOffice(stack.http, tenant.admin_api_key).remove(withdrawn);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    const shipping = cartShipping(stack.http, tenant.publishable_key);

    const noRegion = await shipping.options(cartId);
    expect(noRegion.status).toBe(200);
    expect(noRegion.body.items).toEqual([
      { id: anywhere, name: 'anywhere', amount: { amount: 800, currency: 'JPY' }, cod_fee: { amount: 0, currency: 'JPY' }, vendor_id: null },
    ]);
    expect(optionIds(await shipping.options(cartId, 'JP-13'))).toEqual([anywhere, japan, tokyo].sort());
    expect(optionIds(await shipping.options(cartId, 'jp-27'))).toEqual([anywhere, japan].sort());
    expect(optionIds(await shipping.options(cartId, 'US'))).toEqual([anywhere, us].sort());
    expect((await shipping.options(cartId, 'JP-99')).status).toBe(400);

    // The region given with a choice becomes the cart's: later options use it.
    expect((await shipping.choose(cartId, tokyo, 'JP-13')).status).toBe(200);
    expect(optionIds(await shipping.options(cartId))).toEqual([anywhere, japan, tokyo].sort());
  });

  test('when a method is chosen, then it replaces the previous choice; a method not shipping there, unknown or withdrawn is refused', async () => {
    const tenant = await freshTenant();
    const tokyo = await seedShippingMethod(stack.http, tenant.admin_api_key, { regions: ['JP-13'] });
    const japan = await seedShippingMethod(stack.http, tenant.admin_api_key, { regions: ['JP'] });
    const withdrawn = await seedShippingMethod(stack.http, tenant.admin_api_key);
    await shippingOffice(stack.http, tenant.admin_api_key).remove(withdrawn);
    const othersMethod = await seedShippingMethod(stack.http, shop.admin_api_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    const shipping = cartShipping(stack.http, tenant.publishable_key);

    const noRegion = await shipping.choose(cartId, tokyo);
    expect([noRegion.status, noRegion.body.detail]).toEqual([400, expect.stringContaining('give the region the cart ships to')]);
    const osaka = await shipping.choose(cartId, tokyo, 'JP-27');
    expect([osaka.status, osaka.body.detail]).toEqual([400, expect.stringContaining('does not ship to JP-27')]);
    expect(await shippingChoicesOf(stack.pool, cartId)).toEqual({ choices: {}, region: null });

    const chosen = await shipping.choose(cartId, tokyo, 'JP-13');
    expect([chosen.status, chosen.body.id]).toEqual([200, cartId]);
    expect(await shippingChoicesOf(stack.pool, cartId)).toEqual({ choices: { '': tokyo }, region: 'JP-13' });
    expect((await shipping.choose(cartId, japan)).status).toBe(200);
    expect(await shippingChoicesOf(stack.pool, cartId)).toEqual({ choices: { '': japan }, region: 'JP-13' });

    for (const id of ['shm_nothing', withdrawn, othersMethod]) {
      const res = await shipping.choose(cartId, id);
      expect({ id, status: res.status, code: res.body.code }).toEqual({ id, status: 404, code: 'not_found' });
    }
    expect((await shipping.choose('cart_nothing', japan)).status).toBe(404);
    expect((await shipping.choose(cartId, japan, 'XX')).status).toBe(400);
    expect(await shippingChoicesOf(stack.pool, cartId)).toEqual({ choices: { '': japan }, region: 'JP-13' });
  });

  test('when the cart was checked out, then a choice is 409 conflict', async () => {
    const tenant = await freshTenant();
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId, 'JP-13');
    expect((await storefront(stack.http, tenant.publishable_key).checkout(cartId, buildCheckout())).status).toBe(201);
    const res = await cartShipping(stack.http, tenant.publishable_key).choose(cartId, methodId);
    expect([res.status, res.body.code]).toEqual([409, 'conflict']);
  });

  test("when a customer's cart is asked for by anyone else, then options and choice are 404 as for every cart route", async () => {
    const tenant = await freshTenant();
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key);
    const signUp = (email: string) =>
      stack.http.post('/store/customers').set('X-Publishable-Key', tenant.publishable_key).send({ email, password: 'correct horse battery' });
    const owner = (await signUp(`o-${randomUUID().slice(0, 8)}@example.jp`)).body.token as string;
    const stranger = (await signUp(`s-${randomUUID().slice(0, 8)}@example.jp`)).body.token as string;
    const cart = await stack.http.post('/store/carts').set('X-Publishable-Key', tenant.publishable_key).set('Authorization', `Bearer ${owner}`).send({});
    for (const token of [undefined, stranger]) {
      const shipping = cartShipping(stack.http, tenant.publishable_key, token);
      expect((await shipping.options(cart.body.id)).status).toBe(404);
      expect((await shipping.choose(cart.body.id, methodId)).status).toBe(404);
    }
    const own = cartShipping(stack.http, tenant.publishable_key, owner);
    expect(optionIds(await own.options(cart.body.id))).toEqual([methodId]);
    expect((await own.choose(cart.body.id, methodId)).status).toBe(200);
  });

  test('when a mall cart holds two vendors and the platform, then each vendor and the platform choose among their own methods', async () => {
    const tenant = await freshTenant('mall');
    const [v1, v2, absent] = [
      await seedVendor(stack.http, tenant.admin_api_key),
      await seedVendor(stack.http, tenant.admin_api_key),
      await seedVendor(stack.http, tenant.admin_api_key),
    ];
    const seed = (vendor: string | null, name: string) => seedShippingMethod(stack.http, tenant.admin_api_key, { vendor_id: vendor, name });
    const [m1, m1b, m2, mAbsent, platform] = [
      await seed(v1, 'v1'),
      await seed(v1, 'v1 express'),
      await seed(v2, 'v2'),
      await seed(absent, 'absent'),
      await seed(null, 'platform'),
    ];
    const v1Variant = await seedVendorProduct(stack.http, tenant.admin_api_key, v1, { stock: 5 });
    const v2Variant = await seedVendorProduct(stack.http, tenant.admin_api_key, v2, { stock: 5 });
    const own = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const shipping = cartShipping(stack.http, tenant.publishable_key);

    const cartId = await cartWith(tenant, [v1Variant, own.variantId]);
    const options = await shipping.options(cartId);
    expect(options.body.items.map((o: { id: string; vendor_id: string | null }) => [o.id, o.vendor_id])).toEqual([
      [m1, v1],
      [m1b, v1],
      [platform, null],
    ]);
    expect(optionIds(options)).not.toContain(mAbsent);
    const notInCart = await shipping.choose(cartId, m2);
    expect([notInCart.status, notInCart.body.detail]).toEqual([400, `this cart ships nothing of vendor ${v2}: that vendor's methods do not apply`]);
    expect((await shipping.choose(cartId, m1)).status).toBe(200);
    expect((await shipping.choose(cartId, platform)).status).toBe(200);
    expect((await shipping.choose(cartId, m1b)).status).toBe(200);
    expect((await shippingChoicesOf(stack.pool, cartId)).choices).toEqual({ '': platform, [v1]: m1b });

    // Without the platform's own goods, vendor-less methods are not offered nor accepted.
    const vendorsOnly = await cartWith(tenant, [v1Variant, v2Variant]);
    expect(optionIds(await shipping.options(vendorsOnly))).toEqual([m1, m1b, m2].sort());
    expect((await shipping.choose(vendorsOnly, platform)).status).toBe(400);
  });
});

describe('the checkout guard (assertShippingChosen)', () => {
  const guard = (tenant: CreatedTenant, cartId: string) => assertShippingChosen(stack.pool, tenant.tenant_id, cartId);

  test('when a store offers methods, then a cart with physical lines needs an active choice that ships to its region', async () => {
    const tenant = await freshTenant();
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    await expect(guard(tenant, cartId)).resolves.toBeUndefined();

    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key, { regions: ['JP'] });
    await expect(guard(tenant, cartId)).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'choose a shipping method: GET /store/carts/:id/shipping-options',
    });
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId, 'JP-13');
    await expect(guard(tenant, cartId)).resolves.toBeUndefined();

    const office = shippingOffice(stack.http, tenant.admin_api_key);
    await office.update(methodId, { regions: ['US'] });
    await expect(guard(tenant, cartId)).rejects.toMatchObject({ message: expect.stringContaining('does not ship to JP-13') });
    await office.update(methodId, { regions: ['JP'] });
    await office.remove(methodId);
    await expect(guard(tenant, cartId)).rejects.toMatchObject({ message: expect.stringContaining('is no longer offered') });
  });

  test('when a cart holds only digital goods, then it needs no method', async () => {
    const tenant = await freshTenant();
    await seedShippingMethod(stack.http, tenant.admin_api_key);
    const digital = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct({ stock: 5 }), type: 'digital' });
    const cartId = await cartWith(tenant, [digital.body.variants[0].id]);
    await expect(guard(tenant, cartId)).resolves.toBeUndefined();
    expect((await cartShipping(stack.http, tenant.publishable_key).options(cartId)).body.items).toHaveLength(1);
  });

  test('when a mall vendor offers methods, then its lines need a choice; a vendor without methods and the platform without any need none', async () => {
    const tenant = await freshTenant('mall');
    const [withMethods, without] = [await seedVendor(stack.http, tenant.admin_api_key), await seedVendor(stack.http, tenant.admin_api_key)];
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key, { vendor_id: withMethods });
    const cartId = await cartWith(tenant, [
      await seedVendorProduct(stack.http, tenant.admin_api_key, withMethods, { stock: 5 }),
      await seedVendorProduct(stack.http, tenant.admin_api_key, without, { stock: 5 }),
      (await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 })).variantId,
    ]);
    await expect(guard(tenant, cartId)).rejects.toMatchObject({
      message: `choose a shipping method for the lines of vendor ${withMethods}: GET /store/carts/:id/shipping-options`,
    });
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId);
    await expect(guard(tenant, cartId)).resolves.toBeUndefined();
  });
});
