// Mall mode end to end: one cart with two vendors' goods, split fulfillment, the vendor portal, payouts, VendorIds, ship SLA.
import type { Client } from '@temporalio/client';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, createTestTenant, placeTestOrder } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, shipmentWorkflowId } from '../../domain/ids.ts';
import { OrderIdKey, VendorIdsKey } from '../../contracts/search-attributes.ts';

type Shipment = { id: string; vendor_id: string | null; status: string; cod_amount: { amount: number; currency: string } | null };
type Workflow = { id: string; type: string; status: string };
type Vendor = { id: string; variantId: string; key: string };

/** Two vendors at 10 % and 5 % of `mall`, each with a key and one product at `price` JPY. */
async function twoVendors(stack: TestStack, mall: CreatedTenant, price = 2000): Promise<[Vendor, Vendor]> {
  const make = async (bps: number): Promise<Vendor> => {
    const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: bps });
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price, stock: 5 });
    return { id, variantId, key: (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key };
  };
  return [await make(1000), await make(500)];
}

/** The order's shipments once fulfillment has created one per vendor. */
function shipmentsOf(stack: TestStack, mall: CreatedTenant, orderId: string): Promise<Shipment[]> {
  return waitFor(
    async () => {
      const { body } = await backOffice(stack.http, mall.admin_api_key).order(orderId);
      return body.shipments?.length === 2 ? (body.shipments as Shipment[]) : null;
    },
    { what: `two shipments of ${orderId}` },
  );
}

/** The order's workflows (as GET /admin/orders/:id lists them) once `accept` holds for them. */
function workflowsOf(stack: TestStack, mall: CreatedTenant, orderId: string, accept: (wfs: Workflow[]) => boolean, what: string): Promise<Workflow[]> {
  return waitFor(
    async () => {
      const wfs = (await backOffice(stack.http, mall.admin_api_key).order(orderId)).body.workflows as Workflow[];
      return accept(wfs) ? wfs : null;
    },
    { what },
  );
}

/** Workflow id → type of every execution a visibility query finds. */
async function found(client: Client, query: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const wf of client.workflow.list({ query })) out[wf.workflowId] = wf.type;
  return out;
}

