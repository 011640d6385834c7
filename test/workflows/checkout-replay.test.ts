// Replays committed workflow histories against the current workflow code, to catch non-determinism before deploy.
// `UPDATE_HISTORIES=1` first records fresh histories from real runs on the test stack (then commit them).
import { mkdirSync } from 'node:fs';
import { holdWatcherStarted, startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import { placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import {
  committedHistories,
  expectStatus,
  HISTORIES_DIR,
  installQuietRuntime,
  recordHistory,
  replayHistories,
  UPDATE_HISTORIES,
} from '../helpers/histories.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, holdsWorkflowId, paymentWorkflowId, shipmentWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';

/**
 * The scenarios the committed fixtures must cover (file name without `.json`). `-activity-placement` ones were recorded
 * before the `local-placement-steps` patch (placeOrder as an activity), `-activity-shipments` ones before
 * `local-create-shipments` (createShipments as an activity), `-first-pass-asks` ones before `first-pass-sleeps` (the
 * expiry workflow's first pass asked the database), `-watched-cart` ones before `HOLD_WATCH_DELAY` (a cart checked out
 * right after its first hold had a watcher, which its checkout signalled), `-signal-at-placement` ones before
 * `cart-closed-after-answer` (the watcher was told right after placing the order), `-shipment-child` ones before
 * `single-shipment-in-fulfillment` (a single brand's parcel had a `shipment` child), `-patch-after-placement` ones before
 * `patches-before-placement` (`cart-closed-after-answer` asked after placeOrder); they are never re-recorded.
 */
const OLD_PATHS = [
  'checkout-cod-completed-watched-cart',
  'checkout-bank-transfer-completed-signal-at-placement',
  'fulfillment-cod-completed-activity-shipments',
  'fulfillment-mall-bank-transfer-completed-activity-shipments',
  'fulfillment-cod-completed-shipment-child',
  'fulfillment-bank-transfer-completed-shipment-child',
  'checkout-cod-completed-patch-after-placement',
  'checkout-bank-transfer-completed-patch-after-placement',
  'reservation-expiry-cart-closed-first-pass-asks',
  'reservation-expiry-released-hold-first-pass-asks',
];
/**
 * Recorded by the `checkout` and `fulfillment` types, which the API no longer starts (it starts checkoutV2, whose children
 * are fulfillmentV2: workflows/changes.ts); replayed until those types are removed, never re-recorded.
 */
const OLDER_TYPES = [
  'checkout-bank-transfer-completed',
  'fulfillment-bank-transfer-completed',
  'checkout-cod-completed',
  'fulfillment-cod-completed',
  'checkout-mall-bank-transfer-completed',
  'fulfillment-mall-bank-transfer-completed',
  'fulfillment-mall-cod-cancelled',
  'checkout-payment-expired-cancelled',
];
const REQUIRED = [
  ...OLD_PATHS,
  ...OLDER_TYPES,
  'checkout-v2-bank-transfer-completed',
  'checkout-bank-transfer-completed-activity-placement',
  'checkout-mall-bank-transfer-completed-activity-placement',
  'payment-confirmation-paid',
  'fulfillment-v2-bank-transfer-completed',
  'reservation-expiry-cart-closed',
  'checkout-v2-cod-completed',
  'fulfillment-v2-cod-completed',
  'reservation-expiry-released-hold',
  'payment-confirmation-expired',
  'checkout-v2-payment-expired-cancelled',
  'checkout-v2-mall-bank-transfer-completed',
  'fulfillment-v2-mall-bank-transfer-completed',
  'shipment-mall-vendor-shipped-completed',
  'shipment-mall-admin-shipped-completed',
  'fulfillment-v2-mall-cod-cancelled',
  'shipment-mall-cod-cancelled',
  'shipment-mall-late-completed',
];

/** Drives each scenario through the HTTP API on a real stack and records the histories of its workflows. */
async function recordHistories(): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });

  // Watchers start 200 ms after a cart's first hold (not the default 5 s): the first scenario waits for its cart's.
  const stack = await startTestStack({ config: { HOLD_WATCH_DELAY: '200ms' } });
  try {
    const tenant = await createTestTenant(stack.pool);
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);

    // Bank transfer: paid, shipped, delivered → checkout, payment, fulfillment and the cart's holds workflow complete.
    {
      const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1500, stock: 5 });
      const cart = expectStatus(await store.createCart(), 201, 'cart');
      expectStatus(await store.addItem(cart.id, variantId, 2), 200, 'add item');
      // A cart checked out before its watcher started has none to record (and its checkout signals none).
      await holdWatcherStarted(stack, tenant.tenant_id, cart.id);
      const order = expectStatus(await store.checkout(cart.id, buildCheckout({ payment_method: 'bank_transfer' })), 201, 'checkout').order;
      expectStatus(await admin.confirmPayment(order.id, 1000), 200, 'partial payment');
      expectStatus(await admin.confirmPayment(order.id, 2000), 200, 'rest of the payment');
      const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
      expectStatus(await admin.ship(shipment.id), 200, 'ship');
      expectStatus(await admin.deliver(shipment.id), 200, 'deliver');
      await recordHistory(stack, checkoutWorkflowId(tenant.tenant_id, cart.id), 'checkout-v2-bank-transfer-completed');
      await recordHistory(stack, paymentWorkflowId(tenant.tenant_id, order.id), 'payment-confirmation-paid');
      await recordHistory(stack, fulfillmentWorkflowId(tenant.tenant_id, order.id), 'fulfillment-v2-bank-transfer-completed');
      await recordHistory(stack, holdsWorkflowId(tenant.tenant_id, cart.id), 'reservation-expiry-cart-closed');
    }

    // Cash on delivery: shipped, delivered with the cash collected.
    {
      const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 800, stock: 5 });
      const cart = expectStatus(await store.createCart(), 201, 'cart');
      expectStatus(await store.addItem(cart.id, variantId, 1), 200, 'add item');
      const order = expectStatus(await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' })), 201, 'checkout').order;
      const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
      expectStatus(await admin.ship(shipment.id), 200, 'ship');
      expectStatus(await admin.deliver(shipment.id, order.total), 200, 'deliver with cash');
      await recordHistory(stack, checkoutWorkflowId(tenant.tenant_id, cart.id), 'checkout-v2-cod-completed');
      await recordHistory(stack, fulfillmentWorkflowId(tenant.tenant_id, order.id), 'fulfillment-v2-cod-completed');
    }

    // Mall: one bank-transfer order of two vendors, vendor 1 ships and delivers with its key, the admin does vendor 2's.
    {
      const mall = await createTestTenant(stack.pool, { mode: 'mall' });
      const mallAdmin = backOffice(stack.http, mall.admin_api_key);
      const vendors = await twoVendors(stack, mall);
      const { cartId, order } = await placeMallOrder(
        stack.http,
        mall,
        vendors.map((v, i) => ({ variantId: v.variantId, quantity: i + 1 })),
        'bank_transfer',
      );
      expectStatus(await mallAdmin.confirmPayment(order.id, order.total.amount), 200, 'payment');
      const shipments = await shipmentsOf(stack, mall, order.id);
      const [s1, s2] = vendors.map((v) => shipments.find((s) => s.vendor_id === v.id)!.id);
      const portal1 = vendorPortal(stack.http, vendors[0].key);
      expectStatus(await portal1.ship(s1), 200, 'vendor ships');
      expectStatus(await mallAdmin.ship(s2), 200, 'admin ships');
      expectStatus(await portal1.deliver(s1), 200, 'vendor delivers');
      expectStatus(await mallAdmin.deliver(s2), 200, 'admin delivers');
      await recordHistory(stack, checkoutWorkflowId(mall.tenant_id, cartId), 'checkout-v2-mall-bank-transfer-completed');
      await recordHistory(stack, fulfillmentWorkflowId(mall.tenant_id, order.id), 'fulfillment-v2-mall-bank-transfer-completed');
      await recordHistory(stack, shipmentWorkflowId(mall.tenant_id, s1), 'shipment-mall-vendor-shipped-completed');
      await recordHistory(stack, shipmentWorkflowId(mall.tenant_id, s2), 'shipment-mall-admin-shipped-completed');
    }

    // Mall: a two-vendor COD order cancelled before anything shipped stops its fulfillment and both shipments.
    {
      const mall = await createTestTenant(stack.pool, { mode: 'mall' });
      const mallAdmin = backOffice(stack.http, mall.admin_api_key);
      const vendors = await twoVendors(stack, mall);
      const { order } = await placeMallOrder(
        stack.http,
        mall,
        vendors.map((v, i) => ({ variantId: v.variantId, quantity: i + 2 })),
        'cod',
      );
      const shipments = await shipmentsOf(stack, mall, order.id);
      await waitFor(
        async () => {
          const wfs = (await mallAdmin.order(order.id)).body.workflows as { type: string; status: string }[];
          return wfs.filter((w) => w.type === 'shipment' && w.status === 'RUNNING').length === 2;
        },
        { what: 'both shipment workflows to run' },
      );
      expectStatus(await mallAdmin.cancel(order.id), 200, 'cancel');
      await recordHistory(stack, fulfillmentWorkflowId(mall.tenant_id, order.id), 'fulfillment-v2-mall-cod-cancelled', 'CANCELLED');
      await recordHistory(stack, shipmentWorkflowId(mall.tenant_id, shipments[0].id), 'shipment-mall-cod-cancelled', 'CANCELLED');
      for (const v of vendors) expect(await stockOf(stack.pool, v.variantId)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });
    }
  } finally {
    await stack.stop();
  }

  // Mall with a short ship SLA: a shipment that is late (its SLA timer fires), then shipped and delivered.
  const late = await startTestStack({ config: { VENDOR_SHIP_SLA: '2s' } });
  try {
    const mall = await createTestTenant(late.pool, { mode: 'mall' });
    const mallAdmin = backOffice(late.http, mall.admin_api_key);
    const [vendor] = await twoVendors(late, mall);
    const { order } = await placeMallOrder(late.http, mall, [{ variantId: vendor.variantId, quantity: 1 }], 'cod');
    const shipment = await waitFor(async () => (await mallAdmin.order(order.id)).body.shipments[0] as { id: string } | undefined, { what: 'the shipment' });
    await waitFor(async () => late.notifier.sent.some((n) => n.template === 'shipment_late' && n.data.shipment_id === shipment.id), {
      what: 'the shipment_late notice',
    });
    expectStatus(await mallAdmin.ship(shipment.id), 200, 'ship');
    expectStatus(await mallAdmin.deliver(shipment.id, order.total), 200, 'deliver with cash');
    await recordHistory(late, shipmentWorkflowId(mall.tenant_id, shipment.id), 'shipment-mall-late-completed');
  } finally {
    await late.stop();
  }

  // Short timers: a hold that expires, a bank transfer that is never paid.
  const fast = await startTestStack({ config: { CART_HOLD_TTL: '2s', BANK_TRANSFER_TIMEOUT: '3s' } });
  try {
    const tenant: CreatedTenant = await createTestTenant(fast.pool);
    const store = storefront(fast.http, tenant.publishable_key);
    const { variantId } = await seedProduct(fast.http, tenant.admin_api_key, { stock: 5 });

    const idle = expectStatus(await store.createCart(), 201, 'cart');
    expectStatus(await store.addItem(idle.id, variantId, 1), 200, 'add item');

    const unpaid = expectStatus(await store.createCart(), 201, 'cart');
    expectStatus(await store.addItem(unpaid.id, variantId, 1), 200, 'add item');
    const order = expectStatus(await store.checkout(unpaid.id, buildCheckout({ payment_method: 'bank_transfer' })), 201, 'checkout').order;

    await recordHistory(fast, holdsWorkflowId(tenant.tenant_id, idle.id), 'reservation-expiry-released-hold');
    await recordHistory(fast, paymentWorkflowId(tenant.tenant_id, order.id), 'payment-confirmation-expired');
    await recordHistory(fast, checkoutWorkflowId(tenant.tenant_id, unpaid.id), 'checkout-v2-payment-expired-cancelled');
    expect(await fast.temporal.workflow.getHandle(paymentWorkflowId(tenant.tenant_id, order.id)).result()).toBe('expired');
    expect(await fast.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, unpaid.id)).result()).toBe('cancelled');
    expect(await stockOf(fast.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  } finally {
    await fast.stop();
  }
}

