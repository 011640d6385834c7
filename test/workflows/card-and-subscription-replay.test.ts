// Replays committed histories of card checkouts and subscription dunning against the current workflow code.
// `UPDATE_HISTORIES=1` first records them from real runs on the test stack (then commit them).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, placeTestOrder, seedProduct, storefront } from '../helpers/factories.ts';
import { expectFixturesReplay, expectStatus, HISTORIES_DIR, installQuietRuntime, recordHistory, UPDATE_HISTORIES } from '../helpers/histories.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, subscriptionWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

/**
 * Fixtures this file owns (file names without `.json`); `-before-patches` ones predate patched(), `-activity-placement`
 * ones predate the `local-placement-steps` patch (placeOrder and authorization as activities), `-activity-authorization`
 * ones the `local-authorization` patch (authorization as an activity), and the `checkout-`/`fulfillment-` ones the types
 * the API started before checkoutV2 (workflows/changes.ts): never re-recorded.
 */
const FIXTURES = [
  'checkout-card-completed-before-patches',
  'checkout-card-declined-before-patches',
  'checkout-card-completed-activity-placement',
  'checkout-card-declined-activity-placement',
  'checkout-cod-completed-with-patches-activity-placement',
  'checkout-cod-completed-with-patches',
  'checkout-card-completed-activity-authorization',
  'checkout-card-declined-activity-authorization',
  'checkout-card-completed',
  'fulfillment-card-completed',
  'checkout-card-declined',
  'checkout-v2-card-completed',
  'fulfillment-v2-card-completed',
  'checkout-v2-card-declined',
  'subscription-dunning-cancelled',
  'subscription-recovered-continued-as-new',
  'subscription-cancelled-by-update',
];

/** Buys `interval` subscription by card with `token`; returns the order and subscription ids. */
async function buySubscription(stack: TestStack, tenant: CreatedTenant, token: string, interval: string) {
  const { order, cartId } = await placeTestOrder(stack.http, tenant, {
    price: 800,
    stock: 10,
    quantity: 1,
    payment_method: 'card',
    payment_token: token,
    billing_interval: interval,
  });
  const listed = expectStatus(await backOffice(stack.http, tenant.admin_api_key).subscriptions(), 200, 'subscriptions').items.find(
    (s: { order_id: string }) => s.order_id === order.id,
  );
  return { orderId: order.id, cartId, subscriptionId: listed.id as string };
}

async function recordHistories(): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const stack = await startTestStack({ config: { DUNNING_RETRY_SCHEDULE: '1s,1s,1s' } });
  try {
    const tenant = await createTestTenant(stack.pool);
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    // Card: authorized, shipped (captured), delivered.
    {
      const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200, stock: 5 });
      const cart = expectStatus(await store.createCart(), 201, 'cart');
      expectStatus(await store.addItem(cart.id, variantId, 1), 200, 'add item');
      const order = expectStatus(await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_flaky' })), 201, 'checkout').order;
      const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
      expectStatus(await admin.ship(shipment.id), 200, 'ship');
      expectStatus(await admin.deliver(shipment.id), 200, 'deliver');
      await recordHistory(stack, checkoutWorkflowId(tenant.tenant_id, cart.id), 'checkout-v2-card-completed');
      await recordHistory(stack, fulfillmentWorkflowId(tenant.tenant_id, order.id), 'fulfillment-v2-card-completed');
    }
    // Card declined: compensated, the checkout fails with card_declined.
    {
      const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200, stock: 5 });
      const cart = expectStatus(await store.createCart(), 201, 'cart');
      expectStatus(await store.addItem(cart.id, variantId, 1), 200, 'add item');
      expectStatus(await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_declined' })), 402, 'declined checkout');
      await recordHistory(stack, checkoutWorkflowId(tenant.tenant_id, cart.id), 'checkout-v2-card-declined', 'FAILED');
    }
    // Dunning to the end: 1 + 3 declines, then cancelled.
    {
      const { subscriptionId } = await buySubscription(stack, tenant, 'tok_renewal_fails', '2s');
      await recordHistory(stack, subscriptionWorkflowId(tenant.tenant_id, subscriptionId), 'subscription-dunning-cancelled');
    }
    // Recovered after two declines: the run continues as new for the next period.
    {
      const { subscriptionId } = await buySubscription(stack, tenant, 'tok_recovers_after_2', '2s');
      await recordHistory(stack, subscriptionWorkflowId(tenant.tenant_id, subscriptionId), 'subscription-recovered-continued-as-new', 'CONTINUED_AS_NEW');
      expectStatus(await admin.cancelSubscription(subscriptionId), 200, 'cancel the recovered subscription');
    }
    // Cancelled by the back office while waiting for the period end.
    {
      const { subscriptionId } = await buySubscription(stack, tenant, 'tok_visa', '1mo');
      expectStatus(await admin.cancelSubscription(subscriptionId, 'customer asked'), 200, 'cancel');
      await recordHistory(stack, subscriptionWorkflowId(tenant.tenant_id, subscriptionId), 'subscription-cancelled-by-update');
    }
  } finally {
    await stack.stop();
  }
}

beforeAll(async () => {
  installQuietRuntime();
  if (UPDATE_HISTORIES) await recordHistories();
}, 240_000);

describe('card and subscription history replay', () => {
  test('when the committed card and dunning histories are replayed against the current code, then every one replays', async () => {
    // The dunning fixture must hold the whole schedule: the renewal and its three retries.
    const dunning = readFileSync(path.join(HISTORIES_DIR, 'subscription-dunning-cancelled.json'), 'utf8');
    expect(dunning.match(/"name": "chargeRenewal"/g)).toHaveLength(4);
    await expectFixturesReplay(FIXTURES);
  });
});
