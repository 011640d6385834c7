// Shipping at checkout: what options cost, free shipping over the threshold, the COD fee, one method per mall vendor,
// and checkout refusing (400, nothing placed) a cart of physical goods without its shipping choice.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildAddress, buildCheckout, buildProduct, createTestTenant, orderCountOfCart, seedProduct, storefront } from '../helpers/factories.ts';
import { seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { cartShipping, chooseTestShipping, seedShippingMethod } from '../helpers/shipping.ts';
import { applyNewPromotion } from '../helpers/promotions.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let shop: CreatedTenant;

beforeAll(async () => ({ stack, tenant: shop } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

const jpy = (amount: number) => ({ amount, currency: 'JPY' });

/** An open cart of `tenant` holding `quantity` units of each variant. */
async function cartWith(tenant: CreatedTenant, variantIds: string[], quantity = 1): Promise<string> {
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  for (const v of variantIds) expect((await store.addItem(cart.id, v, quantity)).status).toBe(200);
  return cart.id;
}

describe('shipping at checkout', () => {
  test('when a cart is below free_over, then the option and the order cost the price; at free_over both cost 0', async () => {
    const methodId = await seedShippingMethod(stack.http, shop.admin_api_key, { price: 800, free_over: 5000, regions: ['JP'] });
    const { variantId } = await seedProduct(stack.http, shop.admin_api_key, { price: 2500, stock: 10 });
    const store = storefront(stack.http, shop.publishable_key);
    const shipping = cartShipping(stack.http, shop.publishable_key);

    const below = await cartWith(shop, [variantId], 1);
    expect((await shipping.options(below, 'JP-13')).body.items).toEqual([
      { id: methodId, name: expect.any(String), amount: jpy(800), cod_fee: jpy(0), vendor_id: null },
    ]);
    await chooseTestShipping(stack.http, shop.publishable_key, below, methodId, 'JP-13');
    const paid = await store.checkout(below, { ...buildCheckout(), expected_total: jpy(3300) });
    expect(paid.status).toBe(201);
    expect(paid.body.order).toMatchObject({ subtotal: jpy(2500), shipping_total: jpy(800), total: jpy(3300), shipping_method_id: methodId });

    const over = await cartWith(shop, [variantId], 2);
    expect((await shipping.options(over, 'JP-13')).body.items[0].amount).toEqual(jpy(0));
    await chooseTestShipping(stack.http, shop.publishable_key, over, methodId, 'JP-13');
    const free = await store.checkout(over, buildCheckout());
    expect(free.status).toBe(201);
    expect(free.body.order).toMatchObject({ subtotal: jpy(5000), shipping_total: jpy(0), total: jpy(5000), shipping_method_id: methodId });
  });

  test('when a free-shipping code is applied, then every option is offered at 0, as the pricing function charges it', async () => {
    const tenant = await createTestTenant(stack.pool);
    const methods = [
      await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 800 }),
      await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 1200 }),
    ];
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    const shipping = cartShipping(stack.http, tenant.publishable_key);
    expect((await shipping.options(cartId)).body.items.map((o: { amount: unknown }) => o.amount)).toEqual([jpy(800), jpy(1200)]);
    await applyNewPromotion(stack.http, tenant, cartId, { type: 'free_shipping' });
    expect((await shipping.options(cartId)).body.items.map((o: { id: string; amount: unknown }) => [o.id, o.amount])).toEqual([
      [methods[0], jpy(0)],
      [methods[1], jpy(0)],
    ]);
  });

  test('when a COD order is placed with expected_total = cart total + the option cod_fee, then it is placed and delivery expects that cash', async () => {
    const tenant = await createTestTenant(stack.pool);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 700, cod_fee: 330 });
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1500, stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    const [option] = (await cartShipping(stack.http, tenant.publishable_key).options(cartId)).body.items;
    expect(option).toMatchObject({ id: methodId, amount: jpy(700), cod_fee: jpy(330) });
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId);
    const store = storefront(stack.http, tenant.publishable_key);
    const cartTotal = (await store.cart(cartId)).body.total as { amount: number; currency: string };
    expect(cartTotal).toEqual(jpy(2200));
    const expected = jpy(cartTotal.amount + option.cod_fee.amount);
    const checkout = await store.checkout(cartId, { ...buildCheckout({ payment_method: 'cod' }), expected_total: expected });
    expect(checkout.status).toBe(201);
    expect(checkout.body.order.total).toEqual(expected);
    expect(checkout.body.order).toMatchObject({ shipping_total: jpy(700), cod_fee: jpy(330), total: jpy(2530) });
    const shipment = await waitFor(async () => (await admin.order(checkout.body.order.id)).body.shipments?.[0], { what: 'the COD shipment' });
    expect(shipment.cod_amount).toEqual(jpy(2530));
  });

  test('when a mall cart holds two vendors that each chose a method, then shipping_total is their sum and the order keeps both', async () => {
    const mall = await createTestTenant(stack.pool, { mode: 'mall' });
    const [v1, v2] = [await seedVendor(stack.http, mall.admin_api_key), await seedVendor(stack.http, mall.admin_api_key)];
    const m1 = await seedShippingMethod(stack.http, mall.admin_api_key, { vendor_id: v1, price: 600 });
    const m2 = await seedShippingMethod(stack.http, mall.admin_api_key, { vendor_id: v2, price: 900, free_over: 10_000 });
    const cartId = await cartWith(mall, [
      await seedVendorProduct(stack.http, mall.admin_api_key, v1, { price: 2000, stock: 5 }),
      await seedVendorProduct(stack.http, mall.admin_api_key, v2, { price: 3000, stock: 5 }),
    ]);
    const store = storefront(stack.http, mall.publishable_key);
    await chooseTestShipping(stack.http, mall.publishable_key, cartId, m1);
    const half = await store.checkout(cartId, buildCheckout());
    expect([half.status, half.body.detail]).toEqual([400, `choose a shipping method for the lines of vendor ${v2}: GET /store/carts/:id/shipping-options`]);
    await chooseTestShipping(stack.http, mall.publishable_key, cartId, m2);
    expect((await store.cart(cartId)).body).toMatchObject({ shipping_total: jpy(1500), total: jpy(6500) });

    const checkout = await store.checkout(cartId, buildCheckout());
    expect(checkout.status).toBe(201);
    expect(checkout.body.order).toMatchObject({ subtotal: jpy(5000), shipping_total: jpy(1500), total: jpy(6500) });
    const kept = (checkout.body.order.shipping_methods as { vendor_id: string; shipping_method_id: string }[]).map((s) => [s.vendor_id, s.shipping_method_id]);
    expect(kept.sort()).toEqual(
      [
        [v1, m1],
        [v2, m2],
      ].sort(),
    );
  });

  test('when the store has methods and none was chosen, then checkout is 400 and places nothing; after choosing, it places the order', async () => {
    const tenant = await createTestTenant(stack.pool);
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 500 });
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    const store = storefront(stack.http, tenant.publishable_key);

    const refused = await store.checkout(cartId, buildCheckout());
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'validation_failed', detail: 'choose a shipping method: GET /store/carts/:id/shipping-options' });
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(0);
    expect((await store.cart(cartId)).body.status).toBe('open');

    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId);
    const placed = await store.checkout(cartId, buildCheckout());
    expect(placed.status).toBe(201);
    expect(placed.body.order).toMatchObject({ shipping_total: jpy(500), total: jpy(1500) });
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(1);
  });

  test('when the shipping address is in another country than the chosen region, then checkout is 400 and places nothing', async () => {
    const tenant = await createTestTenant(stack.pool);
    const methodId = await seedShippingMethod(stack.http, tenant.admin_api_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, methodId, 'JP-13');
    const abroad = await storefront(stack.http, tenant.publishable_key).checkout(cartId, {
      ...buildCheckout(),
      shipping_address: buildAddress({ country: 'US' }),
    });
    expect([abroad.status, abroad.body.detail]).toEqual([400, expect.stringContaining('shipping was chosen for JP-13 but the shipping address is in US')]);
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(0);
  });

  test('when a cart holds only digital goods, then it checks out without a method and pays no shipping', async () => {
    const tenant = await createTestTenant(stack.pool);
    await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 800 });
    const digital = await backOffice(stack.http, tenant.admin_api_key).createProduct({ ...buildProduct({ price: 1200, stock: 5 }), type: 'digital' });
    const cartId = await cartWith(tenant, [digital.body.variants[0].id]);
    const checkout = await storefront(stack.http, tenant.publishable_key).checkout(cartId, buildCheckout());
    expect(checkout.status).toBe(201);
    expect(checkout.body.order).toMatchObject({ shipping_total: jpy(0), total: jpy(1200), shipping_method_id: null });
  });

  test('when the address names another prefecture than the region a prefecture-only method was chosen for, then checkout is 400; the same prefecture places it', async () => {
    const tenant = await createTestTenant(stack.pool);
    const tokyoOnly = await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 500, regions: ['JP-13'] });
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const cartId = await cartWith(tenant, [variantId]);
    await chooseTestShipping(stack.http, tenant.publishable_key, cartId, tokyoOnly, 'JP-13');
    const store = storefront(stack.http, tenant.publishable_key);
    const osaka = await store.checkout(cartId, { ...buildCheckout(), shipping_address: buildAddress({ region: '大阪府' }) });
    expect([osaka.status, osaka.body.detail]).toEqual([400, expect.stringContaining('shipping was chosen for JP-13 but the shipping address is in JP-27')]);
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(0);
    const tokyo = await store.checkout(cartId, { ...buildCheckout(), shipping_address: buildAddress({ region: '東京都' }) });
    expect(tokyo.status).toBe(201);
    expect(tokyo.body.order).toMatchObject({ shipping_total: jpy(500), total: jpy(1500), shipping_method_id: tokyoOnly });
  });
});

