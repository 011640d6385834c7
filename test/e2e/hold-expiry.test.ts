// Cart holds expire by themselves (reservationExpiry workflow, or the sweeper Schedule as a safety net).
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { buildCheckout, holdsOfCart, orderCountOfCart, outboxEvents, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { addCartItem } from '../../db/queries/carts.ts';
import { ensureHoldSweeperSchedule } from '../../workers/setup.ts';
import { checkoutWorkflowId, holdsWorkflowId } from '../../domain/ids.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { CART_HOLD_TTL: '2s' } })));
afterAll(async () => stack?.stop());

const released = (pool: TestStack['pool'], variantId: string, onHand: number) =>
  waitFor(
    async () => {
      const s = await stockOf(pool, variantId);
      return s.reserved === 0 && s.holds_total === 0 && s.on_hand === onHand ? s : null;
    },
    { timeoutMs: 10_000, what: `the holds on ${variantId} to be released` },
  );

describe('cart hold expiry', () => {
  test('when a cart is left alone past the hold TTL, then the reservationExpiry workflow releases its stock and records the expiry', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cart = (await store.createCart()).body;
    const added = await store.addItem(cart.id, variantId, 2);
    expect(added.status).toBe(200);
    expect(added.body.hold_expires_at).not.toBeNull();
    expect((await store.product(productId)).body.variants[0].available_quantity).toBe(3);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });

    expect(await released(stack.pool, variantId, 5)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    expect((await store.product(productId)).body.variants[0].available_quantity).toBe(5);
    const after = (await store.cart(cart.id)).body;
    expect(after).toMatchObject({ status: 'open', hold_expires_at: null, items: [{ variant_id: variantId, quantity: 2, held_quantity: 0 }] });
    const events = await outboxEvents(stack.pool, 'inventory.reservation.expired', 'cart_id', cart.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenant_id: tenant.tenant_id,
      aggregate_id: variantId,
      payload: { cart_id: cart.id, variant_id: variantId, quantity: 2 },
    });
    const holds = stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, cart.id));
    await waitFor(async () => (await holds.describe()).status.name === 'COMPLETED', { what: 'the reservationExpiry workflow to end' });
  });

  test('when a hold expired and the stock is still free, then checkout holds it again and places the order', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 700, stock: 3 });
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 2);
    await released(stack.pool, variantId, 3);

    const checkout = await store.checkout(cart.id, buildCheckout());
    expect(checkout.status).toBe(201);
    expect(checkout.body.order).toMatchObject({ status: 'pending_payment', total: { amount: 1400, currency: 'JPY' } });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 2, holds_total: 2 });
    expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ allocated: 2, released: 2 });
    expect((await store.cart(cart.id)).body).toMatchObject({ status: 'converted', order_id: checkout.body.order.id });
  });

  test('when a hold expired and another buyer took the stock, then checkout is 409 insufficient_stock and changes nothing', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 3 });
    const late = (await store.createCart()).body;
    await store.addItem(late.id, variantId, 3);
    await released(stack.pool, variantId, 3);
    const quick = (await store.createCart()).body;
    expect((await store.addItem(quick.id, variantId, 2)).status).toBe(200);

    const refused = await store.checkout(late.id, buildCheckout());
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.code).toBe('insufficient_stock');
    expect(await orderCountOfCart(stack.pool, late.id)).toBe(0);
    expect(await holdsOfCart(stack.pool, late.id)).toEqual({ released: 3 });
    expect((await store.cart(late.id)).body).toMatchObject({ status: 'open', order_id: null, items: [{ quantity: 3, held_quantity: 0 }] });
    const stock = await stockOf(stack.pool, variantId);
    expect(stock.on_hand).toBe(3);
    expect(stock.reserved).toBe(stock.holds_total);
    expect(stock.reserved).toBeLessThanOrEqual(2);

    // The other buyer is unaffected: their checkout goes through.
    const other = await store.checkout(quick.id, buildCheckout());
    expect(other.status).toBe(201);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 2, holds_total: 2 });
  });

  test('when a hold was committed but its expiry workflow never started, then the sweeper Schedule releases it', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 4 });
    const cart = (await store.createCart()).body;
    // What the API does before it signals-with-start the workflow: as if it crashed right after the commit.
    await addCartItem(stack.pool, tenant.tenant_id, cart.id, null, variantId, 3, { ttlMs: 500, maxLifetimeMs: 3_600_000, maxLineQuantity: 100 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 3, holds_total: 3 });
    await expect(stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, cart.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const scheduleId = `hold-sweeper-${randomUUID().slice(0, 8)}`;
    await ensureHoldSweeperSchedule(stack.temporal, { taskQueue: stack.taskQueue, everyMs: 1000, scheduleId });
    try {
      expect(await released(stack.pool, variantId, 4)).toEqual({ on_hand: 4, reserved: 0, holds_total: 0 });
      expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ released: 3 });
      const events = await outboxEvents(stack.pool, 'inventory.reservation.expired', 'cart_id', cart.id);
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ variant_id: variantId, quantity: 3 });
      expect((await store.cart(cart.id)).body.items[0].held_quantity).toBe(0);
    } finally {
      await stack.temporal.schedule.getHandle(scheduleId).delete();
    }
  });

  // CART_HOLD_TTL 2s here, so HOLD_WATCH_DELAY (5s) is cut to half the TTL: a watcher starts 1 s after the first hold.
  test('when a cart is checked out within the watcher delay, then its hold watcher never starts and the checkout signals none', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, variantId, 2)).status).toBe(200);
    expect((await store.checkout(cart.id, buildCheckout())).status).toBe(201);

    await new Promise((r) => setTimeout(r, 2_000));
    await expect(stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, cart.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const history = await stack.temporal.workflow.getHandle(checkoutWorkflowId(tenant.tenant_id, cart.id)).fetchHistory();
    expect(history.events?.some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });
    expect(await orderCountOfCart(stack.pool, cart.id)).toBe(1);
  });

  test('when a checkout within the watcher delay fails, then the cart keeps its holds and its watcher starts and releases them', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 100, stock: 5 });
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, variantId, 2)).status).toBe(200);
    const stale = await store.checkout(cart.id, { ...buildCheckout(), expected_total: { amount: 1, currency: 'JPY' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('price_changed');

    const holds = stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, cart.id));
    expect(await released(stack.pool, variantId, 5)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
    await waitFor(async () => (await holds.describe()).status.name === 'COMPLETED', { what: 'the re-queued reservationExpiry workflow to end' });
    expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ released: 2 });
  });
});