describe('a mall order of two vendors', () => {
  let stack: TestStack;
  let mall: CreatedTenant;

  beforeAll(async () => {
    stack = await startTestStack();
    mall = await createTestTenant(stack.pool, { mode: 'mall' });
  });
  afterAll(async () => stack?.stop());

  test('when a two-vendor bank transfer is confirmed, shipped by a vendor and by the admin, and delivered, then the order completes and each vendor is owed one payout line by its rate', async () => {
    const admin = backOffice(stack.http, mall.admin_api_key);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const [v1, v2] = await twoVendors(stack, mall);
    const portal1 = vendorPortal(stack.http, v1.key);

    const { cartId, order } = await placeMallOrder(
      stack.http,
      mall,
      [
        { variantId: v1.variantId, quantity: 1 },
        { variantId: v2.variantId, quantity: 1 },
      ],
      'bank_transfer',
    );
    expect(order).toMatchObject({ status: 'pending_payment', total: { amount: 4000, currency: 'JPY' } });
    const confirmed = await admin.confirmPayment(order.id, 4000);
    expect(confirmed.status).toBe(200);

    // One shipment per vendor, each running its own workflow under the order's fulfillment.
    const shipments = await shipmentsOf(stack, mall, order.id);
    expect(shipments.map((s) => s.vendor_id).sort()).toEqual([v1.id, v2.id].sort());
    expect(shipments.map((s) => s.status)).toEqual(['pending', 'pending']);
    const s1 = shipments.find((s) => s.vendor_id === v1.id)!.id;
    const s2 = shipments.find((s) => s.vendor_id === v2.id)!.id;
    const running = await workflowsOf(
      stack,
      mall,
      order.id,
      (wfs) => wfs.filter((w) => w.type === 'shipment').length === 2,
      'both shipment workflows to exist',
    );
    expect(Object.fromEntries(running.map((w) => [w.id, w.type]))).toEqual({
      [checkoutWorkflowId(mall.tenant_id, cartId)]: 'checkout',
      [`payment:${mall.tenant_id}:${order.id}`]: 'paymentConfirmation',
      [fulfillmentWorkflowId(mall.tenant_id, order.id)]: 'fulfillment',
      [shipmentWorkflowId(mall.tenant_id, s1)]: 'shipment',
      [shipmentWorkflowId(mall.tenant_id, s2)]: 'shipment',
    });
    expect(running.filter((w) => w.type !== 'paymentConfirmation').map((w) => w.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    // Ops find the order's checkout by vendor 1 (visibility is eventually consistent).
    const checkoutId = checkoutWorkflowId(mall.tenant_id, cartId);
    const byVendor1 = await waitFor(
      async () => {
        const hits = await found(stack.temporal, `VendorIds='${v1.id}'`);
        return checkoutId in hits ? hits : null;
      },
      { what: `VendorIds='${v1.id}' to find the checkout workflow` },
    );
    expect(byVendor1[checkoutId]).toBe('checkoutV2');

    // Vendor 1 ships its own part with its own key.
    const shipped1 = await portal1.ship(s1);
    expect(shipped1.status).toBe(200);
    expect(shipped1.body).toMatchObject({ id: s1, vendor_id: v1.id, status: 'shipped', carrier: 'sagawa' });
    expect((await admin.order(order.id)).body.status).toBe('partially_shipped');

    // Vendor 1's key reaches neither vendor 2's shipment nor the back office; no key reaches nothing.
    const foreignShip = await portal1.ship(s2);
    expect([foreignShip.status, foreignShip.body.code]).toEqual([404, 'not_found']);
    const foreignDeliver = await portal1.deliver(s2);
    expect([foreignDeliver.status, foreignDeliver.body.code]).toEqual([404, 'not_found']);
    const asVendor1 = { Authorization: `Bearer ${v1.key}` };
    for (const res of [
      await stack.http.get('/admin/orders').set(asVendor1),
      await stack.http.get(`/admin/orders/${order.id}`).set(asVendor1),
      await stack.http.post(`/admin/shipments/${s2}/ship`).set(asVendor1).send({ carrier: 'c', tracking_number: 't' }),
    ]) {
      expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    }
    for (const res of [
      await stack.http.get('/vendor/shipments'),
      await stack.http.post(`/vendor/shipments/${s2}/ship`).send({ carrier: 'c', tracking_number: 't' }),
      await stack.http.get('/admin/orders'),
    ]) {
      expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    }
    const untouched = (await admin.order(order.id)).body;
    expect(untouched.status).toBe('partially_shipped');
    expect(untouched.shipments.find((s: Shipment) => s.id === s2)).toMatchObject({ status: 'pending', carrier: null, tracking_number: null });

    // The admin ships vendor 2's part.
    const shipped2 = await admin.ship(s2);
    expect(shipped2.status).toBe(200);
    expect(shipped2.body).toMatchObject({ id: s2, vendor_id: v2.id, status: 'shipped', carrier: 'yamato' });
    expect((await admin.order(order.id)).body.status).toBe('shipped');

    // Both delivered: vendor 1 by its key, vendor 2 by the admin.
    const delivered1 = await portal1.deliver(s1);
    expect([delivered1.status, delivered1.body.status]).toEqual([200, 'delivered']);
    expect((await admin.order(order.id)).body.status).toBe('shipped');
    const delivered2 = await admin.deliver(s2);
    expect([delivered2.status, delivered2.body.status]).toEqual([200, 'delivered']);
    const completed = (await admin.order(order.id)).body;
    expect(completed.status).toBe('completed');
    expect(completed.shipments.map((s: Shipment) => s.status)).toEqual(['delivered', 'delivered']);
    expect((await portal1.shipments()).body.items.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([[s1, 'delivered']]);

    // Every workflow of the order ends completed; fulfillment records the payout lines on its way out.
    const ended = await workflowsOf(
      stack,
      mall,
      order.id,
      (wfs) => wfs.length === 5 && wfs.every((w) => w.status === 'COMPLETED'),
      'every workflow of the order to complete',
    );
    expect(ended.map((w) => w.type).sort()).toEqual(['checkout', 'fulfillment', 'paymentConfirmation', 'shipment', 'shipment']);
    const lines1 = (await office.payouts(v1.id)).body;
    const lines2 = (await office.payouts(v2.id)).body;
    expect(lines1).toEqual({
      items: [expect.objectContaining({ order_id: order.id, vendor_id: v1.id, status: 'pending', reference: null, paid_at: null })],
      next_cursor: null,
    });
    expect(lines1.items[0]).toMatchObject({
      gross: { amount: 2000, currency: 'JPY' },
      commission: { amount: 200, currency: 'JPY' },
      net: { amount: 1800, currency: 'JPY' },
      commission_rate_bps: 1000,
    });
    expect(lines2).toEqual({
      items: [expect.objectContaining({ order_id: order.id, vendor_id: v2.id, status: 'pending', reference: null, paid_at: null })],
      next_cursor: null,
    });
    expect(lines2.items[0]).toMatchObject({
      gross: { amount: 2000, currency: 'JPY' },
      commission: { amount: 100, currency: 'JPY' },
      net: { amount: 1900, currency: 'JPY' },
      commission_rate_bps: 500,
    });
    expect(stack.notifier.sent.filter((n) => n.template === 'order_completed' && n.data.order_id === order.id)).toHaveLength(1);
    expect(
      stack.notifier.sent
        .filter((n) => n.template === 'order_shipped' && n.data.order_id === order.id)
        .map((n) => n.data.shipment_id)
        .sort(),
    ).toEqual([s1, s2].sort());

    // Paying vendor 1's line marks it paid; vendor 2's stays owed.
    const paid = await office.pay(lines1.items[0].id, 'wire-mall-001');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: lines1.items[0].id, status: 'paid', reference: 'wire-mall-001', net: { amount: 1800, currency: 'JPY' } });
    expect((await office.payouts(v1.id)).body.items).toEqual([expect.objectContaining({ id: lines1.items[0].id, status: 'paid', reference: 'wire-mall-001' })]);
    expect((await office.payouts(v2.id)).body.items).toEqual([expect.objectContaining({ id: lines2.items[0].id, status: 'pending' })]);
  });

  test("when a two-vendor order is placed, then ops find its workflows by either vendor's VendorIds, and each shipment only by its own vendor", async () => {
    const [v1, v2] = await twoVendors(stack, mall, 900);
    const { cartId, order } = await placeMallOrder(
      stack.http,
      mall,
      [
        { variantId: v1.variantId, quantity: 1 },
        { variantId: v2.variantId, quantity: 2 },
      ],
      'cod',
    );
    const shipments = await shipmentsOf(stack, mall, order.id);
    const checkoutId = checkoutWorkflowId(mall.tenant_id, cartId);
    const fulfillmentId = fulfillmentWorkflowId(mall.tenant_id, order.id);
    const shipmentIdOf = (vendorId: string) => shipmentWorkflowId(mall.tenant_id, shipments.find((s) => s.vendor_id === vendorId)!.id);

    // Visibility is eventually consistent: wait until the query finds what it must.
    const byVendor1 = await waitFor(
      async () => {
        const hits = await found(stack.temporal, `VendorIds='${v1.id}'`);
        return [checkoutId, fulfillmentId, shipmentIdOf(v1.id)].every((id) => id in hits) ? hits : null;
      },
      { what: `VendorIds='${v1.id}' to find the order's workflows` },
    );
    expect(byVendor1[checkoutId]).toBe('checkoutV2');
    expect(byVendor1[fulfillmentId]).toBe('fulfillmentV2');
    expect(byVendor1[shipmentIdOf(v1.id)]).toBe('shipment');
    expect(Object.keys(byVendor1)).not.toContain(shipmentIdOf(v2.id));
    await waitFor(
      async () => {
        const hits = await found(stack.temporal, `VendorIds='${v2.id}'`);
        return checkoutId in hits && shipmentIdOf(v2.id) in hits ? hits : null;
      },
      { what: `VendorIds='${v2.id}' to find the checkout and vendor 2's shipment` },
    );

    const described = await stack.temporal.workflow.getHandle(checkoutId).describe();
    expect([...(described.typedSearchAttributes.get(VendorIdsKey) ?? [])].sort()).toEqual([v1.id, v2.id].sort());
    expect((await stack.temporal.workflow.getHandle(shipmentIdOf(v2.id)).describe()).typedSearchAttributes.get(VendorIdsKey)).toEqual([v2.id]);
  });

  test('when a single-brand order is placed, then its checkout and fulfillment workflows carry no VendorIds', async () => {
    const shop = await createTestTenant(stack.pool);
    const { cartId, order } = await placeTestOrder(stack.http, shop, { payment_method: 'cod' });
    const checkout = stack.temporal.workflow.getHandle(checkoutWorkflowId(shop.tenant_id, cartId));
    const fulfillment = stack.temporal.workflow.getHandle(fulfillmentWorkflowId(shop.tenant_id, order.id));

    // OrderId is set in the same step that would set VendorIds, so once it is there the attributes are final.
    const described = await waitFor(
      async () => {
        const d = await checkout.describe();
        return d.typedSearchAttributes.get(OrderIdKey) === order.id ? d : null;
      },
      { what: 'OrderId on the checkout workflow' },
    );
    expect(described.typedSearchAttributes.get(VendorIdsKey)).toBeUndefined();
    const shipment = await waitFor(async () => (await backOffice(stack.http, shop.admin_api_key).order(order.id)).body.shipments[0] as Shipment | undefined, {
      what: 'the shipment',
    });
    expect(shipment.vendor_id).toBeNull();
    const fulfillmentDescribed = await fulfillment.describe();
    expect(fulfillmentDescribed.typedSearchAttributes.get(OrderIdKey)).toBe(order.id);
    expect(fulfillmentDescribed.typedSearchAttributes.get(VendorIdsKey)).toBeUndefined();
  });
});

describe('the vendor ship SLA', () => {
  let stack: TestStack;
  let mall: CreatedTenant;

  beforeAll(async () => {
    stack = await startTestStack({ config: { VENDOR_SHIP_SLA: '2s' } });
    mall = await createTestTenant(stack.pool, { mode: 'mall' });
  });
  afterAll(async () => stack?.stop());

  test('when a shipment is not shipped within the SLA, then operations get one shipment_late notice naming the shipment and its vendor, and the order can still complete', async () => {
    const admin = backOffice(stack.http, mall.admin_api_key);
    const [v1, v2] = await twoVendors(stack, mall, 1500);
    const { order } = await placeMallOrder(
      stack.http,
      mall,
      [
        { variantId: v1.variantId, quantity: 1 },
        { variantId: v2.variantId, quantity: 1 },
      ],
      'cod',
    );
    const shipments = await shipmentsOf(stack, mall, order.id);
    const lateNotices = () => stack.notifier.sent.filter((n) => n.template === 'shipment_late' && n.data.order_id === order.id);

    const notices = await waitFor(async () => (lateNotices().length === 2 ? lateNotices() : null), {
      what: 'a shipment_late notice for each pending shipment',
    });
    const byShipment = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.shipment_id).localeCompare(String(b.shipment_id));
    expect(notices.map((n): Record<string, unknown> => ({ to: n.to, tenantId: n.tenantId, ...n.data })).sort(byShipment)).toEqual(
      shipments
        .map((s) => ({ to: 'operations', tenantId: mall.tenant_id, order_id: order.id, shipment_id: s.id, vendor_id: s.vendor_id, sla_ms: 2000 }))
        .sort(byShipment),
    );
    expect((await admin.order(order.id)).body.status).toBe('pending_shipment');

    // Late is a notice, not a failure: both vendors still ship and deliver (cash collected per shipment).
    for (const s of shipments) {
      const portal = vendorPortal(stack.http, s.vendor_id === v1.id ? v1.key : v2.key);
      expect((await portal.ship(s.id)).status).toBe(200);
      expect((await portal.deliver(s.id, s.cod_amount!)).status).toBe(200);
    }
    expect((await admin.order(order.id)).body.status).toBe('completed');
    await waitFor(
      async () => (await stack.temporal.workflow.getHandle(fulfillmentWorkflowId(mall.tenant_id, order.id)).describe()).status.name === 'COMPLETED',
      { what: 'fulfillment to complete' },
    );
    expect(lateNotices()).toHaveLength(2);
  });
});
