// A cart becomes at most one order, and one tenant's credentials never reach another tenant's data.
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, orderCountOfCart, placeTestOrder, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenantA: CreatedTenant;
let tenantB: CreatedTenant;

beforeAll(async () => {
  stack = await startTestStack();
  [tenantA, tenantB] = await Promise.all([createTestTenant(stack.pool), createTestTenant(stack.pool)]);
});
afterAll(async () => stack?.stop());

describe('checkout idempotency', () => {
  test('when the same cart is checked out twice at once, then one order exists and one response is 201, the other 200 with the same order', async () => {
    const store = storefront(stack.http, tenantA.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenantA.admin_api_key, { price: 1100, stock: 5 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 2);
    const body = buildCheckout({ payment_method: 'bank_transfer' });

    const responses = await Promise.all([store.checkout(cart.id, body), store.checkout(cart.id, body)]);

    expect(responses.map((r) => r.status).sort()).toEqual([200, 201]);
    const [first, second] = responses.map((r) => r.body.order);
    expect(first.id).toBeTruthy();
    expect(second.id).toBe(first.id);
    expect(second.access_token).toBe(first.access_token);
    expect(await orderCountOfCart(stack.pool, cart.id)).toBe(1);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });
    await waitFor(async () => stack.notifier.sent.some((n) => n.template === 'order_placed' && n.data.order_id === first.id), { what: 'order_placed' });
    expect(stack.notifier.sent.filter((n) => n.template === 'order_placed' && n.data.order_id === first.id)).toHaveLength(1);
  });

  test('when a cart was converted into an order, then adding an item is 409 conflict and the cart and stock stay as they were', async () => {
    const store = storefront(stack.http, tenantA.publishable_key);
    const { variantId, cartId, order } = await placeTestOrder(stack.http, tenantA, { stock: 5, quantity: 1 });
    const other = await seedProduct(stack.http, tenantA.admin_api_key, { stock: 5 });

    const res = await store.addItem(cartId, other.variantId, 1);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    const sameVariant = await store.addItem(cartId, variantId, 1);
    expect(sameVariant.status).toBe(409);
    expect((await store.cart(cartId)).body).toMatchObject({ status: 'converted', order_id: order.id, items: [{ variant_id: variantId, quantity: 1 }] });
    expect(await stockOf(stack.pool, other.variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 1, holds_total: 1 });
  });
});

describe('tenant isolation', () => {
  test("when tenant B's publishable key names tenant A's product, cart or order, then each is 404 not_found", async () => {
    const storeB = storefront(stack.http, tenantB.publishable_key);
    const storeA = storefront(stack.http, tenantA.publishable_key);
    const { productId, variantId } = await seedProduct(stack.http, tenantA.admin_api_key, { stock: 3 });
    const cartA = (await storeA.createCart()).body;
    await storeA.addItem(cartA.id, variantId, 1);
    const placed = await placeTestOrder(stack.http, tenantA, { stock: 2 });

    const attempts = {
      product: await storeB.product(productId),
      cart: await storeB.cart(cartA.id),
      addToForeignCart: await storeB.addItem(cartA.id, variantId, 1),
      checkoutForeignCart: await storeB.checkout(cartA.id, buildCheckout()),
      order: await storeB.order(placed.order.id, placed.order.access_token),
    };
    for (const [what, res] of Object.entries(attempts)) {
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status: 404, code: 'not_found' });
    }
    const cartB = (await storeB.createCart()).body;
    const foreignVariant = await storeB.addItem(cartB.id, variantId, 1);
    expect(foreignVariant.status).toBe(404);
    expect((await storeB.products()).body.items.map((p: { id: string }) => p.id)).not.toContain(productId);

    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 1, holds_total: 1 });
    expect((await storeA.cart(cartA.id)).body).toMatchObject({ status: 'open', items: [{ quantity: 1 }] });
    expect(await orderCountOfCart(stack.pool, cartA.id)).toBe(0);
  });

  test("when tenant B's admin key targets tenant A's order, shipment, product, confirmation or cancellation, then each is 404 and A's order is untouched", async () => {
    const adminB = backOffice(stack.http, tenantB.admin_api_key);
    const adminA = backOffice(stack.http, tenantA.admin_api_key);
    const bank = await placeTestOrder(stack.http, tenantA, { price: 1500, stock: 2 });
    const cod = await placeTestOrder(stack.http, tenantA, { price: 700, stock: 2, payment_method: 'cod' });
    const shipment = await waitFor(async () => (await adminA.order(cod.order.id)).body.shipments[0], { what: 'the COD shipment' });
    const h = { Authorization: `Bearer ${tenantB.admin_api_key}` };

    const attempts = {
      order: await adminB.order(bank.order.id),
      confirm: await adminB.confirmPayment(bank.order.id, 1500),
      cancel: await adminB.cancel(bank.order.id),
      ship: await adminB.ship(shipment.id),
      deliver: await adminB.deliver(shipment.id, { amount: 700, currency: 'JPY' }),
      product: await stack.http.get(`/admin/products/${bank.productId}`).set(h),
      patchProduct: await stack.http.patch(`/admin/products/${bank.productId}`).set(h).send({ title: 'hijacked' }),
      deleteProduct: await stack.http.delete(`/admin/products/${bank.productId}`).set(h),
      setStock: await adminB.setStock(bank.variantId, 100),
    };
    for (const [what, res] of Object.entries(attempts)) {
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status: 404, code: 'not_found' });
    }
    expect((await adminB.orders()).body.items.map((o: { id: string }) => o.id)).not.toContain(bank.order.id);

    const bankAfter = (await adminA.order(bank.order.id)).body;
    expect(bankAfter).toMatchObject({ status: 'pending_payment', payments: [{ status: 'pending', received: { amount: 0 } }] });
    expect((await adminA.order(cod.order.id)).body).toMatchObject({ status: 'pending_shipment', shipments: [{ id: shipment.id, status: 'pending' }] });
    const product = (await stack.http.get(`/admin/products/${bank.productId}`).set({ Authorization: `Bearer ${tenantA.admin_api_key}` })).body;
    expect(product.title).not.toBe('hijacked');
    expect(await stockOf(stack.pool, bank.variantId)).toEqual({ on_hand: 2, reserved: 1, holds_total: 1 });
    // A's own key still works on the same order.
    expect((await adminA.confirmPayment(bank.order.id, 1500)).status).toBe(200);
  });

  test('when the order token is wrong or missing, then the order is 404 exactly like a missing order', async () => {
    const store = storefront(stack.http, tenantA.publishable_key);
    const { order } = await placeTestOrder(stack.http, tenantA);
    expect((await store.order(order.id, order.access_token)).status).toBe(200);

    const wrong = await store.order(order.id, `${order.access_token.slice(0, -1)}${order.access_token.endsWith('x') ? 'y' : 'x'}`);
    const other = await store.order(order.id, 'ot_not-the-token');
    const missing = await stack.http.get(`/store/orders/${order.id}`).set('X-Publishable-Key', tenantA.publishable_key);
    const unknown = await store.order('ord_doesnotexist', order.access_token);
    for (const res of [wrong, other, missing, unknown]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
      expect(res.body).not.toHaveProperty('items');
    }
    expect(wrong.body.detail).toBe(unknown.body.detail.replace('ord_doesnotexist', order.id));
  });
});
