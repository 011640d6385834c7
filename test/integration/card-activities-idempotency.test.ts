// Card activities run twice at once (a retry racing its first attempt after a worker died) move money once.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, gatewayLedger, seedProduct, storefront } from '../helpers/factories.ts';
import { createActivities } from '../../activities/index.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { RecordingNotifier } from '../../providers/notifications/notifier.ts';
import { reserveRefund } from '../../db/queries/card-payments.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let acts: ReturnType<typeof createActivities>;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { DUNNING_RETRY_SCHEDULE: '1h' } }));
  acts = createActivities({ pool: stack.pool, notifier: new RecordingNotifier(), payments: createPaymentProviders({ pool: stack.pool, cardProvider: 'test' }) });
});
afterAll(async () => stack?.stop());

async function cardOrder(token: string, interval?: string) {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5, billing_interval: interval });
  const cart = (await store.createCart()).body;
  await store.addItem(cart.id, variantId, 1);
  const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: token }));
  expect(res.status).toBe(201);
  return res.body.order as { id: string };
}

describe('card activities under a racing retry', () => {
  test('when authorize, capture and a refund each run twice concurrently, then the gateway ledger shows each once', async () => {
    const order = await cardOrder('tok_flaky');
    const twice = <T>(call: () => Promise<T>) => Promise.allSettled([call(), call()]);
    await twice(() => acts.authorizeCardPayment({ tenantId: tenant.tenant_id, orderId: order.id, token: 'tok_flaky' }));
    await twice(() => acts.captureCardPayment({ tenantId: tenant.tenant_id, orderId: order.id }));
    // Whatever the race, a retry after the timeout finishes the capture.
    await acts.captureCardPayment({ tenantId: tenant.tenant_id, orderId: order.id });
    const refund = await reserveRefund(stack.pool, { tenantId: tenant.tenant_id, orderId: order.id, refundId: 'rfd_race_test', amount: 400, currency: 'JPY', requestedBy: 'test' });
    await twice(() => acts.executeRefund({ tenantId: tenant.tenant_id, refundId: refund.id }));
    await acts.executeRefund({ tenantId: tenant.tenant_id, refundId: refund.id });
    const ledger = (await gatewayLedger(stack.pool, { orderId: order.id })).map((l) => `${l.operation}:${l.amount}`);
    expect(ledger).toEqual(['authorize:1000', 'capture:1000', 'refund:400']);
    const payment = (await backOffice(stack.http, tenant.admin_api_key).order(order.id)).body.payments[0];
    expect(payment).toMatchObject({ status: 'captured', received: { amount: 1000 }, refunded: { amount: 400 } });
  });

  test('when one renewal attempt runs twice concurrently, then one charge is made and the period advances once', async () => {
    await cardOrder('tok_visa', '1mo');
    const { id: subscriptionId } = await waitFor(async () => (await backOffice(stack.http, tenant.admin_api_key).subscriptions('?status=active')).body.items[0], { what: 'the subscription' });
    const attempt = { subscriptionId, period: 1, attempt: 1, nextAttemptAt: null };
    const results = await Promise.all([acts.chargeRenewal(attempt), acts.chargeRenewal(attempt)]);
    expect(results.map((r) => r.result)).toEqual(['succeeded', 'succeeded']);
    const again = await acts.chargeRenewal(attempt);
    expect(again).toMatchObject({ result: 'succeeded', state: { period: 2 } });
    expect((await gatewayLedger(stack.pool, { subscriptionId })).map((l) => `${l.operation}:${l.outcome}`)).toEqual(['charge:succeeded']);
    const sub = (await backOffice(stack.http, tenant.admin_api_key).subscription(subscriptionId)).body;
    expect(sub).toMatchObject({ period: 2, status: 'active' });
    expect(sub.charges.map((c: { period: number; attempt: number; status: string }) => `${c.period}.${c.attempt}:${c.status}`)).toEqual(['2.1:succeeded']);
    await backOffice(stack.http, tenant.admin_api_key).cancelSubscription(subscriptionId);
  });
});
