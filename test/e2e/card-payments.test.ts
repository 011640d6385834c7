// Card orders through the test gateway: authorize at checkout, capture at shipping, void on cancellation, refunds.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import {
  backOffice,
  buildCheckout,
  createTestStaffKey,
  gatewayLedger,
  orderOfCart,
  placeTestOrder,
  seedProduct,
  stockOf,
  storefront,
} from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

/** A cart holding `quantity` units of a new product, checked out by card with `token`. */
async function cardCheckout(token: string | undefined, opts: { price?: number; quantity?: number; stock?: number } = {}) {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: opts.price ?? 1500, stock: opts.stock ?? 5 });
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, opts.quantity ?? 2)).status).toBe(200);
  const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: token }));
  return { res, variantId, cartId: cart.id, store };
}

const ops = (ledger: { operation: string; outcome: string; amount: number }[]) => ledger.map((l) => `${l.operation}:${l.outcome}:${l.amount}`);

describe('card payments', () => {
  test('when tok_visa pays, then the order is authorized, captured when it ships, and refunds partly, then fully, never above what is left', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { res, variantId } = await cardCheckout('tok_visa', { price: 1500, quantity: 2 });
    expect(res.status).toBe(201);
    const order = res.body.order;
    expect(order).toMatchObject({ status: 'pending_shipment', total: { amount: 3000, currency: 'JPY' }, payment: { method: 'card', status: 'authorized' } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:3000']);

    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    const captured = await waitFor(
      async () => {
        const p = (await admin.order(order.id)).body.payments[0];
        return p.status === 'captured' ? p : null;
      },
      { what: 'the capture at shipping' },
    );
    expect(captured).toMatchObject({ method: 'card', received: { amount: 3000 }, refunded: { amount: 0 } });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:3000', 'capture:succeeded:3000']);

    const partial = await admin.refund(order.id, 1000);
    expect(partial.status).toBe(200);
    expect(partial.body.payments[0]).toMatchObject({ status: 'captured', received: { amount: 3000 }, refunded: { amount: 1000 } });
    expect(partial.body.refund).toMatchObject({ amount: { amount: 1000, currency: 'JPY' }, status: 'succeeded' });

    const tooMuch = await admin.refund(order.id, 2001);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.headers['content-type']).toContain('application/problem+json');
    expect(tooMuch.body).toMatchObject({ code: 'amount_mismatch', details: { refundable: { amount: 2000, currency: 'JPY' } } });
    const wrongCurrency = await admin.refund(order.id, 100, undefined, 'USD');
    expect(wrongCurrency.status).toBe(422);

    // The same Idempotency-Key sent twice at once (a client retrying on a timeout) refunds once.
    const [rest, repeated] = await Promise.all([admin.refund(order.id, 2000, 'refund-rest-1'), admin.refund(order.id, 2000, 'refund-rest-1')]);
    expect([rest.status, repeated.status]).toEqual([200, 200]);
    expect(repeated.body.refund.id).toBe(rest.body.refund.id);
    const later = await admin.refund(order.id, 2000, 'refund-rest-1');
    expect([later.status, later.body.refund.id]).toEqual([200, rest.body.refund.id]);
    const reusedKey = await admin.refund(order.id, 1500, 'refund-rest-1');
    expect(reusedKey.status).toBe(409);
    const final = (await admin.order(order.id)).body.payments[0];
    expect(final).toMatchObject({ status: 'refunded', received: { amount: 3000 }, refunded: { amount: 3000 } });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual([
      'authorize:succeeded:3000',
      'capture:succeeded:3000',
      'refund:succeeded:1000',
      'refund:succeeded:2000',
    ]);
    expect((await admin.refund(order.id, 1)).status).toBe(422);
  });

  test('when tok_declined pays, then checkout answers 402 card_declined, the stock is free again and no order stays open', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { res, variantId, cartId } = await cardCheckout('tok_declined', { quantity: 3 });
    expect(res.status).toBe(402);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'card_declined', details: { decline_code: 'card_declined', hard: true } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    const order = await orderOfCart(stack.pool, cartId);
    expect(order).toMatchObject({ status: 'cancelled', payment_status: 'failed', decline_code: 'card_declined' });
    expect((await admin.order(order!.id)).body).toMatchObject({ status: 'cancelled', payments: [expect.objectContaining({ status: 'failed' })] });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order!.id }))).toEqual(['authorize:declined:4500']);
    const again = await storefront(stack.http, tenant.publishable_key).checkout(cartId, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa' }));
    expect(again.status).toBe(200); // the cart's order stands, cancelled; a new cart starts over
    expect(again.body.order).toMatchObject({ id: order!.id, status: 'cancelled' });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order!.id }))).toEqual(['authorize:declined:4500']);
  });

  test('when tok_insufficient_funds or an unknown token pays, then checkout is 402 with the decline code; a card without a token is 400', async () => {
    const soft = await cardCheckout('tok_insufficient_funds');
    expect(soft.res.status).toBe(402);
    expect(soft.res.body.details).toMatchObject({ decline_code: 'insufficient_funds', hard: false });
    const unknown = await cardCheckout('tok_made_up');
    expect(unknown.res.status).toBe(402);
    expect(unknown.res.body.details).toMatchObject({ decline_code: 'invalid_token' });
    const missing = await cardCheckout(undefined);
    expect(missing.res.status).toBe(400);
    expect(missing.res.body.errors).toEqual([expect.objectContaining({ path: 'payment_token' })]);
    expect(await stockOf(stack.pool, missing.variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 }); // still held by the open cart
  });

  test('when tok_flaky times out on every first attempt, then the retried calls authorize and capture exactly once', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { res } = await cardCheckout('tok_flaky', { price: 700, quantity: 1 });
    expect(res.status).toBe(201);
    const order = res.body.order;
    expect(order).toMatchObject({ status: 'pending_shipment', payment: { status: 'authorized' } });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:700']);
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    await waitFor(async () => (await admin.order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:700', 'capture:succeeded:700']);
    const refunded = await admin.refund(order.id, 700);
    expect(refunded.status).toBe(200);
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:700', 'capture:succeeded:700', 'refund:succeeded:700']);
  });

  test('when a card order is cancelled before it ships, then the authorization is voided at the gateway and the stock released', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { res, variantId } = await cardCheckout('tok_visa', { price: 900, quantity: 2 });
    const order = res.body.order;
    const cancelled = await admin.cancel(order.id, 'changed my mind');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const payment = await waitFor(
      async () => {
        const p = (await admin.order(order.id)).body.payments[0];
        return p.status === 'voided' ? p : null;
      },
      { what: 'the void' },
    );
    expect(payment).toMatchObject({ received: { amount: 0 } });
    await waitFor(async () => (await gatewayLedger(stack.pool, { orderId: order.id })).length === 2 || null, { what: 'the gateway void' });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:1800', 'void:succeeded:0']);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    const refund = await admin.refund(order.id, 100);
    expect(refund.status).toBe(409);
    expect(refund.body.code).toBe('conflict');
  });

  test('when a refund is asked for a bank-transfer order or by a staff key, then it is refused and nothing moves', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order } = await placeTestOrder(stack.http, tenant, { price: 500, stock: 2, quantity: 1, payment_method: 'bank_transfer' });
    const refused = await admin.refund(order.id, 100);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/card/);
    expect((await admin.refund('ord_missing', 100)).status).toBe(404);
    const staff = backOffice(stack.http, await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff'));
    const forbidden = await staff.refund(order.id, 100);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
    expect((await admin.refund(order.id, 0)).status).toBe(400);
  });
});
