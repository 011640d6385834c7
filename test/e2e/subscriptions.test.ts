// Subscriptions bought by card: renewals every period, dunning on DUNNING_RETRY_SCHEDULE, back-office retry, card update, cancel.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, gatewayLedger, placeTestOrder, seedProduct, storefront } from '../helpers/factories.ts';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { subscriptionWorkflowId } from '../../domain/ids.ts';

type Charge = { period: number; attempt: number; status: string; amount: { amount: number }; created_at: string; decline_code: string | null };
type Subscription = { id: string; status: string; period: number; current_period_end: string; next_attempt_at: string | null; charges: Charge[] };

/** Buys a subscription variant (`interval`) by card with `token`; returns the order and its subscription. */
async function subscribe(stack: TestStack, tenant: CreatedTenant, token: string, interval = '3s') {
  const admin = backOffice(stack.http, tenant.admin_api_key);
  // placeTestOrder fails the test unless every step (add to cart 200, checkout 201) succeeded.
  const { variantId, order } = await placeTestOrder(stack.http, tenant, {
    price: 980,
    stock: 100,
    quantity: 1,
    payment_method: 'card',
    payment_token: token,
    billing_interval: interval,
  });
  const listed = (await admin.subscriptions()).body.items.find((s: { order_id: string }) => s.order_id === order.id);
  expect(listed).toMatchObject({
    status: 'active',
    period: 1,
    billing_interval: interval,
    variant_id: variantId,
    amount: { amount: 980, currency: 'JPY' },
    charges: [],
  });
  return { order, subscriptionId: listed.id as string, admin };
}

const sub = async (stack: TestStack, tenant: CreatedTenant, id: string): Promise<Subscription> =>
  (await backOffice(stack.http, tenant.admin_api_key).subscription(id)).body;
const charges = (s: Subscription) => s.charges.map((c) => `${c.period}.${c.attempt}:${c.status}`);
const workflowStatus = async (stack: TestStack, tenant: CreatedTenant, id: string) =>
  (await stack.temporal.workflow.getHandle(subscriptionWorkflowId(tenant.tenant_id, id)).describe()).status.name;