/** Two vendors of a mall (10 % and 5 %), each with a key and a product (10 in stock). */
async function twoVendors(stack: TestStack, mall: CreatedTenant): Promise<{ id: string; variantId: string; key: string }[]> {
  const vendors = [];
  for (const [bps, price] of [
    [1000, 2000],
    [500, 1300],
  ]) {
    const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: bps });
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price, stock: 10 });
    vendors.push({ id, variantId, key: (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key });
  }
  return vendors;
}

/** A mall order's shipments once fulfillment has created one per vendor. */
function shipmentsOf(stack: TestStack, mall: CreatedTenant, orderId: string): Promise<{ id: string; vendor_id: string }[]> {
  return waitFor(
    async () => {
      const { body } = await backOffice(stack.http, mall.admin_api_key).order(orderId);
      return body.shipments?.length === 2 ? body.shipments : null;
    },
    { what: `two shipments of ${orderId}` },
  );
}

beforeAll(async () => {
  installQuietRuntime();
  if (UPDATE_HISTORIES) await recordHistories();
}, 180_000);

describe('workflow history replay', () => {
  test('when every committed history is replayed against the current workflow code, then none fails to replay', async () => {
    const histories = committedHistories();
    // An empty or partial fixture folder must fail loudly, never pass by replaying nothing.
    expect(histories.map((h) => h.name)).toEqual(expect.arrayContaining(REQUIRED));

    const results = await replayHistories(histories);

    expect(results.map((r) => r.workflowId).sort()).toEqual(histories.map((h) => h.name).sort());
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  test('when a history no longer matches the code (an activity was renamed), then replay reports non-determinism', async () => {
    const original = committedHistories().find((h) => h.name === 'checkout-cod-completed');
    expect(original).toBeDefined();
    const tampered = JSON.parse(JSON.stringify(original!.json).replaceAll('"name":"placeOrder"', '"name":"placeOrderV2"'));
    expect(JSON.stringify(tampered)).toContain('placeOrderV2');

    const [result] = await replayHistories([{ name: 'tampered-checkout', json: tampered }]);

    expect(result.error).toMatch(/DeterminismViolation|nondetermin/i);
  });
});
