// Payout lines of a multi-vendor order against real PostgreSQL: amounts by the rounding rule, idempotency, manual payout.
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { createTestTenant, outboxEvents, placeTestOrder } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { createPayoutsForOrder } from '../../db/queries/payouts.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let mall: CreatedTenant;

beforeAll(async () => ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall' })));
afterAll(async () => stack?.stop());

/** A COD order with 2,000 JPY of goods from each of two vendors at 10 % and 5 %. */
async function twoVendorOrder() {
  const tenVendor = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: 1000 });
  const fiveVendor = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: 500 });
  const tenVariant = await seedVendorProduct(stack.http, mall.admin_api_key, tenVendor, { price: 1000 });
  const fiveVariant = await seedVendorProduct(stack.http, mall.admin_api_key, fiveVendor, { price: 2000 });
  const { order } = await placeMallOrder(stack.http, mall, [
    { variantId: tenVariant, quantity: 2 },
    { variantId: fiveVariant, quantity: 1 },
  ]);
  return { tenVendor, fiveVendor, order };
}

describe('vendor payouts', () => {
  test('when payouts are created for a two-vendor order, then each vendor gets gross, commission by its rate and net, once', async () => {
    const admin = mallOffice(stack.http, mall.admin_api_key);
    const { tenVendor, fiveVendor, order } = await twoVendorOrder();
    expect(order.total).toEqual({ amount: 4000, currency: 'JPY' });

    expect(await createPayoutsForOrder(stack.pool, mall.tenant_id, order.id)).toBe(2);
    const ten = (await admin.payouts(tenVendor)).body;
    const five = (await admin.payouts(fiveVendor)).body;
    expect(ten).toEqual({
      items: [expect.objectContaining({ order_id: order.id, vendor_id: tenVendor, status: 'pending', reference: null, paid_at: null })],
      next_cursor: null,
    });
    expect(ten.items[0]).toMatchObject({
      gross: { amount: 2000, currency: 'JPY' },
      commission: { amount: 200, currency: 'JPY' },
      net: { amount: 1800, currency: 'JPY' },
      currency: 'JPY',
      commission_rate_bps: 1000,
    });
    expect(five.items).toHaveLength(1);
    expect(five.items[0]).toMatchObject({
      order_id: order.id,
      gross: { amount: 2000 },
      commission: { amount: 100 },
      net: { amount: 1900 },
      status: 'pending',
      commission_rate_bps: 500,
    });
    expect(ten.items[0].cursor_at).toBeUndefined();

    expect(await createPayoutsForOrder(stack.pool, mall.tenant_id, order.id)).toBe(0);
    await Promise.all([createPayoutsForOrder(stack.pool, mall.tenant_id, order.id), createPayoutsForOrder(stack.pool, mall.tenant_id, order.id)]);
    expect((await admin.payouts(tenVendor)).body.items).toHaveLength(1);
    const created = await outboxEvents(stack.pool, 'payout.created', 'order_id', order.id);
    expect(created.map((e) => e.payload.vendor_id).sort()).toEqual([tenVendor, fiveVendor].sort());
    expect(created.find((e) => e.payload.vendor_id === tenVendor)?.payload).toMatchObject({
      payout_id: ten.items[0].id,
      net: { amount: 1800, currency: 'JPY' },
    });
  });

  test('when a pending payout is paid, then it is paid with its reference once, and paying it again is 409', async () => {
    const admin = mallOffice(stack.http, mall.admin_api_key);
    const { tenVendor, order } = await twoVendorOrder();
    await createPayoutsForOrder(stack.pool, mall.tenant_id, order.id);
    const line = (await admin.payouts(tenVendor)).body.items[0];

    const paid = await admin.pay(line.id, 'wire-2025-11-001');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: line.id, status: 'paid', reference: 'wire-2025-11-001', net: { amount: 1800, currency: 'JPY' } });
    expect(Date.parse(paid.body.paid_at)).not.toBeNaN();

    const again = await admin.pay(line.id, 'wire-2025-11-002');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
    expect((await admin.payouts(tenVendor)).body.items[0]).toMatchObject({ status: 'paid', reference: 'wire-2025-11-001' });
    expect(await outboxEvents(stack.pool, 'payout.paid', 'payout_id', line.id)).toHaveLength(1);
  });

  test('when a payout id is unknown or of another tenant, then paying it is 404 and a blank reference is 400', async () => {
    const admin = mallOffice(stack.http, mall.admin_api_key);
    const { fiveVendor, order } = await twoVendorOrder();
    await createPayoutsForOrder(stack.pool, mall.tenant_id, order.id);
    const line = (await admin.payouts(fiveVendor)).body.items[0];
    const otherMall = await createTestTenant(stack.pool, { mode: 'mall' });

    expect((await admin.pay('po_missing')).status).toBe(404);
    expect((await mallOffice(stack.http, otherMall.admin_api_key).pay(line.id)).status).toBe(404);
    expect((await mallOffice(stack.http, otherMall.admin_api_key).payouts(fiveVendor)).status).toBe(404);
    const blank = await admin.pay(line.id, '  ');
    expect(blank.status).toBe(400);
    expect(blank.body.code).toBe('validation_failed');
    expect((await admin.payouts(fiveVendor)).body.items[0].status).toBe('pending');
  });

  test('when a vendor has payouts of several orders, then they are listed newest first a page at a time', async () => {
    const admin = mallOffice(stack.http, mall.admin_api_key);
    const vendorId = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: 333 });
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendorId, { price: 1001, stock: 10 });
    const orders: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { order } = await placeMallOrder(stack.http, mall, [{ variantId, quantity: 1 }]);
      expect(await createPayoutsForOrder(stack.pool, mall.tenant_id, order.id)).toBe(1);
      orders.push(order.id);
    }
    const first = (await admin.payouts(vendorId, '?limit=2')).body;
    const second = (await admin.payouts(vendorId, `?limit=2&cursor=${first.next_cursor}`)).body;
    expect(second.next_cursor).toBeNull();
    expect([...first.items, ...second.items].map((p: { order_id: string }) => p.order_id)).toEqual([...orders].reverse());
    // 1001 × 3.33 % = 33.3333 → 33.
    expect(second.items[0]).toMatchObject({ gross: { amount: 1001 }, commission: { amount: 33 }, net: { amount: 968 } });
    expect((await admin.payouts('ven_missing')).status).toBe(404);
  });

  test('when a single-brand order gets payouts, then no line is created', async () => {
    const shop = await createTestTenant(stack.pool);
    const { order } = await placeTestOrder(stack.http, shop, { payment_method: 'cod' });
    expect(await createPayoutsForOrder(stack.pool, shop.tenant_id, order.id)).toBe(0);
    expect(await outboxEvents(stack.pool, 'payout.created', 'order_id', order.id)).toHaveLength(0);
  });

  test('when an order id is unknown or of another tenant, then createPayoutsForOrder throws NotFoundError', async () => {
    const { order } = await twoVendorOrder();
    const other = await createTestTenant(stack.pool, { mode: 'mall' });
    await expect(createPayoutsForOrder(stack.pool, other.tenant_id, order.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(createPayoutsForOrder(stack.pool, mall.tenant_id, 'ord_missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