describe('subscriptions with a 2s,2s,2s dunning schedule', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { DUNNING_RETRY_SCHEDULE: '2s,2s,2s' } })));
  afterAll(async () => stack?.stop());

  test('when the card keeps paying, then the subscription renews every period, one approved charge each, ends counted from the anchor', async () => {
    const { subscriptionId } = await subscribe(stack, tenant, 'tok_visa');
    const first = await sub(stack, tenant, subscriptionId);
    const renewed = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.period >= 3 ? s : null;
      },
      { what: 'two renewals', timeoutMs: 30_000 },
    );
    expect(renewed.status).toBe('active');
    expect(charges(renewed).slice(0, 2)).toEqual(['2.1:succeeded', '3.1:succeeded']);
    const periodEnds = Date.parse(renewed.current_period_end) - Date.parse(first.current_period_end);
    expect(periodEnds).toBe((renewed.period - 1) * 3000);
    const ledger = await gatewayLedger(stack.pool, { subscriptionId });
    expect(ledger.slice(0, 2).map((l) => `${l.operation}:${l.outcome}:${l.amount}`)).toEqual(['charge:succeeded:980', 'charge:succeeded:980']);
  });

  test('when every renewal is declined (tok_renewal_fails), then past_due, then cancelled after 1 + 3 failed attempts, each notified', async () => {
    const { subscriptionId } = await subscribe(stack, tenant, 'tok_renewal_fails');
    const pastDue = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'past_due' ? s : null;
      },
      { what: 'past_due', timeoutMs: 30_000 },
    );
    expect(pastDue.next_attempt_at).not.toBeNull();
    expect(charges(pastDue)).toEqual(['2.1:failed']);
    const ended = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'cancelled' ? s : null;
      },
      { what: 'cancelled after the last retry', timeoutMs: 30_000 },
    );
    expect(charges(ended)).toEqual(['2.1:failed', '2.2:failed', '2.3:failed', '2.4:failed']);
    expect(ended).toMatchObject({ period: 1, next_attempt_at: null });
    expect((await gatewayLedger(stack.pool, { subscriptionId })).map((l) => l.outcome)).toEqual(['declined', 'declined', 'declined', 'declined']);
    await waitFor(async () => (await workflowStatus(stack, tenant, subscriptionId)) === 'COMPLETED' || null, { what: 'the billing workflow to end' });
    const notices = stack.notifier.sent.filter((n) => n.data.subscription_id === subscriptionId);
    expect(notices.map((n) => `${n.template}${n.data.attempt ? `#${n.data.attempt}` : ''}`)).toEqual([
      'subscription_payment_failed#1',
      'subscription_payment_failed#2',
      'subscription_payment_failed#3',
      'subscription_payment_failed#4',
      'subscription_cancelled',
    ]);
  });

  test('when a renewal is declined twice then approved (tok_recovers_after_2), then the subscription is active again for the next period', async () => {
    const { subscriptionId } = await subscribe(stack, tenant, 'tok_recovers_after_2');
    const recovered = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.period >= 2 ? s : null;
      },
      { what: 'the recovery', timeoutMs: 30_000 },
    );
    expect(recovered).toMatchObject({ status: 'active', next_attempt_at: null });
    expect(charges(recovered).slice(0, 3)).toEqual(['2.1:failed', '2.2:failed', '2.3:succeeded']);
  });

  test('when the card times out on every first network attempt (tok_flaky), then each period has exactly one successful charge', async () => {
    const { subscriptionId } = await subscribe(stack, tenant, 'tok_flaky');
    const renewed = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.period >= 3 ? s : null;
      },
      { what: 'two renewals through timeouts', timeoutMs: 30_000 },
    );
    expect(charges(renewed).slice(0, 2)).toEqual(['2.1:succeeded', '3.1:succeeded']);
    const ledger = await gatewayLedger(stack.pool, { subscriptionId });
    const byPeriod = new Map<string, number>();
    for (const l of ledger) byPeriod.set(l.reference!, (byPeriod.get(l.reference!) ?? 0) + (l.outcome === 'succeeded' ? 1 : 0));
    expect([...byPeriod.values()].slice(0, 2)).toEqual([1, 1]);
    expect(ledger.every((l) => l.outcome === 'succeeded')).toBe(true);
  });

  test('when the card is updated while past due, then the new card is charged at once and the subscription is active', async () => {
    const { subscriptionId, admin } = await subscribe(stack, tenant, 'tok_renewal_fails', '2s');
    await waitFor(async () => (await sub(stack, tenant, subscriptionId)).status === 'past_due' || null, { what: 'past_due', timeoutMs: 30_000 });
    const declinedCard = await admin.updateCard(subscriptionId, 'tok_declined');
    expect(declinedCard.status).toBe(402);
    expect(declinedCard.body.code).toBe('card_declined');
    const updated = await admin.updateCard(subscriptionId, 'tok_visa');
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ status: 'active', period: 2, next_attempt_at: null });
    expect(charges(updated.body).filter((c) => c.endsWith('succeeded'))).toEqual([expect.stringMatching(/^2\.\d:succeeded$/)]);
    // A second update, after the billing workflow continued as new, must save this new card, not replay the first.
    const second = await admin.updateCard(subscriptionId, 'tok_renewal_fails');
    expect(second.status).toBe(200);
    const nextPeriod = second.body.period + 1;
    const pastDueAgain = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'past_due' ? s : null;
      },
      { what: 'the next renewal to hit the newly saved card', timeoutMs: 30_000 },
    );
    // tok_renewal_fails approves its own first charge, then declines: proof that the second card is the one charged.
    expect(charges(pastDueAgain)).toEqual(expect.arrayContaining([`${nextPeriod}.1:succeeded`, `${nextPeriod + 1}.1:failed`]));
    expect((await admin.cancelSubscription(subscriptionId)).status).toBe(200);
  });

  test('when the saved card is reported stolen before the renewal (hard decline), then it is not retried and the subscription ends after the schedule', async () => {
    const { subscriptionId, admin } = await subscribe(stack, tenant, 'tok_visa', '2s');
    // The gateway learns the card is dead; its next charge is a hard decline.
    await stack.pool.query(sql.type(z.object({}))`
      UPDATE test_gateway_cards SET token = 'tok_declined' WHERE id = (SELECT card_ref FROM subscriptions WHERE id = ${subscriptionId})`);
    const pastDue = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'past_due' ? s : null;
      },
      { what: 'past_due', timeoutMs: 30_000 },
    );
    expect(pastDue.next_attempt_at).toBeNull();
    const ended = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'cancelled' ? s : null;
      },
      { what: 'the end of the card-update window', timeoutMs: 30_000 },
    );
    expect(charges(ended)).toEqual(['2.1:failed']);
    expect(ended.charges[0]).toMatchObject({ decline_code: 'card_declined' });
    const notice = stack.notifier.sent.find((n) => n.data.subscription_id === subscriptionId && n.template === 'subscription_payment_failed');
    expect(notice?.data).toMatchObject({ card_update_required: true, next_attempt_at: null });
    expect((await admin.retrySubscription(subscriptionId)).status).toBe(409);
  });

  test('when a subscription is cancelled, then no charge follows, its workflow ends, and retry or a second cancel are 409', async () => {
    const { subscriptionId, admin } = await subscribe(stack, tenant, 'tok_visa', '2s');
    const retryActive = await admin.retrySubscription(subscriptionId);
    expect(retryActive.status).toBe(409);
    const cancelled = await admin.cancelSubscription(subscriptionId, 'customer moved away');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', charges: [] });
    await waitFor(async () => (await workflowStatus(stack, tenant, subscriptionId)) === 'COMPLETED' || null, { what: 'the billing workflow to end' });
    expect((await admin.cancelSubscription(subscriptionId)).status).toBe(409);
    expect((await admin.retrySubscription(subscriptionId)).status).toBe(409);
    expect((await admin.updateCard(subscriptionId, 'tok_visa')).status).toBe(409);
    expect((await sub(stack, tenant, subscriptionId)).charges).toEqual([]);
    expect(await gatewayLedger(stack.pool, { subscriptionId })).toEqual([]);
  });

  test('when the order that started a subscription is cancelled before it ships, then the authorization is voided and the subscription cancelled', async () => {
    const { order, subscriptionId, admin } = await subscribe(stack, tenant, 'tok_visa', '1mo');
    expect((await admin.order(order.id)).body.workflows).toContainEqual({
      id: subscriptionWorkflowId(tenant.tenant_id, subscriptionId),
      type: 'subscriptionBilling',
      status: 'RUNNING',
    });
    expect((await admin.cancel(order.id, 'ordered by mistake')).status).toBe(200);
    const ended = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'cancelled' ? s : null;
      },
      { what: 'the subscription to end with its order' },
    );
    expect(ended.charges).toEqual([]);
    await waitFor(async () => (await workflowStatus(stack, tenant, subscriptionId)) === 'COMPLETED' || null, { what: 'the billing workflow to end' });
    expect((await admin.order(order.id)).body.payments[0].status).toBe('voided');
  });

  test('when a subscription item is checked out by bank transfer, then 400 and nothing is created', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 500, stock: 3, billing_interval: '1mo' });
    const product = (await store.product((await backOffice(stack.http, tenant.admin_api_key).createProduct()).body.id)).body;
    expect(product.variants[0].subscription).toBeNull();
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 1);
    const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'bank_transfer' }));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/card/);
    const bad = await backOffice(stack.http, tenant.admin_api_key).createProduct({
      title: 'x',
      status: 'published',
      variants: [{ sku: `bad-${Date.now()}`, price: { amount: 1, currency: 'JPY' }, subscription: { billing_interval: 'monthly' } }],
    });
    expect(bad.status).toBe(400);
  });
});

