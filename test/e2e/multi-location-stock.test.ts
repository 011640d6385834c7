// Stock spread over several locations: a hold may draw on all of them, never more than they hold together.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

/** A product with 5 units at the default location and 5 at a second one. */
async function twoLocationProduct() {
  const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
  const auth = { Authorization: `Bearer ${tenant.admin_api_key}` };
  const location = await stack.http
    .post('/admin/locations')
    .set(auth)
    .send({ name: `Osaka ${Date.now()}` });
  expect(location.status).toBe(201);
  await stack.http.put(`/admin/inventory/${variantId}`).set(auth).send({ location_id: location.body.id, on_hand: 5 }).expect(200);
  return { productId, variantId, auth, locationId: location.body.id as string };
}

test('when no single location has enough but two together do, then the hold spans both and shipping takes it from both', async () => {
  const { productId, variantId, auth } = await twoLocationProduct();
  const store = storefront(stack.http, tenant.publishable_key);
  expect((await store.product(productId)).body.variants[0].available_quantity).toBe(10);

  const cart = (await store.createCart()).body;
  const added = await store.addItem(cart.id, variantId, 8);
  expect(added.status).toBe(200);
  expect(added.body.items[0].held_quantity).toBe(8);
  const levels = (await stack.http.get(`/admin/inventory/${variantId}`).set(auth)).body.items as { reserved: number }[];
  expect(levels.map((l) => l.reserved).sort()).toEqual([3, 5]);

  const other = (await store.createCart()).body;
  const refused = await store.addItem(other.id, variantId, 3);
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('insufficient_stock');
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 8, holds_total: 8 });

  const order = (await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' }))).body.order;
  const admin = backOffice(stack.http, tenant.admin_api_key);
  const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
  expect((await admin.ship(shipment.id)).status).toBe(200);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });
});

test('when two buyers race for more than half of stock split over two locations, then exactly one gets it', async () => {
  const { variantId } = await twoLocationProduct();
  const store = storefront(stack.http, tenant.publishable_key);
  const carts = [(await store.createCart()).body, (await store.createCart()).body];
  const results = await Promise.all(carts.map((c) => store.addItem(c.id, variantId, 6)));
  expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 6, holds_total: 6 });
});

test('when a line grows click by click, then each location holds it in one row grown in place, taken from the fuller location each time', async () => {
  const { variantId, auth } = await twoLocationProduct();
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body;
  for (let i = 0; i < 3; i++) expect((await store.addItem(cart.id, variantId, 2)).status).toBe(200);
  const rows = async () =>
    (
      await stack.pool.any(sql.type(z.object({ location_id: z.string(), quantity: z.number() }))`
      SELECT location_id, quantity FROM holds WHERE cart_id = ${cart.id} AND status = 'held' ORDER BY quantity DESC`)
    ).map((r) => r.quantity);
  // 5 + 5 in stock, +2 three times, each from the fuller location (a tie goes to the first by id): 2 from one, 2 from
  // the other, then 2 more from the first. One row per location, grown in place (not one row per click: 2, 2, 2).
  expect(await rows()).toEqual([4, 2]);
  const levels = (await stack.http.get(`/admin/inventory/${variantId}`).set(auth)).body.items as { reserved: number }[];
  expect(levels.map((l) => l.reserved).reduce((a, b) => a + b, 0)).toBe(6);
  expect(await stockOf(stack.pool, variantId)).toMatchObject({ reserved: 6, holds_total: 6 });
});

test('when quantity changes and adds of one variant stocked at two locations race, then no transaction deadlocks and the stock adds up', async () => {
  const { variantId, auth, locationId } = await twoLocationProduct();
  // Plenty at both, so holds land at either location and a change releases at one while an add locks both.
  for (const location_id of [undefined, locationId])
    await stack.http.put(`/admin/inventory/${variantId}`).set(auth).send({ location_id, on_hand: 200 }).expect(200);
  const store = storefront(stack.http, tenant.publishable_key);
  const deadlocks = () =>
    stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT deadlocks::int8 AS n FROM pg_stat_database WHERE datname = current_database()`);
  const carts: { id: string; itemId: string }[] = [];
  for (let i = 0; i < 8; i++) {
    const cart = (await store.createCart()).body;
    const added = await store.addItem(cart.id, variantId, 1 + (i % 3));
    carts.push({ id: cart.id, itemId: added.body.items[0].id });
  }
  const before = await deadlocks();
  // Each round: every cart changes its line while another add of the same variant lands on it.
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all(
      carts.flatMap((c, i) => [store.setQuantity(c.id, c.itemId, 1 + ((i + round) % 4)), store.addItem(carts[(i + 1) % carts.length].id, variantId, 1)]),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
  }
  // A backend idle after a burst publishes its counters within 10 s (PostgreSQL 15's idle interval): wait them out.
  await new Promise((r) => setTimeout(r, 11_000));
  expect((await deadlocks()) - before).toBe(0);
  // Every line is held in full, and reserved is exactly what the holds add up to.
  const lines = await stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT COALESCE(sum(quantity), 0)::int8 AS n FROM cart_items WHERE cart_id = ANY(${sql.array(
      carts.map((c) => c.id),
      'text',
    )})`);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 400, reserved: lines, holds_total: lines });
}, 60_000);

test('when a line would pass the cap and the stock is short too, then the add is the 400 of the cap and holds nothing more', async () => {
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 100 });
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 99)).status).toBe(200);
  const over = await store.addItem(cart.id, variantId, 2);
  expect(over.status).toBe(400);
  expect(over.body).toMatchObject({ code: 'validation_failed', details: { max_line_quantity: 100, quantity_in_cart: 99, quantity_requested: 2 } });
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 100, reserved: 99, holds_total: 99 });
});

test('when a line is held in several rows at one location (carts from before holds grew in place), then more of it grows one row and reserved stays exact', async () => {
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 10 });
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body;
  const itemId = (await store.addItem(cart.id, variantId, 2)).body.items[0].id;
  // Split the one held row in two, as the old code left a line added to twice.
  await stack.pool.query(sql.type(z.object({}))`
    WITH old AS (UPDATE holds SET quantity = 1 WHERE cart_item_id = ${itemId} AND status = 'held' RETURNING *)
    INSERT INTO holds (id, tenant_id, cart_id, cart_item_id, variant_id, location_id, quantity, status, expires_at)
    SELECT id || 'b', tenant_id, cart_id, cart_item_id, variant_id, location_id, 1, 'held', expires_at FROM old`);
  expect((await store.addItem(cart.id, variantId, 3)).status).toBe(200);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 5, holds_total: 5 });
});
