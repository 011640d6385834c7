// Holds cannot be hoarded (summed line cap, a fixed lifetime from the first hold) and checkout charges current prices.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { buildAddress, buildCheckout, holdsOfCart, orderCountOfCart, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { placeOrder } from '../../db/queries/orders.ts';

describe('with MAX_LINE_QUANTITY 100 and the default hold lifetime', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { MAX_LINE_QUANTITY: '100' } })));
  afterAll(async () => stack?.stop());

  const setPrice = (productId: string, variantId: string, amount: number) =>
    stack.http
      .patch(`/admin/products/${productId}`)
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({ variants: [{ id: variantId, price: { amount, currency: 'JPY' } }] });

  test('when 60 units are added twice to one line, then the second add is 400 naming the cap and the line still holds 60', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 1000 });
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, variantId, 60)).status).toBe(200);

    const second = await store.addItem(cart.id, variantId, 60);
    expect(second.status).toBe(400);
    expect(second.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(second.body).toMatchObject({ code: 'validation_failed', details: { max_line_quantity: 100, quantity_in_cart: 60, quantity_requested: 60 } });
    expect(second.body.detail).toContain('100');
    expect((await store.cart(cart.id)).body.items).toMatchObject([{ variant_id: variantId, quantity: 60, held_quantity: 60 }]);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 1000, reserved: 60, holds_total: 60 });
  });

  test('when one request asks for more than the cap, or a line is set above it, then it is 400 and nothing more is held', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 1000 });
    const cart = (await store.createCart()).body;
    const tooMany = await store.addItem(cart.id, variantId, 101);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('validation_failed');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 1000, reserved: 0, holds_total: 0 });

    const item = (await store.addItem(cart.id, variantId, 40)).body.items[0];
    const patched = await store.setQuantity(cart.id, item.id, 101);
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({ code: 'validation_failed', details: { max_line_quantity: 100 } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 1000, reserved: 40, holds_total: 40 });

    const atCap = await store.setQuantity(cart.id, item.id, 100);
    expect(atCap.status).toBe(200);
    expect(atCap.body.items).toMatchObject([{ quantity: 100, held_quantity: 100 }]);
  });

  test('when the price rises between add and checkout, then the cart shows it, an old expected_total is 409 price_changed placing nothing, and the new one places the order at the new price', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 100, stock: 5 });
    const cart = (await store.createCart()).body;
    const added = await store.addItem(cart.id, variantId, 2);
    expect(added.body).toMatchObject({ items: [{ unit_price: { amount: 100, currency: 'JPY' } }], subtotal: { amount: 200, currency: 'JPY' } });

    expect((await setPrice(productId, variantId, 10_000)).status).toBe(200);
    expect((await store.cart(cart.id)).body).toMatchObject({
      items: [{ unit_price: { amount: 10_000, currency: 'JPY' }, for_sale: true }],
      subtotal: { amount: 20_000, currency: 'JPY' },
    });

    const body = buildCheckout();
    const stale = await store.checkout(cart.id, { ...body, expected_total: { amount: 200, currency: 'JPY' } }).set('Idempotency-Key', `reprice-${cart.id}`);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'price_changed',
      details: {
        cart: {
          id: cart.id,
          status: 'open',
          items: [{ variant_id: variantId, quantity: 2, unit_price: { amount: 10_000, currency: 'JPY' } }],
          subtotal: { amount: 20_000, currency: 'JPY' },
        },
      },
    });
    expect(await orderCountOfCart(stack.pool, cart.id)).toBe(0);
    expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ held: 2 });
    expect((await store.cart(cart.id)).body.status).toBe('open');

    // The buyer reviewed the new total; the storefront sends the same request again with it (same Idempotency-Key).
    const placed = await store.checkout(cart.id, { ...body, expected_total: { amount: 20_000, currency: 'JPY' } }).set('Idempotency-Key', `reprice-${cart.id}`);
    expect(placed.status).toBe(201);
    expect(placed.body.order.total).toEqual({ amount: 20_000, currency: 'JPY' });
    const order = (await store.order(placed.body.order.id, placed.body.order.access_token)).body;
    expect(order.items).toMatchObject([
      { variant_id: variantId, quantity: 2, unit_price: { amount: 10_000, currency: 'JPY' }, total: { amount: 20_000, currency: 'JPY' } },
    ]);
    expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ allocated: 2 });
  });

  test('when the price changes and checkout carries no expected_total, then the order is charged the current price', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 500, stock: 5 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 3);
    expect((await setPrice(productId, variantId, 800)).status).toBe(200);

    const placed = await store.checkout(cart.id, buildCheckout());
    expect(placed.status).toBe(201);
    expect(placed.body.order.total).toEqual({ amount: 2_400, currency: 'JPY' });
  });

  test('when the product of a line is no longer published, then the cart shows it not for sale and checkout is 409 conflict placing nothing', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const kept = await seedProduct(stack.http, tenant.admin_api_key, { price: 300, stock: 5 });
    const withdrawn = await seedProduct(stack.http, tenant.admin_api_key, { price: 700, stock: 5 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, kept.variantId, 1);
    await store.addItem(cart.id, withdrawn.variantId, 1);
    const unpublished = await stack.http
      .patch(`/admin/products/${withdrawn.productId}`)
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({ status: 'draft' });
    expect(unpublished.status).toBe(200);

    expect((await store.cart(cart.id)).body.items).toMatchObject([
      { variant_id: kept.variantId, for_sale: true, unit_price: { amount: 300 } },
      { variant_id: withdrawn.variantId, for_sale: false, unit_price: { amount: 700 } },
    ]);
    const checkout = await store.checkout(cart.id, buildCheckout());
    expect(checkout.status).toBe(409);
    expect(checkout.body).toMatchObject({ code: 'conflict', details: { variant_ids: [withdrawn.variantId] } });
    expect(await orderCountOfCart(stack.pool, cart.id)).toBe(0);
  });

  test('when expected_total matches the current total, then checkout places the order', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1_200, stock: 5 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 2);

    const placed = await store.checkout(cart.id, { ...buildCheckout(), expected_total: { amount: 2_400, currency: 'JPY' } });
    expect(placed.status).toBe(201);
    expect(placed.body.order.total).toEqual({ amount: 2_400, currency: 'JPY' });
  });
});