describe('subscriptions with a long dunning schedule: the back office retries by hand', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { DUNNING_RETRY_SCHEDULE: '1h,1h' } })));
  afterAll(async () => stack?.stop());

  test('when retry now is pressed on a past-due subscription, then it charges at once: still declined, then approved', async () => {
    const { subscriptionId, admin } = await subscribe(stack, tenant, 'tok_recovers_after_2', '2s');
    const pastDue = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'past_due' ? s : null;
      },
      { what: 'past_due', timeoutMs: 30_000 },
    );
    expect(Date.parse(pastDue.next_attempt_at!) - Date.parse(pastDue.charges[0].created_at)).toBeGreaterThan(50 * 60_000);
    const second = await admin.retrySubscription(subscriptionId);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'past_due' });
    expect(charges(second.body)).toEqual(['2.1:failed', '2.2:failed']);
    const third = await admin.retrySubscription(subscriptionId);
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ status: 'active', period: 2 });
    expect(charges(third.body)).toEqual(['2.1:failed', '2.2:failed', '2.3:succeeded']);
    expect((await admin.cancelSubscription(subscriptionId)).status).toBe(200);
  });
});

describe('subscriptions with DUNNING_EXHAUSTED_STATUS=unpaid', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { DUNNING_RETRY_SCHEDULE: '1s', DUNNING_EXHAUSTED_STATUS: 'unpaid' } })));
  afterAll(async () => stack?.stop());

  test('when the only retry is declined too, then the subscription ends unpaid, not cancelled', async () => {
    const { subscriptionId } = await subscribe(stack, tenant, 'tok_renewal_fails', '2s');
    const ended = await waitFor(
      async () => {
        const s = await sub(stack, tenant, subscriptionId);
        return s.status === 'unpaid' ? s : null;
      },
      { what: 'unpaid', timeoutMs: 30_000 },
    );
    expect(charges(ended)).toEqual(['2.1:failed', '2.2:failed']);
    expect((await backOffice(stack.http, tenant.admin_api_key).subscriptions('?status=unpaid')).body.items.map((s: { id: string }) => s.id)).toContain(
      subscriptionId,
    );
  });
});
