// Card activities run twice at once (a retry racing an attempt presumed dead with its worker) move money once.
// No worker runs here: the test plays both attempts itself, straight against the activities.
import { randomUUID } from 'node:crypto';
import { startTestStack, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildAddress, createTestTenant, gatewayLedger, seedProduct, storefront } from '../helpers/factories.ts';
import { createActivities } from '../../activities/index.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { reserveRefund } from '../../db/queries/card-payments.ts';
import { TestCardGateway } from '../../providers/payments/test-gateway.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let acts: ReturnType<typeof createActivities>;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  tenant = await createTestTenant(stack.pool);
  acts = createActivities({
    pool: stack.pool,
    notifier: new RecordingNotifier(),
    payments: createPaymentProviders({ pool: stack.pool, cardProvider: 'test' }),
  });
});
afterAll(async () => stack?.stop());

/** A card order placed by the activity itself (what the checkout workflow's first step does), not yet authorized. */
async function placeCardOrder(interval?: string) {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5, billing_interval: interval });
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  const placed = await acts.placeOrder({
    tenantId: tenant.tenant_id,
    cartId: cart.id,
    orderId: `ord_${randomUUID().replaceAll('-', '')}`,
    email: 'race@example.jp',
    shippingAddress: buildAddress(),
    paymentMethod: 'card',
    holdTtlMs: 60_000,
    bankTransferTimeoutMs: 60_000,
    paymentReminderBeforeMs: 30_000,
    shipSlaMs: 60_000,
  });
  expect(placed.status).toBe('pending_payment');
  return placed.orderId;
}

