// Mall-mode access: vendors exist only in malls, a vendor key reaches only /vendor/* and only its own shipments.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, createTestTenant } from '../helpers/factories.ts';
import { buildVendor, mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';

let stack: TestStack;
let mall: CreatedTenant;

beforeAll(async () => ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall' })));
afterAll(async () => stack?.stop());

/** Two vendors with a key and a product each, and a COD order holding both vendors' items, split into two shipments. */
async function twoVendorOrder() {
  const vendors = await Promise.all(
    [1000, 500].map(async (bps) => {
      const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: bps });
      const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price: 1000, stock: 10 });
      return { id, variantId, key: (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key };
    }),
  );
  const { order } = await placeMallOrder(stack.http, mall, [
    { variantId: vendors[0].variantId, quantity: 2 },
    { variantId: vendors[1].variantId, quantity: 1 },
  ]);
  const shipments = await waitFor(
    async () => {
      const { body } = await backOffice(stack.http, mall.admin_api_key).order(order.id);
      return body.shipments?.length === 2 ? (body.shipments as { id: string; vendor_id: string; status: string }[]) : null;
    },
    { what: 'two shipments, one per vendor' },
  );
  const shipmentOf = (vendorId: string) => shipments.find((s) => s.vendor_id === vendorId)!;
  return { order, vendors, shipmentOf };
}

