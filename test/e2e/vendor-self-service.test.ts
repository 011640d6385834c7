// Issue 17 scopes 1–2: vendors see cancellations, run their own catalog and stock, see their payouts, and can be suspended.
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, stockOf, storefront } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';

type VendorShipment = { id: string; order_id: string; vendor_id: string; order_status: string; status: string };

let stack: TestStack;
let mall: CreatedTenant;

beforeAll(async () => ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall', relay: true })));
afterAll(async () => stack?.stop());

/** A vendor with a key; its portal calls, plus the calls the portal helper lacks (catalog, stock, payouts). */
async function newVendor(commission_rate_bps = 1000) {
  const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps });
  const key = (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key;
  const h = { Authorization: `Bearer ${key}` };
  return {
    id,
    key,
    portal: vendorPortal(stack.http, key),
    products: (query = '') => stack.http.get(`/vendor/products${query}`).set(h),
    createProduct: (body: object) => stack.http.post('/vendor/products').set(h).send(body),
    updateProduct: (productId: string, body: object) => stack.http.patch(`/vendor/products/${productId}`).set(h).send(body),
    setStock: (variantId: string, on_hand: number) => stack.http.put(`/vendor/inventory/${variantId}`).set(h).send({ on_hand }),
    payouts: (query = '') => stack.http.get(`/vendor/payouts${query}`).set(h),
  };
}

/** The order's shipments once it has `count` of them. */
const shipmentsOf = (orderId: string, count: number) =>
  waitFor(
    async () => {
      const { body } = await backOffice(stack.http, mall.admin_api_key).order(orderId);
      return body.shipments?.length === count ? (body.shipments as { id: string; vendor_id: string; status: string }[]) : null;
    },
    { what: `${count} shipments` },
  );

