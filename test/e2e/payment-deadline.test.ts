// Bank transfers have a deadline: a reminder before it, cancellation and stock release at it.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { BANK_TRANSFER_TIMEOUT: '4s', PAYMENT_REMINDER_BEFORE: '2s' } })));
afterAll(async () => stack?.stop());

const sentFor = (orderId: string) => stack.notifier.sent.filter((n) => n.data.order_id === orderId).map((n) => n.template);

describe('bank transfer payment deadline', () => {
  test('when a bank-transfer order is never paid, then it is reminded, cancelled at the deadline with its stock released, and a late confirmation is 409', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const store = storefront(stack.http, tenant.publishable_key);
    const { productId, variantId, order } = await placeTestOrder(stack.http, tenant, { price: 900, stock: 5, quantity: 2 });
    expect(order.status).toBe('pending_payment');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });

    const cancelled = await waitFor(
      async () => {
        const res = await admin.order(order.id);
        return res.body.status === 'cancelled' ? res.body : null;
      },
      { timeoutMs: 15_000, what: 'the unpaid order to be cancelled' },
    );
    expect(cancelled.payments[0]).toMatchObject({ method: 'bank_transfer', status: 'voided', received: { amount: 0 } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    expect((await store.product(productId)).body.variants[0].available_quantity).toBe(5);

    await waitFor(async () => sentFor(order.id).includes('order_cancelled'), { what: 'order_cancelled notification' });
    const templates = sentFor(order.id);
    expect(templates).toContain('payment_reminder');
    expect(templates.indexOf('payment_reminder')).toBeLessThan(templates.indexOf('order_cancelled'));
    expect(stack.notifier.sent.find((n) => n.template === 'order_cancelled' && n.data.order_id === order.id)?.data.reason).toBe('payment_timeout');
    const reminder = stack.notifier.sent.find((n) => n.template === 'payment_reminder' && n.data.order_id === order.id)!;
    expect(reminder.data).toMatchObject({ amount_due: { amount: 1800, currency: 'JPY' }, received: 0 });

    const late = await admin.confirmPayment(order.id, 1800);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('conflict');
    const after = (await admin.order(order.id)).body;
    expect(after).toMatchObject({ status: 'cancelled', payments: [{ status: 'voided', received: { amount: 0 } }] });
    const workflows = await waitFor(
      async () => {
        const wfs = (await admin.order(order.id)).body.workflows as { type: string; status: string }[];
        return wfs.length === 2 && wfs.every((w) => w.status === 'COMPLETED') ? wfs : null;
      },
      { what: 'checkout and payment workflows to complete' },
    );
    expect(workflows.map((w) => w.type).sort()).toEqual(['checkout', 'paymentConfirmation']);
  });

  test('when the transfer is confirmed before the deadline, then the deadline passes without cancelling the order', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { variantId, order } = await placeTestOrder(stack.http, tenant, { price: 500, stock: 2, quantity: 1 });
    const dueAt = Date.parse((await admin.order(order.id)).body.payments[0].due_at);
    expect(dueAt).toBeGreaterThan(Date.now());

    const paid = await admin.confirmPayment(order.id, 500);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('pending_shipment');
    await waitFor(async () => Date.now() > dueAt + 1500, { timeoutMs: 10_000, what: 'the payment deadline to pass' });

    const after = (await admin.order(order.id)).body;
    expect(after).toMatchObject({ status: 'pending_shipment', payments: [{ status: 'captured' }], shipments: [{ status: 'pending' }] });
    expect(sentFor(order.id)).not.toContain('order_cancelled');
    expect(sentFor(order.id)).not.toContain('payment_reminder');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 1, holds_total: 1 });
  });
});