describe('vendors and the vendor portal', () => {
  test('when a single-brand tenant creates a vendor, then it is refused with 409 and no vendor exists', async () => {
    const shop = await createTestTenant(stack.pool);
    const office = mallOffice(stack.http, shop.admin_api_key);
    const res = await office.createVendor(buildVendor());
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    expect((await office.vendors()).body).toEqual({ items: [], next_cursor: null });
  });

  test('when a mall creates vendors, then they are listed by cursor and fetched by id; bad input is 400 and unknown ids 404', async () => {
    const shop = await createTestTenant(stack.pool, { mode: 'mall' });
    const office = mallOffice(stack.http, shop.admin_api_key);
    const created = await office.createVendor(buildVendor({ name: 'Kyoto Ceramics', commission_rate_bps: 1250 }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ven_/),
      name: 'Kyoto Ceramics',
      commission_rate_bps: 1250,
      status: 'active',
      created_at: expect.any(String),
    });
    await seedVendor(stack.http, shop.admin_api_key, { status: 'suspended' });
    await seedVendor(stack.http, shop.admin_api_key);

    const first = (await office.vendors('?limit=2')).body;
    expect(first.items).toHaveLength(2);
    const second = (await office.vendors(`?limit=2&cursor=${first.next_cursor}`)).body;
    expect(second).toMatchObject({ next_cursor: null });
    expect(new Set([...first.items, ...second.items].map((v: { id: string }) => v.id)).size).toBe(3);
    expect((await office.vendor(created.body.id)).body).toEqual(created.body);
    expect((await office.vendor('ven_missing')).status).toBe(404);
    expect((await mallOffice(stack.http, mall.admin_api_key).vendor(created.body.id)).status).toBe(404);

    for (const body of [
      { name: 'x', commission_rate_bps: 10_001 },
      { name: 'x', commission_rate_bps: 10.5 },
      { name: '', commission_rate_bps: 100 },
      { name: 'x' },
      { name: 'x', commission_rate_bps: 1, status: 'gone' },
    ]) {
      const res = await office.createVendor(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await office.vendors()).body.items).toHaveLength(3);
  });

  test('when a vendor key calls /admin or no key calls /vendor, then it is 403 or 401', async () => {
    const vendorId = await seedVendor(stack.http, mall.admin_api_key);
    const { api_key } = await createVendorKey(stack.pool, mall.tenant_id, vendorId);
    const asVendor = { Authorization: `Bearer ${api_key}` };
    for (const path of ['/admin/products', '/admin/orders', '/admin/vendors', `/admin/vendors/${vendorId}/payouts`]) {
      const res = await stack.http.get(path).set(asVendor);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
    }
    expect((await stack.http.post('/admin/vendors').set(asVendor).send(buildVendor())).status).toBe(403);
    expect((await stack.http.post('/admin/payouts/po_x/pay').set(asVendor).send({ reference: 'r' })).status).toBe(403);

    const anonymous = await stack.http.get('/vendor/shipments');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    expect((await stack.http.post('/vendor/shipments/shp_x/ship').send({ carrier: 'c', tracking_number: 't' })).status).toBe(401);
    expect((await stack.http.get('/vendor/shipments').set({ Authorization: `Bearer ${mall.admin_api_key}` })).status).toBe(403);
    expect((await stack.http.get('/admin/vendors')).status).toBe(401);
  });

  test("when a vendor lists shipments, then it sees only its own part of the order, and another vendor's shipment is 404", async () => {
    const { order, vendors, shipmentOf } = await twoVendorOrder();
    const [a, b] = vendors;
    const portalA = vendorPortal(stack.http, a.key);

    const listed = await portalA.shipments();
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      items: [
        {
          id: shipmentOf(a.id).id,
          order_id: order.id,
          vendor_id: a.id,
          order_status: 'pending_shipment',
          status: 'pending',
          carrier: null,
          tracking_number: null,
          items: [{ sku: expect.any(String), title: expect.any(String), quantity: 2 }],
          shipping_address: expect.objectContaining({ name: 'Hanako Yamada', postal_code: '100-0005', country: 'JP' }),
          shipped_at: null,
          delivered_at: null,
          created_at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    expect((await vendorPortal(stack.http, b.key).shipments()).body.items.map((s: { id: string }) => s.id)).toEqual([shipmentOf(b.id).id]);

    const foreign = shipmentOf(b.id).id;
    const ship = await portalA.ship(foreign);
    expect(ship.status).toBe(404);
    expect(ship.body.code).toBe('not_found');
    expect((await portalA.deliver(foreign, { amount: 1000, currency: 'JPY' })).status).toBe(404);
    const after = (await backOffice(stack.http, mall.admin_api_key).order(order.id)).body;
    expect(after.status).toBe('pending_shipment');
    expect(after.shipments.map((s: { status: string }) => s.status)).toEqual(['pending', 'pending']);
  });

  test('when a vendor has several orders, then its shipments come newest first a page at a time', async () => {
    const vendorId = await seedVendor(stack.http, mall.admin_api_key);
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendorId, { stock: 10 });
    const portal = vendorPortal(stack.http, (await createVendorKey(stack.pool, mall.tenant_id, vendorId)).api_key);
    const orders: string[] = [];
    let all: { id: string; order_id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      orders.push((await placeMallOrder(stack.http, mall, [{ variantId, quantity: 1 }])).order.id);
      // Shipments are created by each order's fulfillment workflow: wait for one before placing the next.
      all = await waitFor(
        async () => {
          const { body } = await portal.shipments();
          return body.items.length === i + 1 ? body.items : null;
        },
        { what: `the vendor's shipment ${i + 1}` },
      );
    }
    expect(all.map((s: { order_id: string }) => s.order_id)).toEqual([...orders].reverse());

    const first = (await portal.shipments('?limit=2')).body;
    const second = (await portal.shipments(`?limit=2&cursor=${first.next_cursor}`)).body;
    expect([...first.items, ...second.items].map((s: { id: string }) => s.id)).toEqual(all.map((s: { id: string }) => s.id));
    expect(second.next_cursor).toBeNull();
    expect((await portal.shipments('?cursor=bm9wZQ')).status).toBe(400);
  });

  test('when a vendor ships and delivers its own shipment, then the shipment moves and the order is partially shipped', async () => {
    const { order, vendors, shipmentOf } = await twoVendorOrder();
    const [a] = vendors;
    const portalA = vendorPortal(stack.http, a.key);
    const mine = shipmentOf(a.id).id;

    const shipped = await portalA.ship(mine);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ id: mine, vendor_id: a.id, status: 'shipped', carrier: 'sagawa', cod_amount: { amount: 2000, currency: 'JPY' } });
    expect((await portalA.ship(mine)).status).toBe(409);
    expect((await backOffice(stack.http, mall.admin_api_key).order(order.id)).body.status).toBe('partially_shipped');

    const delivered = await portalA.deliver(mine, { amount: 2000, currency: 'JPY' });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ id: mine, status: 'delivered', cod_collected: { amount: 2000, currency: 'JPY' } });
    expect((await portalA.shipments()).body.items[0]).toMatchObject({ id: mine, status: 'delivered' });
  });
});
