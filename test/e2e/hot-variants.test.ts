// Hot variants (a flash sale): their carts' expiry workflows and their checkouts run on the hot task queue, served by
// worker slots of their own; everything else stays on the store's queue.
import { holdWatcherStarted, startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, holdsWorkflowId } from '../../domain/ids.ts';
import { hotTaskQueue } from '../../domain/task-queues.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { CART_HOLD_TTL: '3s' }, hotWorker: true })));
afterAll(async () => stack?.stop());

const queueOf = async (workflowId: string) => (await stack.temporal.workflow.getHandle(workflowId).describe()).taskQueue;
// A cart checked out within HOLD_WATCH_DELAY (half the 3 s TTL here) never starts its watcher: wait for it first.
const watcherStarted = (cartId: string) => holdWatcherStarted(stack, tenant.tenant_id, cartId);

/** A published product of `stock` units whose one variant the back office has flagged hot. */
async function hotProduct(stock: number): Promise<{ productId: string; variantId: string }> {
  const seeded = await seedProduct(stack.http, tenant.admin_api_key, { stock });
  const flagged = await backOffice(stack.http, tenant.admin_api_key).updateProduct(seeded.productId, { variants: [{ id: seeded.variantId, is_hot: true }] });
  expect(flagged.status).toBe(200);
  expect(flagged.body.variants[0].is_hot).toBe(true);
  return seeded;
}

test('when a variant is flagged hot, then its cart is watched and checked out on the hot task queue, the order is placed and its fulfillment follows there', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  const { productId, variantId } = await hotProduct(5);
  expect((await store.product(productId)).body.variants[0].is_hot).toBe(true);
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 2)).status).toBe(200);
  const holds = holdsWorkflowId(tenant.tenant_id, cart.id);
  await waitFor(() => queueOf(holds).catch(() => null), { what: 'the cart expiry workflow to start' });
  expect(await queueOf(holds)).toBe(hotTaskQueue(stack.taskQueue));

  const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa' }));
  expect(res.status).toBe(201);
  expect(res.body.order.status).toBe('pending_shipment');
  expect(await queueOf(checkoutWorkflowId(tenant.tenant_id, cart.id))).toBe(hotTaskQueue(stack.taskQueue));
  const fulfillment = fulfillmentWorkflowId(tenant.tenant_id, res.body.order.id);
  await waitFor(() => queueOf(fulfillment).catch(() => null), { what: 'the fulfillment to start' });
  expect(await queueOf(fulfillment)).toBe(hotTaskQueue(stack.taskQueue));
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });
});

test('when a hot cart is left alone past the hold TTL, then the hot worker releases its stock', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await hotProduct(4);
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 3)).status).toBe(200);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 3, holds_total: 3 });
  await waitFor(async () => ((await stockOf(stack.pool, variantId)).reserved === 0 ? true : null), { timeoutMs: 15_000, what: 'the hot hold to be released' });
  const holds = stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, cart.id));
  expect((await holds.describe()).taskQueue).toBe(hotTaskQueue(stack.taskQueue));
  await waitFor(async () => (await holds.describe()).status.name === 'COMPLETED', { what: 'the expiry workflow to end' });
});

test('when a cart holds only ordinary variants, then its processes stay on the store queue', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  await watcherStarted(cart.id);
  const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' }));
  expect(res.status).toBe(201);
  expect(await queueOf(checkoutWorkflowId(tenant.tenant_id, cart.id))).toBe(stack.taskQueue);
  expect(await queueOf(holdsWorkflowId(tenant.tenant_id, cart.id))).toBe(stack.taskQueue);
});

test('when an ordinary cart later takes a hot variant, then its checkout runs on the hot queue while its expiry workflow stays where it started', async () => {
  const store = storefront(stack.http, tenant.publishable_key);
  const ordinary = await seedProduct(stack.http, tenant.admin_api_key, { stock: 5 });
  const hot = await hotProduct(5);
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, ordinary.variantId, 1)).status).toBe(200);
  expect((await store.addItem(cart.id, hot.variantId, 1)).status).toBe(200);
  await watcherStarted(cart.id);
  const res = await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' }));
  expect(res.status).toBe(201);
  expect(await queueOf(checkoutWorkflowId(tenant.tenant_id, cart.id))).toBe(hotTaskQueue(stack.taskQueue));
  expect(await queueOf(holdsWorkflowId(tenant.tenant_id, cart.id))).toBe(stack.taskQueue);
});

test('when the hot flag is not a boolean, then the patch is 400 and the variant stays as it was; unflagged, it is ordinary again', async () => {
  const office = backOffice(stack.http, tenant.admin_api_key);
  const { productId, variantId } = await hotProduct(1);
  const bad = await office.updateProduct(productId, { variants: [{ id: variantId, is_hot: 'yes' }] });
  expect(bad.status).toBe(400);
  expect(bad.headers['content-type']).toMatch(/problem\+json/);
  expect((await storefront(stack.http, tenant.publishable_key).product(productId)).body.variants[0].is_hot).toBe(true);
  const unflagged = await office.updateProduct(productId, { variants: [{ id: variantId, is_hot: false }] });
  expect(unflagged.status).toBe(200);
  expect(unflagged.body.variants[0].is_hot).toBe(false);
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  const holds = holdsWorkflowId(tenant.tenant_id, cart.id);
  await waitFor(() => queueOf(holds).catch(() => null), { what: 'the cart expiry workflow to start' });
  expect(await queueOf(holds)).toBe(stack.taskQueue);
});
