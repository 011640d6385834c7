// Cancelling a two-vendor mall order: before anything ships every shipment stops and all stock comes back; after, 409.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, stockOf } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';
import { shipmentWorkflowId } from '../../domain/ids.ts';

type Shipment = { id: string; vendor_id: string | null; status: string; cod_amount: { amount: number; currency: string } | null };
type Workflow = { id: string; type: string; status: string };

let stack: TestStack;
let mall: CreatedTenant;

beforeAll(async () => ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall' })));
afterAll(async () => stack?.stop());

const STOCK = 10;

/** Two vendors with a key and a product each (10 in stock), and a COD order of 2 of vendor 1's and 3 of vendor 2's, split into two shipments. */
async function twoVendorCodOrder() {
  const vendors = [];
  for (const [bps, price] of [
    [1000, 1200],
    [500, 700],
  ]) {
    const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: bps });
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price, stock: STOCK });
    vendors.push({ id, variantId, key: (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key });
  }
  const [v1, v2] = vendors;
  const { order } = await placeMallOrder(
    stack.http,
    mall,
    [
      { variantId: v1.variantId, quantity: 2 },
      { variantId: v2.variantId, quantity: 3 },
    ],
    'cod',
  );
  expect(order).toMatchObject({ status: 'pending_shipment', total: { amount: 2 * 1200 + 3 * 700, currency: 'JPY' } });
  const shipments = await waitFor(
    async () => {
      const { body } = await backOffice(stack.http, mall.admin_api_key).order(order.id);
      return body.shipments?.length === 2 ? (body.shipments as Shipment[]) : null;
    },
    { what: 'two shipments, one per vendor' },
  );
  // Both shipment workflows are running: cancellation has to stop them, not just a fulfillment that never split.
  await workflowsOf(order.id, (wfs) => wfs.filter((w) => w.type === 'shipment' && w.status === 'RUNNING').length === 2, 'both shipment workflows to run');
  const shipmentOf = (vendorId: string) => shipments.find((s) => s.vendor_id === vendorId)!;
  return { order, v1, v2, s1: shipmentOf(v1.id), s2: shipmentOf(v2.id) };
}

/** The order's workflows (as GET /admin/orders/:id lists them) once `accept` holds for them. */
function workflowsOf(orderId: string, accept: (wfs: Workflow[]) => boolean, what: string): Promise<Workflow[]> {
  return waitFor(
    async () => {
      const wfs = (await backOffice(stack.http, mall.admin_api_key).order(orderId)).body.workflows as Workflow[];
      return accept(wfs) ? wfs : null;
    },
    { what },
  );
}