describe('with CART_HOLD_MAX_LIFETIME 4s and a long CART_HOLD_TTL', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { CART_HOLD_MAX_LIFETIME: '4s', CART_HOLD_TTL: '10m' } })));
  afterAll(async () => stack?.stop());

  test('when a cart keeps changing, then its holds still end at the lifetime after its first hold, and later adds, changes and checkout are 409 conflict', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const first = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const second = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cart = (await store.createCart()).body;
    const added = await store.addItem(cart.id, first.variantId, 1);
    expect(added.status).toBe(200);
    // Touching the cart does not push the holds out: every hold ends at the same moment, fixed by the first hold.
    const touched = await store.addItem(cart.id, second.variantId, 2);
    expect(touched.status).toBe(200);
    expect(touched.body.hold_expires_at).toBe(added.body.hold_expires_at);
    expect(touched.body.holds_end_at).toBe(added.body.hold_expires_at);
    const resized = await store.setQuantity(cart.id, touched.body.items[0].id, 2);
    expect(resized.body.hold_expires_at).toBe(added.body.hold_expires_at);

    for (const { variantId } of [first, second]) {
      await waitFor(async () => (await stockOf(stack.pool, variantId)).reserved === 0, { what: `the holds on ${variantId} to end with the cart's lifetime` });
    }
    expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ released: 5 }); // 1 + 2 + 2: the resize released the first hold of 1

    const later = await store.addItem(cart.id, first.variantId, 1);
    expect(later.status).toBe(409);
    expect(later.body).toMatchObject({ code: 'conflict' });
    expect(later.body.detail).toContain('start a new cart');
    const items = (await store.cart(cart.id)).body.items;
    expect((await store.setQuantity(cart.id, items[0].id, 1)).status).toBe(409);
    const checkout = await store.checkout(cart.id, buildCheckout());
    expect(checkout.status).toBe(409);
    expect(checkout.body.code).toBe('conflict');
    // The checkout activity refuses it too (the API answers before starting a workflow): nothing is re-held.
    await expect(
      placeOrder(stack.pool, {
        tenantId: tenant.tenant_id,
        cartId: cart.id,
        orderId: `ord_lifetime_${cart.id}`,
        email: 'late@example.jp',
        shippingAddress: buildAddress(),
        paymentMethod: 'cod',
        paymentDueInMs: null,
        holdTtlMs: 600_000,
        accessToken: 'ot_test',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await orderCountOfCart(stack.pool, cart.id)).toBe(0);
    expect(await stockOf(stack.pool, first.variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });

    expect((await store.removeItem(cart.id, items[0].id)).status).toBe(200);
    const fresh = (await store.createCart()).body;
    expect((await store.addItem(fresh.id, first.variantId, 1)).status).toBe(200);
  });
});