/** Both attempts, concurrently; at least one must finish (the other may have met the gateway's timeout). */
async function race<T>(call: () => Promise<T>): Promise<T> {
  const results = await Promise.allSettled([call(), call()]);
  const done = results.find((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled');
  const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  for (const failure of failures) expect(failure).toMatch(/timed out \(tok_flaky\)/);
  // The retry policy's next attempt, when both met the timeout.
  return done ? done.value : call();
}

describe('card activities under a racing retry', () => {
  test('when authorize, capture and a refund each run twice concurrently on tok_flaky, then the gateway ledger shows each once', async () => {
    const orderId = await placeCardOrder();
    const auth = await race(() => acts.authorizeCardPayment({ tenantId: tenant.tenant_id, orderId, token: 'tok_flaky' }));
    expect(auth.orderStatus).toBe('pending_shipment');
    await race(() => acts.captureCardPayment({ tenantId: tenant.tenant_id, orderId }));
    const refund = await reserveRefund(stack.pool, {
      tenantId: tenant.tenant_id,
      orderId,
      refundId: `rfd_${randomUUID().replaceAll('-', '')}`,
      amount: 400,
      currency: 'JPY',
      requestedBy: 'test',
    });
    await race(() => acts.executeRefund({ tenantId: tenant.tenant_id, refundId: refund.id }));
    expect((await gatewayLedger(stack.pool, { orderId })).map((l) => `${l.operation}:${l.amount}`)).toEqual(['authorize:1000', 'capture:1000', 'refund:400']);
    const payment = (await backOffice(stack.http, tenant.admin_api_key).order(orderId)).body.payments[0];
    expect(payment).toMatchObject({ status: 'captured', received: { amount: 1000 }, refunded: { amount: 400 } });
  });

  test('when one renewal attempt runs twice concurrently, then one charge is made and the period advances once', async () => {
    const orderId = await placeCardOrder('1mo');
    await acts.authorizeCardPayment({ tenantId: tenant.tenant_id, orderId, token: 'tok_visa' });
    const [subscriptionId] = await acts.createOrderSubscriptions({ tenantId: tenant.tenant_id, orderId });
    const attempt = { subscriptionId, period: 1, attempt: 1, retryInMs: null };
    const results = await Promise.all([acts.chargeRenewal(attempt), acts.chargeRenewal(attempt)]);
    expect(results.map((r) => r.result)).toEqual(['succeeded', 'succeeded']);
    expect(await acts.chargeRenewal(attempt)).toMatchObject({ result: 'succeeded', state: { period: 2 } });
    expect((await gatewayLedger(stack.pool, { subscriptionId })).map((l) => `${l.operation}:${l.outcome}`)).toEqual(['charge:succeeded']);
    const sub = (await backOffice(stack.http, tenant.admin_api_key).subscription(subscriptionId)).body;
    expect(sub).toMatchObject({ period: 2, status: 'active' });
    expect(sub.charges.map((c: { period: number; attempt: number; status: string }) => `${c.period}.${c.attempt}:${c.status}`)).toEqual(['2.1:succeeded']);
  });

  test('when subscriptions are created for an order cancelled meanwhile, then none is created', async () => {
    const orderId = await placeCardOrder('1mo');
    await acts.authorizeCardPayment({ tenantId: tenant.tenant_id, orderId, token: 'tok_visa' });
    await acts.cancelOrder({ tenantId: tenant.tenant_id, orderId, reason: 'cancelled during checkout' });
    expect(await acts.createOrderSubscriptions({ tenantId: tenant.tenant_id, orderId })).toEqual([]);
  });

  test('when the gateway authorized an order whose answer never arrived, then voidCardAuthorization finds it by its request key and voids it once', async () => {
    const orderId = await placeCardOrder();
    // The authorize call went through at the gateway, but the activity never recorded it (its answer was lost).
    await new TestCardGateway(stack.pool).authorize({
      idempotencyKey: `authorize:${orderId}`,
      amount: 1000,
      currency: 'JPY',
      reference: orderId,
      token: 'tok_visa',
    });
    expect(await acts.voidCardAuthorization({ tenantId: tenant.tenant_id, orderId })).toEqual({ voided: true });
    expect(await acts.voidCardAuthorization({ tenantId: tenant.tenant_id, orderId })).toEqual({ voided: false });
    expect((await gatewayLedger(stack.pool, { orderId })).map((l) => `${l.operation}:${l.outcome}`)).toEqual(['authorize:succeeded', 'void:succeeded']);
    expect((await backOffice(stack.http, tenant.admin_api_key).order(orderId)).body.payments[0]).toMatchObject({ status: 'voided' });
  });

  test('when an order is cancelled while its authorization is at the gateway, then the authorize step itself voids the money it was given', async () => {
    const orderId = await placeCardOrder();
    // The checkout gave up on the step (or the back office cancelled) before the gateway answered.
    await acts.cancelOrder({ tenantId: tenant.tenant_id, orderId, reason: 'cancelled during authorization' });
    expect(await acts.authorizeCardPayment({ tenantId: tenant.tenant_id, orderId, token: 'tok_visa' })).toMatchObject({ orderStatus: 'cancelled' });
    const ledger = async () => (await gatewayLedger(stack.pool, { orderId })).map((l) => `${l.operation}:${l.outcome}`);
    expect(await ledger()).toEqual(['authorize:succeeded', 'void:succeeded']);
    expect((await backOffice(stack.http, tenant.admin_api_key).order(orderId)).body.payments[0]).toMatchObject({ status: 'voided' });
    // A compensation arriving afterwards moves no money again.
    expect(await acts.voidCardAuthorization({ tenantId: tenant.tenant_id, orderId })).toEqual({ voided: false });
    expect(await ledger()).toEqual(['authorize:succeeded', 'void:succeeded']);
  });

  test('when an order was never authorized at the gateway, then voidCardAuthorization voids nothing', async () => {
    const orderId = await placeCardOrder();
    expect(await acts.voidCardAuthorization({ tenantId: tenant.tenant_id, orderId })).toEqual({ voided: false });
    expect(await gatewayLedger(stack.pool, { orderId })).toEqual([]);
  });

  test('when an idempotency key is reused for a different request, then the gateway refuses it and records nothing new', async () => {
    const gateway = new TestCardGateway(stack.pool);
    const key = `authorize:test-${randomUUID()}`;
    const first = await gateway.authorize({ idempotencyKey: key, amount: 500, currency: 'JPY', reference: 'ref-1', token: 'tok_visa' });
    expect(first).toMatchObject({ outcome: 'succeeded', status: 'authorized' });
    expect(await gateway.authorize({ idempotencyKey: key, amount: 500, currency: 'JPY', reference: 'ref-1', token: 'tok_visa' })).toEqual(first);
    await expect(gateway.authorize({ idempotencyKey: key, amount: 900, currency: 'JPY', reference: 'ref-1', token: 'tok_visa' })).rejects.toThrow(
      /already used for a different authorize/,
    );
    await expect(
      gateway.capture({ idempotencyKey: key, authorizationRef: (first as { authorizationRef: string }).authorizationRef, amount: 500 }),
    ).rejects.toThrow(/different/);
    expect((await gateway.ledger({ reference: 'ref-1' })).filter((l) => l.operation === 'authorize')).toHaveLength(1);
  });
});
