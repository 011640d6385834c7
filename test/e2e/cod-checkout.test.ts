// Cash on delivery: the order ships unpaid and completes only when the courier collects the exact cash.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

describe('cash on delivery checkout', () => {
  test('when a COD order ships and the courier collects the wrong then the right cash, then only the exact amount completes it and a second delivery is 409', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200, stock: 4 });
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, variantId, 2)).status).toBe(200);

    const checkout = await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' }));
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({ status: 'pending_shipment', total: { amount: 2400, currency: 'JPY' }, payment: { method: 'cod', status: 'pending' } });
    expect(order.payment.instructions).toBeUndefined();
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 2, holds_total: 2 });

    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the COD shipment' });
    expect(shipment).toMatchObject({ status: 'pending', cod_amount: { amount: 2400, currency: 'JPY' } });
    const shipped = await admin.ship(shipment.id);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', cod_amount: { amount: 2400, currency: 'JPY' }, cod_collected: null });
    expect((await admin.order(order.id)).body.status).toBe('shipped');

    const short = await admin.deliver(shipment.id, { amount: 2399, currency: 'JPY' });
    expect(short.status).toBe(422);
    expect(short.headers['content-type']).toContain('application/problem+json');
    expect(short.body.code).toBe('amount_mismatch');
    const noCash = await admin.deliver(shipment.id);
    expect(noCash.status).toBe(422);
    expect(noCash.body.code).toBe('amount_mismatch');
    const wrongCurrency = await admin.deliver(shipment.id, { amount: 2400, currency: 'USD' });
    expect(wrongCurrency.status).toBe(422);
    const afterRejects = (await admin.order(order.id)).body;
    expect(afterRejects.status).toBe('shipped');
    expect(afterRejects.shipments[0]).toMatchObject({ id: shipment.id, status: 'shipped', delivered_at: null });
    expect(afterRejects.payments[0]).toMatchObject({ method: 'cod', status: 'pending', received: { amount: 0 } });

    const delivered = await admin.deliver(shipment.id, { amount: 2400, currency: 'JPY' });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ id: shipment.id, status: 'delivered', cod_collected: { amount: 2400, currency: 'JPY' } });
    const done = (await admin.order(order.id)).body;
    expect(done.status).toBe('completed');
    expect(done.payments[0]).toMatchObject({ method: 'cod', status: 'captured', received: { amount: 2400, currency: 'JPY' } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });

    const again = await admin.deliver(shipment.id, { amount: 2400, currency: 'JPY' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
    expect((await admin.order(order.id)).body.payments[0].received.amount).toBe(2400);

    const closed = await waitFor(
      async () => {
        const res = await admin.order(order.id);
        return res.body.workflows.length === 2 && res.body.workflows.every((w: { status: string }) => w.status === 'COMPLETED') ? res.body : null;
      },
      { what: 'checkout and fulfillment workflows completed' },
    );
    // The single parcel was followed by the fulfillment itself: no shipment workflow of its own.
    expect(closed.workflows.map((w: { type: string }) => w.type).sort()).toEqual(['checkout', 'fulfillment']);
    const tracked = await store.order(order.id, order.access_token);
    expect(tracked.body).toMatchObject({ status: 'completed', payment: { method: 'cod', status: 'captured' }, shipments: [{ status: 'delivered' }] });
  });
});
