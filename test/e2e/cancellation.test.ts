// Cancelling an order before it ships, from the back office or from Temporal itself, runs the compensation.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { checkoutWorkflowId } from '../../domain/ids.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

type Wf = { type: string; status: string };
const workflowsSettled = (orderId: string, expected: Record<string, string[]>) =>
  waitFor(
    async () => {
      const wfs = (await backOffice(stack.http, tenant.admin_api_key).order(orderId)).body.workflows as Wf[];
      const byType = Object.fromEntries(wfs.map((w) => [w.type, w.status]));
      return Object.keys(byType).length === Object.keys(expected).length && Object.entries(expected).every(([type, ok]) => ok.includes(byType[type]))
        ? byType
        : null;
    },
    { what: `workflows of ${orderId} to end as ${JSON.stringify(expected)}` },
  );

describe('order cancellation', () => {
  test('when the back office cancels an unpaid bank-transfer order, then stock is released, the payment voided, its workflows end, and a second cancel is 409', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const store = storefront(stack.http, tenant.publishable_key);
    const { productId, variantId, order } = await placeTestOrder(stack.http, tenant, { price: 800, stock: 4, quantity: 3 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 3, holds_total: 3 });

    const res = await admin.cancel(order.id, 'changed my mind');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'cancelled', payments: [{ method: 'bank_transfer', status: 'voided' }] });
    expect(res.body.cancel_reason).toContain('changed my mind');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 0, holds_total: 0 });
    expect((await store.product(productId)).body.variants[0].available_quantity).toBe(4);
    expect((await store.order(order.id, order.access_token)).body).toMatchObject({ status: 'cancelled', payment: { status: 'voided' } });

    const settled = await workflowsSettled(order.id, { checkout: ['COMPLETED'], paymentConfirmation: ['CANCELLED', 'COMPLETED'] });
    expect(settled.checkout).toBe('COMPLETED');
    expect(stack.notifier.sent.filter((n) => n.template === 'order_cancelled' && n.data.order_id === order.id)).toHaveLength(1);

    const again = await admin.cancel(order.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
    const confirm = await admin.confirmPayment(order.id, 2400);
    expect(confirm.status).toBe(409);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 0, holds_total: 0 });
  });

  test('when the back office cancels a COD order awaiting shipment, then its shipment is cancelled and fulfillment ends', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId, order } = await placeTestOrder(stack.http, tenant, { stock: 2, quantity: 2, payment_method: 'cod' });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });

    const res = await admin.cancel(order.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      shipments: [{ id: shipment.id, status: 'cancelled' }],
      payments: [{ method: 'cod', status: 'voided' }],
    });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });
    // The single brand's parcel is followed by the fulfillment itself: it has no workflow of its own to cancel.
    await workflowsSettled(order.id, { checkout: ['COMPLETED'], fulfillment: ['CANCELLED', 'COMPLETED'] });
    const ship = await admin.ship(shipment.id);
    expect(ship.status).toBe(409);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });
  });

  test('when a COD order has shipped, then cancelling it is 409 and nothing changes', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId, order } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 3, quantity: 1, payment_method: 'cod' });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    const before = (await admin.order(order.id)).body;
    const stockBefore = await stockOf(stack.pool, variantId);
    expect(stockBefore).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });

    const res = await admin.cancel(order.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    const after = (await admin.order(order.id)).body;
    expect(after.status).toBe('shipped');
    expect(after.cancel_reason).toBeNull();
    expect(after.shipments).toEqual(before.shipments);
    expect(after.payments).toEqual(before.payments);
    expect(after.updated_at).toBe(before.updated_at);
    expect(await stockOf(stack.pool, variantId)).toEqual(stockBefore);
    expect(stack.notifier.sent.some((n) => n.template === 'order_cancelled' && n.data.order_id === order.id)).toBe(false);
    // The order is still deliverable.
    expect((await admin.deliver(shipment.id, { amount: 1000, currency: 'JPY' })).status).toBe(200);
  });

  test('when ops cancel the checkout workflow from Temporal, then the compensation cancels the COD order and releases its stock', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId, cartId, order } = await placeTestOrder(stack.http, tenant, { stock: 5, quantity: 2, payment_method: 'cod' });
    expect(order.status).toBe('pending_shipment');
    await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    const handle = stack.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cartId));

    await handle.cancel();

    const cancelled = await waitFor(
      async () => {
        const res = await admin.order(order.id);
        return res.body.status === 'cancelled' ? res.body : null;
      },
      { what: 'the order to be cancelled by the compensation' },
    );
    expect(cancelled).toMatchObject({ shipments: [{ status: 'cancelled' }], payments: [{ method: 'cod', status: 'voided' }] });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    await waitFor(async () => (await handle.describe()).status.name === 'CANCELLED', { what: 'the checkout workflow to end cancelled' });
    await workflowsSettled(order.id, { checkout: ['CANCELLED'], fulfillment: ['CANCELLED', 'COMPLETED'] });
    const notice = await waitFor(async () => stack.notifier.sent.find((n) => n.template === 'order_cancelled' && n.data.order_id === order.id), {
      what: 'order_cancelled notification',
    });
    expect(notice.data.reason).toBe('workflow_cancelled');
  });

  test('when ops cancel the checkout workflow from Temporal after the COD order shipped, then the order is not stranded: it can still be delivered and completes', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId, cartId, order } = await placeTestOrder(stack.http, tenant, { price: 600, stock: 5, quantity: 2, payment_method: 'cod' });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    const handle = stack.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cartId));

    await handle.cancel();
    // Wait until the checkout workflow has run a workflow task after the cancel request (it has reacted to it).
    await waitFor(
      async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        const requested = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
        return requested >= 0 && events.slice(requested).some((e) => e.workflowTaskCompletedEventAttributes);
      },
      { what: 'the checkout workflow to process the cancel request' },
    );

    expect((await admin.order(order.id)).body.status).toBe('shipped');
    const delivered = await admin.deliver(shipment.id, { amount: 1200, currency: 'JPY' });
    expect({ status: delivered.status, detail: delivered.body.detail }).toEqual({ status: 200, detail: undefined });
    const settled = await waitFor(
      async () => {
        const d = await handle.describe();
        return d.status.name === 'RUNNING' ? null : d.status.name;
      },
      { what: 'the checkout workflow to close' },
    );
    expect(['COMPLETED', 'CANCELLED']).toContain(settled);
    const done = (await admin.order(order.id)).body;
    expect(done).toMatchObject({ status: 'completed', payments: [{ status: 'captured' }] });
    expect(done.workflows.find((w: Wf) => w.type === 'fulfillment')?.status).toBe('COMPLETED');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });
});
