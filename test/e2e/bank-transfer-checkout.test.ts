// A storefront and a back office drive a bank-transfer order from browsing to completion.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

describe('bank transfer checkout', () => {
  test('when a buyer holds stock, pays by transfer and the order ships and arrives, then the order completes and stock is consumed', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1500, stock: 5 });

    const listed = await store.products();
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(productId);
    const cart = (await store.createCart()).body;
    const added = await store.addItem(cart.id, variantId, 2);
    expect(added.status).toBe(200);
    expect(added.body.items[0]).toMatchObject({ variant_id: variantId, quantity: 2, held_quantity: 2 });
    expect((await store.product(productId)).body.variants[0].available_quantity).toBe(3);

    const checkout = await store.checkout(cart.id, buildCheckout({ payment_method: 'bank_transfer' }));
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({
      status: 'pending_payment',
      total: { amount: 3000, currency: 'JPY' },
      payment: { method: 'bank_transfer', status: 'pending' },
    });
    expect(order.payment.instructions.reference).toBe(order.id);
    const placedNotice = await waitFor(async () => stack.notifier.sent.find((n) => n.template === 'order_placed' && n.data.order_id === order.id), {
      what: 'order_placed notification',
    });
    // The bank-transfer provider's instructions reach the customer's e-mail.
    expect(placedNotice.data.payment).toMatchObject({
      method: 'bank_transfer',
      instructions: { reference: order.id, amount: { amount: 3000, currency: 'JPY' } },
    });

    const again = await store.checkout(cart.id, buildCheckout());
    expect(again.status).toBe(200);
    expect(again.body.order.id).toBe(order.id);

    const paid = await admin.confirmPayment(order.id, 3000);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('pending_shipment');
    expect(paid.body.payments[0]).toMatchObject({ status: 'captured', received: { amount: 3000 } });

    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    const shipped = await admin.ship(shipment.id);
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('shipped');
    expect((await admin.order(order.id)).body.status).toBe('shipped');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });

    const delivered = await admin.deliver(shipment.id);
    expect(delivered.status).toBe(200);
    const done = await waitFor(
      async () => {
        const res = await admin.order(order.id);
        return res.body.status === 'completed' && res.body.workflows.every((w: { status: string }) => w.status === 'COMPLETED') ? res.body : null;
      },
      { what: 'order completed with all workflows closed' },
    );
    // The single parcel was followed by the fulfillment itself: no shipment workflow of its own.
    expect(done.workflows.map((w: { type: string }) => w.type).sort()).toEqual(['checkout', 'fulfillment', 'paymentConfirmation']);
    expect(done.temporal_ui_url).toContain(encodeURIComponent(`OrderId="${order.id}"`));

    const tracked = await store.order(order.id, order.access_token);
    expect(tracked.status).toBe(200);
    expect(tracked.body).toMatchObject({ id: order.id, status: 'completed', shipments: [{ status: 'delivered' }] });
  });

  test('when the confirmation has the wrong currency, then it is 422 and nothing changes; a second confirmation is 409', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 2000, stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const order = (await store.checkout(cart.id)).body.order;

    const wrongCurrency = await admin.confirmPayment(order.id, 2000, 'ref-usd', 'USD');
    expect(wrongCurrency.status).toBe(422);
    expect(wrongCurrency.headers['content-type']).toContain('application/problem+json');
    expect(wrongCurrency.body.code).toBe('amount_mismatch');
    const unchanged = (await admin.order(order.id)).body;
    expect(unchanged.status).toBe('pending_payment');
    expect(unchanged.payments[0]).toMatchObject({ status: 'pending', received: { amount: 0 } });

    const overpaid = await admin.confirmPayment(order.id, 2001);
    expect(overpaid.status).toBe(422);

    const partial = await admin.confirmPayment(order.id, 500);
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ status: 'pending_payment', payments: [{ received: { amount: 500 } }] });
    expect((await admin.confirmPayment(order.id, 1500)).body.status).toBe('pending_shipment');

    const second = await admin.confirmPayment(order.id, 2000);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('conflict');
  });
});
