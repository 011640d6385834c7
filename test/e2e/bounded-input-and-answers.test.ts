// Bounds (issue 9): billing intervals an admin types, programming errors that must not be retried forever, and a
// checkout that answers 503 `unavailable` instead of hanging when its workflow cannot finish.
import { z } from 'zod';
import { createCardPaymentActivities } from '../../activities/card-payments.ts';
import { createOrderActivities } from '../../activities/orders.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { checkoutWorkflowId, subscriptionWorkflowId } from '../../domain/ids.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import type { CheckoutInput } from '../../contracts/workflows.ts';
import {
  backOffice,
  buildCheckout,
  buildProduct,
  createTestTenant,
  gatewayLedger,
  orderCountOfCart,
  placeTestOrder,
  seedProduct,
  storefront,
} from '../helpers/factories.ts';
import { startStackWithTenant, startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { recordHistory, UPDATE_HISTORIES } from '../helpers/histories.ts';

const withInterval = (billing_interval: string) => buildProduct({ billing_interval });

describe('billing intervals an admin types', () => {
  let strict: TestStack;
  let demo: TestStack;
  let strictTenant: CreatedTenant;
  let demoTenant: CreatedTenant;
  beforeAll(async () => {
    strict = await startTestStack({ worker: false, config: { ALLOW_SHORT_BILLING_INTERVALS: 'false' } });
    demo = await startTestStack({ worker: false });
    strictTenant = await createTestTenant(strict.pool);
    demoTenant = await createTestTenant(demo.pool);
  });
  afterAll(async () => {
    await strict?.stop();
    await demo?.stop();
  });

  test('when an interval is longer than a year (99999999y, 500d, 13mo), then 400 naming the field, and no product is created', async () => {
    const admin = backOffice(strict.http, strictTenant.admin_api_key);
    for (const interval of ['99999999y', '500d', '366d', '13mo']) {
      const res = await admin.createProduct(withInterval(interval));
      expect([interval, res.status, res.body.code]).toEqual([interval, 400, 'validation_failed']);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ path: 'variants.0.subscription.billing_interval', message: expect.stringMatching(/longer than a year/) }),
      ]);
    }
    expect((await strict.http.get('/admin/products').set('Authorization', `Bearer ${strictTenant.admin_api_key}`)).body.items).toEqual([]);
  });

  test('when an interval is shorter than a day, then 400 unless ALLOW_SHORT_BILLING_INTERVALS (tests, demos) is set', async () => {
    const res = await backOffice(strict.http, strictTenant.admin_api_key).createProduct(withInterval('5s'));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/shorter than a day/);
    const allowed = await backOffice(demo.http, demoTenant.admin_api_key).createProduct(withInterval('5s'));
    expect(allowed.status).toBe(201);
    expect(allowed.body.variants[0].subscription).toEqual({ billing_interval: '5s' });
    expect((await backOffice(demo.http, demoTenant.admin_api_key).createProduct(withInterval('99999999y'))).status).toBe(400);
  });

  test('when an e-mail, a webhook event or an id is longer than any real one, then 400 (404 for a path id) and nothing is created', async () => {
    const store = storefront(strict.http, strictTenant.publishable_key);
    const longEmail = `${'a'.repeat(250)}@example.jp`;
    const cart = await store.createCart({ email: longEmail });
    expect([cart.status, cart.body.errors?.[0]?.path]).toEqual([400, 'email']);
    const open = (await store.createCart()).body;
    const checkout = await store.checkout(open.id, buildCheckout({ email: longEmail }));
    expect([checkout.status, checkout.body.errors?.[0]?.path]).toEqual([400, 'email']);
    expect(await orderCountOfCart(strict.pool, open.id)).toBe(0);
    const hook = await strict.http
      .post('/admin/webhooks')
      .set('Authorization', `Bearer ${strictTenant.admin_api_key}`)
      .send({ url: 'https://8.8.8.8/hooks', events: [`order.${'x'.repeat(200)}`] });
    expect([hook.status, hook.body.code]).toEqual([400, 'validation_failed']);
    expect((await store.cart(`cart_${'0'.repeat(5000)}`)).status).toBe(404);
  });

  test('when an interval is between a day and a year (1d, 1mo, 1y, 365d), then the product is created', async () => {
    for (const interval of ['1d', '1mo', '1y', '365d']) {
      expect([interval, (await backOffice(strict.http, strictTenant.admin_api_key).createProduct(withInterval(interval))).status]).toEqual([interval, 201]);
    }
  });
});

