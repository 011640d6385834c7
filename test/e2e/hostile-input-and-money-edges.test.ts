// Inputs a client gets wrong or an attacker tries, and money edge cases: each is a clear 4xx that changes nothing.
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import {
  backOffice,
  buildCheckout,
  buildProduct,
  createTestTenant,
  outboxEvents,
  placeTestOrder,
  seedProduct,
  stockOf,
  storefront,
} from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

test('when a URL or a JSON body carries a NUL character, then it is 400 validation_failed and no order is stuck', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  for (const path of ['/store/products/%00', '/store/carts/%00', '/store/products?q=%00']) {
    const res = await stack.http.get(path).set('X-Publishable-Key', tenant.publishable_key);
    expect([path, res.status, res.body.code]).toEqual([path, 400, 'validation_failed']);
  }
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 2 });
  const cart = (await store.createCart()).body;
  await store.addItem(cart.id, variantId, 1);
  const body = buildCheckout();
  const res = await store.checkout(cart.id, { ...body, shipping_address: { ...body.shipping_address, name: 'Ha\u0000nako' } });
  expect(res.status).toBe(400);
  expect((await store.cart(cart.id)).body.status).toBe('open');
  expect((await store.checkout(cart.id, buildCheckout())).status).toBe(201);
});

test('when an amount is beyond 10^12 minor units, then it is 400 naming the price field', async () => {
  const res = await backOffice(stack.http, tenant.admin_api_key).createProduct(buildProduct({ price: 1e15 }));
  expect(res.status).toBe(400);
  expect(res.body.errors.some((e: { path: string }) => e.path.includes('price'))).toBe(true);
});

test('when the list cursor is garbage, then the product list is still 200 and the order list is 400', async () => {
  expect((await stack.http.get('/store/products?cursor=!!!').set('X-Publishable-Key', tenant.publishable_key)).status).toBe(200);
  const orders = await stack.http.get('/admin/orders?cursor=bm9wZQ').set('Authorization', `Bearer ${tenant.admin_api_key}`);
  expect(orders.status).toBe(400);
});

test('when a payment reference is reused with another amount, then it is 409 and the first receipt stands', async () => {
  const { order } = await placeTestOrder(stack.http, tenant, { price: 3000 });
  const admin = backOffice(stack.http, tenant.admin_api_key);
  expect((await admin.confirmPayment(order.id, 1000, 'bank-ref-7')).status).toBe(200);
  const reused = await admin.confirmPayment(order.id, 800, 'bank-ref-7');
  expect(reused.status).toBe(409);
  expect((await admin.order(order.id)).body.payments[0].received.amount).toBe(1000);
});

test('when a partly paid order is cancelled, then the money received is kept on record and a refund is flagged', async () => {
  const { order } = await placeTestOrder(stack.http, tenant, { price: 3000 });
  const admin = backOffice(stack.http, tenant.admin_api_key);
  await admin.confirmPayment(order.id, 1200);
  expect((await admin.cancel(order.id)).status).toBe(200);
  const after = (await admin.order(order.id)).body;
  expect(after.payments[0]).toMatchObject({ status: 'pending', received: { amount: 1200 } });
  const flagged = await outboxEvents(stack.pool, 'payment.refund_required', 'order_id', order.id);
  expect(flagged).toHaveLength(1);
  expect(flagged[0].payload).toMatchObject({ amount: 1200, currency: 'JPY' });
});

test('when a product in the cart was deleted before checkout, then checkout is 409 and no order exists', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 3 });
  const cart = (await store.createCart()).body;
  await store.addItem(cart.id, variantId, 1);
  await stack.http.delete(`/admin/products/${productId}`).set('Authorization', `Bearer ${tenant.admin_api_key}`).expect(204);
  const res = await store.checkout(cart.id, buildCheckout());
  expect(res.status).toBe(409);
  expect(res.body.code).toBe('conflict');
  expect((await store.cart(cart.id)).body.status).toBe('open');
  expect(await stockOf(stack.pool, variantId)).toMatchObject({ reserved: 1, holds_total: 1 });
});

test('when two products get the same title without a handle, then both are created with distinct handles', async () => {
  const admin = backOffice(stack.http, tenant.admin_api_key);
  const a = await admin.createProduct(buildProduct({ title: 'Same Title Tee' }));
  const b = await admin.createProduct(buildProduct({ title: 'Same Title Tee' }));
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(a.body.handle).toBe('same-title-tee');
  expect(b.body.handle).not.toBe(a.body.handle);
});

test('when the back office lists orders, then the newest come first and next_cursor continues without overlap', async () => {
  const own = await createTestTenant(stack.pool);
  const placed = [];
  for (let i = 0; i < 3; i++) placed.push((await placeTestOrder(stack.http, own, { payment_method: 'cod' })).order.id);
  const admin = backOffice(stack.http, own.admin_api_key);
  const first = await admin.orders('?limit=2');
  expect(first.body.items.map((o: { id: string }) => o.id)).toEqual([placed[2], placed[1]]);
  expect(first.body.items[0].workflows.map((w: { type: string }) => w.type)).toEqual(['checkout', 'fulfillment']);
  const second = await admin.orders(`?limit=2&cursor=${first.body.next_cursor}`);
  expect(second.body.items.map((o: { id: string }) => o.id)).toEqual([placed[0]]);
  expect(second.body.next_cursor).toBeNull();
});