describe('mall order cancellation', () => {
  test("when the back office cancels a two-vendor COD order before anything ships, then both shipments are cancelled, both vendors' stock is restored exactly, the shipment workflows end cancelled and no payout is owed", async () => {
    const admin = backOffice(stack.http, mall.admin_api_key);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const { order, v1, v2, s1, s2 } = await twoVendorCodOrder();
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK, reserved: 2, holds_total: 2 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK, reserved: 3, holds_total: 3 });

    const res = await admin.cancel(order.id, 'buyer changed their mind');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'cancelled', payments: [{ method: 'cod', status: 'voided' }] });
    expect(res.body.cancel_reason).toContain('buyer changed their mind');
    expect(res.body.shipments.map((s: Shipment) => [s.id, s.status]).sort()).toEqual(
      [
        [s1.id, 'cancelled'],
        [s2.id, 'cancelled'],
      ].sort(),
    );
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK, reserved: 0, holds_total: 0 });

    // The cancellation reaches every shipment workflow; the order's process ends.
    const ended = await workflowsOf(order.id, (wfs) => wfs.every((w) => w.status !== 'RUNNING'), 'every workflow of the order to end');
    const statusOf = Object.fromEntries(ended.map((w) => [w.id, w.status]));
    expect(statusOf[shipmentWorkflowId(mall.tenant_id, s1.id)]).toBe('CANCELLED');
    expect(statusOf[shipmentWorkflowId(mall.tenant_id, s2.id)]).toBe('CANCELLED');
    expect(ended.find((w) => w.type === 'checkout')?.status).toBe('COMPLETED');
    expect(['CANCELLED', 'COMPLETED']).toContain(ended.find((w) => w.type === 'fulfillment')?.status);

    // Nothing is owed to either vendor, and the shipments can no longer move.
    expect((await office.payouts(v1.id)).body).toEqual({ items: [], next_cursor: null });
    expect((await office.payouts(v2.id)).body).toEqual({ items: [], next_cursor: null });
    expect((await vendorPortal(stack.http, v1.key).ship(s1.id)).status).toBe(409);
    expect((await admin.ship(s2.id)).status).toBe(409);
    expect((await admin.cancel(order.id)).status).toBe(409);
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK, reserved: 0, holds_total: 0 });
    expect(stack.notifier.sent.filter((n) => n.template === 'order_cancelled' && n.data.order_id === order.id)).toHaveLength(1);
  });

  test("when one vendor's shipment has shipped, then cancelling the order is 409, nothing changes, and the other shipment still ships and the order completes", async () => {
    const admin = backOffice(stack.http, mall.admin_api_key);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const { order, v1, v2, s1, s2 } = await twoVendorCodOrder();
    const portal1 = vendorPortal(stack.http, v1.key);
    expect((await portal1.ship(s1.id)).status).toBe(200);
    const before = (await admin.order(order.id)).body;
    expect(before.status).toBe('partially_shipped');
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK - 2, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK, reserved: 3, holds_total: 3 });

    const res = await admin.cancel(order.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    const after = (await admin.order(order.id)).body;
    expect(after.status).toBe('partially_shipped');
    expect(after.cancel_reason).toBeNull();
    expect(after.shipments).toEqual(before.shipments);
    expect(after.shipments.find((s: Shipment) => s.id === s2.id).status).toBe('pending');
    expect(after.payments).toEqual(before.payments);
    expect(after.updated_at).toBe(before.updated_at);
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK - 2, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK, reserved: 3, holds_total: 3 });
    expect(stack.notifier.sent.some((n) => n.template === 'order_cancelled' && n.data.order_id === order.id)).toBe(false);

    // The rest of the order carries on: vendor 2's part ships, both are delivered with their cash, the order completes.
    expect((await admin.ship(s2.id)).status).toBe(200);
    expect((await admin.order(order.id)).body.status).toBe('shipped');
    expect((await portal1.deliver(s1.id, s1.cod_amount!)).status).toBe(200);
    expect((await vendorPortal(stack.http, v2.key).deliver(s2.id, s2.cod_amount!)).status).toBe(200);
    const completed = (await admin.order(order.id)).body;
    expect(completed.status).toBe('completed');
    expect(completed.payments).toEqual([expect.objectContaining({ method: 'cod', received: { amount: 2 * 1200 + 3 * 700, currency: 'JPY' } })]);
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK - 2, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK - 3, reserved: 0, holds_total: 0 });
    await workflowsOf(order.id, (wfs) => wfs.length === 4 && wfs.every((w) => w.status === 'COMPLETED'), 'every workflow of the order to complete');
    expect((await office.payouts(v1.id)).body.items).toEqual([
      expect.objectContaining({
        order_id: order.id,
        gross: { amount: 2400, currency: 'JPY' },
        commission: { amount: 240, currency: 'JPY' },
        net: { amount: 2160, currency: 'JPY' },
      }),
    ]);
    expect((await office.payouts(v2.id)).body.items).toEqual([
      expect.objectContaining({
        order_id: order.id,
        gross: { amount: 2100, currency: 'JPY' },
        commission: { amount: 105, currency: 'JPY' },
        net: { amount: 1995, currency: 'JPY' },
      }),
    ]);
  });
});