describe('a checkout step that breaks or stalls (activities replaced)', () => {
  let s: TestStack;
  let tenant: CreatedTenant;
  let brokenCalls = 0;
  // While set, card authorizations wait for it (the gateway is slow), then run for real.
  let authorizationGate: Promise<void> | undefined;
  let authorizationsWaiting = 0;
  const authorizeCardPayment = async (input: { tenantId: string; orderId: string; token: string }) => {
    if (authorizationGate) {
      authorizationsWaiting++;
      await authorizationGate;
    }
    return createCardPaymentActivities({ pool: s.pool, payments: createPaymentProviders({ pool: s.pool, cardProvider: 'test' }) }).authorizeCardPayment(input);
  };
  // placeOrder throws a TypeError for buyers named bug-…; everyone else gets the real activity.
  const placeOrder = async (input: CheckoutInput & { orderId: string }) => {
    if (input.email.startsWith('bug-')) {
      brokenCalls++;
      const missing = undefined as unknown as { id: string };
      return { orderId: missing.id } as never;
    }
    return orderActivities().placeOrder(input);
  };
  // cancelOrder throws a RangeError for a reason mentioning "bug"; otherwise the real one runs.
  const cancelOrder = async (input: { tenantId: string; orderId?: string; reason: string }) => {
    if (input.reason.includes('bug')) return { cancelled: false, status: new Date(NaN).toISOString() as never };
    return orderActivities().cancelOrder(input);
  };
  const orderActivities = () =>
    createOrderActivities({ pool: s.pool, notifier: s.notifier, payments: createPaymentProviders({ pool: s.pool, cardProvider: 'test' }) });
  beforeAll(
    async () =>
      ({ stack: s, tenant } = await startStackWithTenant({
        config: { CHECKOUT_ANSWER_TIMEOUT: '60s' },
        activityOverrides: { placeOrder, authorizeCardPayment, cancelOrder },
      })),
  );
  afterAll(async () => s?.stop());

  test('when placeOrder throws a TypeError, then the checkout answers 503 unavailable with Retry-After at once, the workflow failed naming the error, and the activity ran once', async () => {
    const store = storefront(s.http, tenant.publishable_key);
    const { variantId } = await seedProduct(s.http, tenant.admin_api_key, { stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const res = await store.checkout(cart.id, buildCheckout({ email: `bug-${Date.now()}@example.jp` }));
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'unavailable', status: 503 });
    // The failure answered, not the 60 s answer timeout.
    expect(res.body.detail).toMatch(/could not finish/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const handle = s.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cart.id));
    expect((await handle.describe()).status.name).toBe('FAILED');
    const failure = await handle.result().then(
      () => null,
      (err: Error & { cause?: Error & { type?: string } }) => err.cause,
    );
    expect(failure).toMatchObject({
      type: 'internal_error',
      message: expect.stringMatching(/placeOrder failed: TypeError: Cannot read properties of undefined/),
    });
    expect(brokenCalls).toBe(1);
    expect(await orderCountOfCart(s.pool, cart.id)).toBe(0);
    expect((await store.cart(cart.id)).body.status).toBe('open');
  });

  test('when a stored billing interval is beyond a year (a row from before the bound), then the card checkout answers 503 at once, the authorization is voided and nothing bills', async () => {
    const store = storefront(s.http, tenant.publishable_key);
    const { variantId } = await seedProduct(s.http, tenant.admin_api_key, { stock: 3, billing_interval: '1mo' });
    await s.pool.query(sql.type(z.object({}))`UPDATE variants SET subscription_interval = '99999999y' WHERE id = ${variantId}`);
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const email = `old-row-${Date.now()}@example.jp`;
    const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa', email }));
    expect([res.status, res.body.code]).toEqual([503, 'unavailable']);
    expect(res.body.detail).toMatch(/could not finish/);
    const handle = s.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cart.id));
    const failure = await handle.result().then(
      () => null,
      (err: Error & { cause?: Error & { type?: string } }) => err.cause,
    );
    expect(failure).toMatchObject({
      type: 'internal_error',
      message: expect.stringMatching(/createOrderSubscriptions failed: RangeError: billing interval "99999999y" is longer than a year/),
    });
    const orderId = await s.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM orders WHERE cart_id = ${cart.id}`);
    const order = (await backOffice(s.http, tenant.admin_api_key).order(orderId)).body;
    expect(order).toMatchObject({ status: 'cancelled', payments: [expect.objectContaining({ status: 'voided' })] });
    expect((await backOffice(s.http, tenant.admin_api_key).subscriptions()).body.items).toEqual([]);
    // The customer never hears "received" for it.
    expect(s.notifier.sent.filter((n) => n.to === email).map((n) => n.template)).not.toContain('order_placed');
    // The same request again gets the order as it stands, not a second one.
    const again = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa', email }));
    expect([again.status, again.body.order?.id, again.body.order?.status]).toEqual([200, orderId, 'cancelled']);
  });

  test('when a back-office cancellation meets a programming error, then 503 unavailable with Retry-After, the order stands, and a later cancellation works', async () => {
    const store = storefront(s.http, tenant.publishable_key);
    const { variantId } = await seedProduct(s.http, tenant.admin_api_key, { stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const order = (await store.checkout(cart.id, buildCheckout({ payment_method: 'bank_transfer' }))).body.order;
    const admin = backOffice(s.http, tenant.admin_api_key);
    const broken = await admin.cancel(order.id, 'a bug in cancelOrder');
    expect([broken.status, broken.body.code]).toEqual([503, 'unavailable']);
    expect(Number(broken.headers['retry-after'])).toBeGreaterThan(0);
    expect((await admin.order(order.id)).body.status).toBe('pending_payment');
    const cancelled = await admin.cancel(order.id, 'customer asked');
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
  });

  test("when a running subscription's stored interval is beyond a year, then its renewal fails once without charging the card, and its workflow ends failed instead of retrying", async () => {
    const { order } = await placeTestOrder(s.http, tenant, { price: 900, payment_method: 'card', payment_token: 'tok_visa', billing_interval: '3s' });
    const subscriptionId = await s.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM subscriptions WHERE order_id = ${order.id}`);
    await s.pool.query(sql.type(z.object({}))`UPDATE subscriptions SET billing_interval = '99999999y' WHERE id = ${subscriptionId}`);
    const handle = s.temporal.workflow.getHandle(subscriptionWorkflowId(tenant.tenant_id, subscriptionId));
    const failure = await handle.result().then(
      () => null,
      (err: Error & { cause?: Error & { cause?: Error & { type?: string } } }) => err.cause?.cause,
    );
    expect(failure).toMatchObject({ type: 'internal_error', message: expect.stringMatching(/chargeRenewal failed: RangeError: billing interval "99999999y"/) });
    const history = await handle.fetchHistory();
    expect((history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt !== 1)).toEqual([]);
    expect(await gatewayLedger(s.pool, { subscriptionId })).toEqual([]);
  });

  test('when the back office cancels a card order while its authorization is under way, then the cancel takes effect once the gateway answered: the money is voided and the customer hears "received" and "cancelled"', async () => {
    const store = storefront(s.http, tenant.publishable_key);
    const { variantId } = await seedProduct(s.http, tenant.admin_api_key, { stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const email = `slow-gateway-${Date.now()}@example.jp`;
    let release!: () => void;
    authorizationGate = new Promise<void>((resolve) => (release = resolve));
    const checkout = store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa', email })).then((res) => res);
    let cancelling: Promise<{ status: number; body: { status?: string } }>;
    try {
      await waitFor(async () => authorizationsWaiting > 0, { what: 'the authorization to start' });
      const orderId = await s.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM orders WHERE cart_id = ${cart.id}`);
      // `then` sends the request now (supertest sends it only once awaited).
      cancelling = backOffice(s.http, tenant.admin_api_key)
        .cancel(orderId, 'customer phoned')
        .then((r) => r);
      // The authorization runs in the task that places the order: the cancel reaches the checkout once it answered.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      authorizationGate = undefined;
      release();
    }
    const res = await checkout;
    expect(res.status).toBe(201);
    const cancelled = await cancelling;
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    await s.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cart.id)).result();
    // The committed fixture (replayed by test/workflows) keeps this path deterministic; `checkout-card-cancelled-while-authorizing`
    // is the run from before `local-authorization`, whose cancel landed during the authorization activity.
    if (UPDATE_HISTORIES) await recordHistory(s, checkoutWorkflowId(tenant.tenant_id, cart.id), 'checkout-v2-card-cancelled-after-local-authorization');
    await waitFor(async () => s.notifier.sent.some((n) => n.to === email && n.template === 'order_cancelled'), { what: 'the cancel notice' });
    // Each notice is its own activity: the workflow sends "received" first, but their deliveries are not ordered.
    expect(
      s.notifier.sent
        .filter((n) => n.to === email)
        .map((n) => n.template)
        .sort(),
    ).toEqual(['order_cancelled', 'order_placed']);
    expect((await backOffice(s.http, tenant.admin_api_key).order(res.body.order.id)).body).toMatchObject({
      status: 'cancelled',
      payments: [expect.objectContaining({ status: 'voided' })],
    });
  });
});

describe('a checkout whose workflow cannot run (no worker on its task queue)', () => {
  let s: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => {
    s = await startTestStack({ worker: false, config: { CHECKOUT_ANSWER_TIMEOUT: '2s' } });
    tenant = await createTestTenant(s.pool);
  });
  afterAll(async () => s?.stop());

  test('when no worker answers within CHECKOUT_ANSWER_TIMEOUT, then 503 unavailable with Retry-After, and once a worker runs the same request gets the one order', async () => {
    const store = storefront(s.http, tenant.publishable_key);
    const { variantId } = await seedProduct(s.http, tenant.admin_api_key, { stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const body = buildCheckout({ payment_method: 'cod' });
    const first = await store.checkout(cart.id, body);
    expect([first.status, first.body.code]).toEqual([503, 'unavailable']);
    expect(first.body.detail).toMatch(/did not answer within 2 s/);
    expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);
    expect(await orderCountOfCart(s.pool, cart.id)).toBe(0);
    await s.startWorker();
    const answered = await waitFor(
      async () => {
        const res = await store.checkout(cart.id, body);
        return res.status === 503 ? null : res;
      },
      { what: 'the retried checkout to answer', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect([201, 200]).toContain(answered.status);
    expect(answered.body.order).toMatchObject({ status: 'pending_shipment', payment: { method: 'cod' } });
    expect(await orderCountOfCart(s.pool, cart.id)).toBe(1);
    const again = await store.checkout(cart.id, body);
    expect([again.status, again.body.order.id]).toEqual([200, answered.body.order.id]);
  });
});