/** Audit entries of one resource and action. */
const auditCount = (resourceId: string, action: string) =>
  stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${resourceId} AND action = ${action}`);

describe('vendors and cancelled orders', () => {
  test('when a two-vendor order is cancelled, then both vendors list their shipment as cancelled with the order status, and ship or deliver answers 409 saying the order was cancelled', async () => {
    const [v1, v2] = [await newVendor(), await newVendor(500)];
    const variants = [
      await seedVendorProduct(stack.http, mall.admin_api_key, v1.id, { stock: 5 }),
      await seedVendorProduct(stack.http, mall.admin_api_key, v2.id, { stock: 5 }),
    ];
    const { order } = await placeMallOrder(stack.http, mall, [
      { variantId: variants[0], quantity: 1 },
      { variantId: variants[1], quantity: 2 },
    ]);
    const shipments = await shipmentsOf(order.id, 2);
    expect((await backOffice(stack.http, mall.admin_api_key).cancel(order.id)).status).toBe(200);

    for (const v of [v1, v2]) {
      const listed = (await v.portal.shipments()).body.items as VendorShipment[];
      const mine = shipments.find((s) => s.vendor_id === v.id)!;
      expect(listed).toEqual([expect.objectContaining({ id: mine.id, order_id: order.id, vendor_id: v.id, order_status: 'cancelled', status: 'cancelled' })]);
      for (const res of [await v.portal.ship(mine.id), await v.portal.deliver(mine.id)]) {
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('conflict');
        expect(res.body.detail).toContain('was cancelled');
      }
    }
    expect(await stockOf(stack.pool, variants[1])).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  });
});

describe('vendor self-service', () => {
  test("when a vendor creates a product and sets its stock, then it sells, the payout shows in /vendor/payouts, and another vendor's product or variant is 404", async () => {
    const [v, other] = [await newVendor(1000), await newVendor()];
    const created = await v.createProduct(buildProduct({ title: 'Arita tea cup', price: 2000, stock: 1 }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Arita tea cup', vendor_id: v.id });
    const productId = created.body.id as string;
    const variantId = created.body.variants[0].id as string;
    expect(await auditCount(productId, 'product.create')).toBe(1);

    // The vendor is always the key's: naming one in the body is refused, not silently rewritten.
    const named = await v.createProduct({ ...buildProduct(), vendor_id: other.id });
    expect(named.status).toBe(400);
    expect((await v.updateProduct(productId, { vendor_id: other.id })).status).toBe(400);

    const stocked = await v.setStock(variantId, 7);
    expect(stocked.status).toBe(200);
    expect(stocked.body).toMatchObject({ variant_id: variantId, on_hand: 7 });
    expect((await v.updateProduct(productId, { title: 'Arita tea cup, blue' })).body).toMatchObject({ title: 'Arita tea cup, blue', vendor_id: v.id });
    expect(((await v.products()).body.items as { id: string }[]).map((p) => p.id)).toEqual([productId]);

    // Another vendor reaches none of it, and sees nothing of it in its own list.
    expect((await other.updateProduct(productId, { title: 'mine now' })).status).toBe(404);
    expect((await other.setStock(variantId, 0)).status).toBe(404);
    expect((await other.products()).body.items).toEqual([]);
    expect((await stockOf(stack.pool, variantId)).on_hand).toBe(7);

    // It sells: a COD order of 3, shipped and delivered by the vendor itself; the payout line is the vendor's to see.
    const { order } = await placeMallOrder(stack.http, mall, [{ variantId, quantity: 3 }]);
    const [shipment] = await shipmentsOf(order.id, 1);
    expect((await v.portal.ship(shipment.id)).status).toBe(200);
    expect((await v.portal.deliver(shipment.id, order.total)).status).toBe(200);
    const payouts = await waitFor(async () => ((await v.payouts()).body.items as unknown[]).length === 1 && (await v.payouts()).body, {
      what: 'the payout line',
    });
    expect(payouts).toEqual({
      items: [
        expect.objectContaining({
          order_id: order.id,
          vendor_id: v.id,
          status: 'pending',
          gross: { amount: 6000, currency: 'JPY' },
          commission: { amount: 600, currency: 'JPY' },
          net: { amount: 5400, currency: 'JPY' },
        }),
      ],
      next_cursor: null,
    });
    expect((await other.payouts()).body).toEqual({ items: [], next_cursor: null });
  });

  test('when the back office suspends a vendor, then its product leaves the storefront, search and carts while its open shipment still ships and delivers; reactivated, it is back', async () => {
    const v = await newVendor();
    const created = await v.createProduct(buildProduct({ title: 'Shigaraki vase', price: 1500, stock: 10 }));
    const [productId, variantId] = [created.body.id as string, created.body.variants[0].id as string];
    const store = storefront(stack.http, mall.publishable_key);
    const search = () => stack.http.get('/store/search?q=shigaraki').set('X-Publishable-Key', mall.publishable_key);
    await waitFor(async () => (await search()).body.hits?.some((p: { id: string }) => p.id === productId), { what: 'the product in the index' });
    const { order } = await placeMallOrder(stack.http, mall, [{ variantId, quantity: 1 }]);
    const [shipment] = await shipmentsOf(order.id, 1);

    const office = mallOffice(stack.http, mall.admin_api_key);
    const suspended = await stack.http.patch(`/admin/vendors/${v.id}`).set('Authorization', `Bearer ${mall.admin_api_key}`).send({ status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: v.id, status: 'suspended', commission_rate_bps: 1000 });
    expect((await office.vendor(v.id)).body.status).toBe('suspended');
    expect(await auditCount(v.id, 'vendor.update')).toBe(1);

    expect((await store.product(productId)).status).toBe(404);
    expect(((await store.products('?limit=100')).body.items as { id: string }[]).some((p) => p.id === productId)).toBe(false);
    await waitFor(async () => (await search()).body.hits?.every((p: { id: string }) => p.id !== productId), { what: 'the product gone from search' });
    const cart = (await store.createCart()).body as { id: string };
    const added = await store.addItem(cart.id, variantId, 1);
    expect(added.status).toBe(404);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 1, holds_total: 1 });

    // What was already sold is still the vendor's to complete.
    expect((await v.portal.ship(shipment.id)).status).toBe(200);
    expect((await v.portal.deliver(shipment.id, order.total)).status).toBe(200);

    const bad = await stack.http.patch(`/admin/vendors/${v.id}`).set('Authorization', `Bearer ${mall.admin_api_key}`).send({ status: 'closed' });
    expect(bad.status).toBe(400);
    expect((await stack.http.patch('/admin/vendors/ven_nope').set('Authorization', `Bearer ${mall.admin_api_key}`).send({ status: 'active' })).status).toBe(
      404,
    );

    const back = await stack.http.patch(`/admin/vendors/${v.id}`).set('Authorization', `Bearer ${mall.admin_api_key}`).send({ status: 'active' });
    expect(back.status).toBe(200);
    expect((await store.product(productId)).status).toBe(200);
    expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
    await waitFor(async () => (await search()).body.hits?.some((p: { id: string }) => p.id === productId), { what: 'the product back in search' });
  });
});