describe('a cart in another currency than the store', () => {
  test('when a USD cart meets a store with only JPY methods, then none is offered, choosing one is 404, and it checks out without one', async () => {
    const tenant = await createTestTenant(stack.pool);
    const [anywhere, japan] = [
      await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 800 }),
      await seedShippingMethod(stack.http, tenant.admin_api_key, { price: 900, regions: ['JP'] }),
    ];
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const usdPrice = await stack.http
      .patch(`/admin/products/${productId}`)
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({ variants: [{ id: variantId, price: { amount: 1200, currency: 'USD' } }] });
    expect(usdPrice.status).toBe(200);
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = await store.createCart({ currency: 'USD' });
    expect([cart.status, cart.body.currency]).toEqual([201, 'USD']);
    expect((await store.addItem(cart.body.id, variantId, 1)).status).toBe(200);
    const shipping = cartShipping(stack.http, tenant.publishable_key);

    expect((await shipping.options(cart.body.id)).body.items).toEqual([]);
    expect((await shipping.options(cart.body.id, 'JP-13')).body.items).toEqual([]);
    for (const id of [anywhere, japan]) {
      const res = await shipping.choose(cart.body.id, id, 'JP-13');
      expect({ id, status: res.status, code: res.body.code }).toEqual({ id, status: 404, code: 'not_found' });
    }
    const usd = (amount: number) => ({ amount, currency: 'USD' });
    const checkout = await store.checkout(cart.body.id, { ...buildCheckout(), expected_total: usd(1200) });
    expect(checkout.status).toBe(201);
    expect(checkout.body.order).toMatchObject({ subtotal: usd(1200), shipping_total: usd(0), total: usd(1200), shipping_method_id: null });
  });
});
