// Checkout cancellation paths with stand-in activities: the back office cancelling a bank transfer or a card order with
// subscriptions or while its card is authorized, an operator cancelling the workflow or its fulfillment child, a card
// authorization that gives up.
// `UPDATE_HISTORIES=1` also writes each run's history as a replay fixture unless it exists: the cancellation fixtures
// were recorded with the checkout code from before its rewrite as a saga, and are kept as such.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { checkout } from '../../workflows/checkout.ts';
import { cancelOrderUpdate, placeOrderUpdate, statusQuery } from '../../contracts/definitions.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, paymentWorkflowId, subscriptionWorkflowId } from '../../domain/ids.ts';
import type { CheckoutInput } from '../../contracts/workflows.ts';
import type { Notification } from '../../domain/notification.ts';
import { expectFixturesReplay, HISTORIES_DIR, UPDATE_HISTORIES } from '../helpers/histories.ts';
import {
  billingState,
  buildActivities,
  buildCheckoutInput,
  businessError,
  createWorkflowEnv,
  eventually,
  gate,
  shipmentsTracked,
  type WorkflowEnv,
} from '../helpers/workflow-env.ts';

const FIXTURES = [
  'checkout-bank-transfer-cancelled-by-back-office',
  'checkout-cod-cancelled-by-operator',
  'checkout-card-subscription-cancelled-by-back-office',
  'checkout-card-fulfillment-cancelled-by-operator',
  'checkout-card-authorization-gave-up',
];

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

const input = (paymentMethod: CheckoutInput['paymentMethod']): CheckoutInput => buildCheckoutInput({ paymentMethod });

const start = (args: CheckoutInput) =>
  env.client.workflow.start(checkout, { taskQueue: env.taskQueue, workflowId: checkoutWorkflowId(args.tenantId, args.cartId), args: [args] });

const templates = (notices: Notification[]) => notices.map((n) => n.template);

/** Waits until a workflow exists (started by the checkout), then returns its handle. */
async function started(workflowId: string): Promise<WorkflowHandle> {
  const handle = env.client.workflow.getHandle(workflowId);
  await eventually(() =>
    handle.describe().then(
      () => true,
      () => false,
    ),
  );
  return handle;
}

/** A card order with one subscription line whose billing waits for a period end the tests never reach. */
function cardWithSubscription() {
  return buildActivities({
    async placeOrder(args: CheckoutInput & { orderId: string }) {
      return {
        orderId: args.orderId,
        status: 'pending_payment' as const,
        total: { amount: 2500, currency: 'EUR' },
        accessToken: 'ot_test',
        vendorIds: [],
        created: true,
        subscriptionLines: 1,
        payment: { method: 'card' as const, status: 'pending' },
      };
    },
    async createOrderSubscriptions() {
      return ['sub_1'];
    },
    async loadSubscription() {
      return billingState({ periodEndsInMs: 600_000 });
    },
  });
}

/** Stand-in activities whose card authorization waits for `authorizing` to open, then returns the order in `orderStatus`. */
function useGatewayThatWaits(orderStatus: 'pending_payment' | 'cancelled') {
  const authorizing = gate<void>();
  const acts = buildActivities({
    async authorizeCardPayment() {
      authorizing.enter();
      await authorizing.promise;
      return { orderStatus, cardRef: 'card_1' };
    },
  });
  env.use(acts);
  return { authorizing, acts };
}

/** With UPDATE_HISTORIES=1, writes the ended run's history as a committed fixture, unless one was recorded before. */
async function keepHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (!UPDATE_HISTORIES || existsSync(file)) return;
  writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
}

describe('checkout cancellation with stand-in activities', () => {
  test('when the back office cancels a bank transfer waiting for its payment, then the payment workflow is stopped and the order ends cancelled without a void', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = input('bank_transfer');
    const handle = await start(args);
    const placed = await handle.executeUpdate(placeOrderUpdate);
    const payment = await started(paymentWorkflowId(args.tenantId, placed.orderId));
    expect(await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer asked', cancelledBy: 'admin' }] })).toEqual({ status: 'cancelled' });
    expect(await handle.result()).toBe('cancelled');
    expect((await payment.describe()).status.name).toBe('CANCELLED');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ orderId: placed.orderId, reason: 'customer asked (by admin)' })]);
    expect(acts.names()).not.toContain('voidCardAuthorization');
    expect(acts.names()).not.toContain('createShipments');
    // Sent in that order; each is its own activity, so they may run in either.
    expect(templates(acts.inputsOf<Notification>('notifyCustomer')).sort()).toEqual(['order_cancelled', 'order_placed']);
    await keepHistory(handle, 'checkout-bank-transfer-cancelled-by-back-office');
  });

  test('when an operator cancels a COD checkout before it shipped, then the order is cancelled, its shipment stopped and the workflow ends cancelled', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = input('cod');
    const handle = await start(args);
    const placed = await handle.executeUpdate(placeOrderUpdate);
    // The single brand's parcel is followed by the fulfillment itself: stopping the fulfillment stops the shipment.
    const fulfillment = await started(fulfillmentWorkflowId(args.tenantId, placed.orderId));
    await shipmentsTracked(fulfillment);
    await handle.cancel();
    const failure = await handle.result().catch((err: unknown) => err);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await handle.query(statusQuery)).toBe('cancelled');
    expect((await fulfillment.describe()).status.name).toBe('CANCELLED');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'workflow_cancelled' })]);
    // Sent in that order; each is its own activity, so they may run in either.
    expect(templates(acts.inputsOf<Notification>('notifyCustomer')).sort()).toEqual(['order_cancelled', 'order_placed']);
    await keepHistory(handle, 'checkout-cod-cancelled-by-operator');
  });

  test('when the back office cancels a card order with a subscription before it shipped, then the order is cancelled first, then the card voided, the subscription and the fulfillment stopped', async () => {
    const acts = cardWithSubscription();
    env.use(acts);
    const args = input('card');
    const handle = await start(args);
    const placed = await handle.executeUpdate(placeOrderUpdate);
    const subscription = await started(subscriptionWorkflowId(args.tenantId, 'sub_1'));
    const fulfillment = await started(fulfillmentWorkflowId(args.tenantId, placed.orderId));
    await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer asked', cancelledBy: 'admin' }] });
    expect(await handle.result()).toBe('cancelled');
    expect(await subscription.result()).toBe('cancelled');
    expect((await fulfillment.describe()).status.name).toBe('CANCELLED');
    const order = acts.names().filter((n) => n === 'cancelOrder' || n === 'voidCardAuthorization');
    expect(order).toEqual(['cancelOrder', 'voidCardAuthorization']);
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'customer asked (by admin)' })]);
    expect(acts.inputsOf('endSubscription')).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    await keepHistory(handle, 'checkout-card-subscription-cancelled-by-back-office');
  });

  test('when an operator cancels the fulfillment of a card order, then checkout compensates: voids the card, stops the subscription, cancels the order and tells the customer', async () => {
    const acts = cardWithSubscription();
    env.use(acts);
    const args = input('card');
    const handle = await start(args);
    const placed = await handle.executeUpdate(placeOrderUpdate);
    const subscription = await started(subscriptionWorkflowId(args.tenantId, 'sub_1'));
    const fulfillment = await started(fulfillmentWorkflowId(args.tenantId, placed.orderId));
    await shipmentsTracked(fulfillment);
    await fulfillment.cancel();
    expect(await handle.result()).toBe('cancelled');
    expect(await subscription.result()).toBe('cancelled');
    const order = acts.names().filter((n) => n === 'cancelOrder' || n === 'voidCardAuthorization');
    expect(order).toEqual(['voidCardAuthorization', 'cancelOrder']);
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'checkout compensation' })]);
    expect(acts.inputsOf<Notification>('notifyCustomer').find((n) => n.template === 'order_cancelled')?.data).toMatchObject({
      reason: 'cancelled_by_operator',
    });
    await keepHistory(handle, 'checkout-card-fulfillment-cancelled-by-operator');
  });

  test('when the card authorization fails without a decline (the gateway step gave up), then the compensation voids what the gateway may hold, cancels the order and the checkout fails with that failure', async () => {
    const acts = buildActivities({
      async authorizeCardPayment() {
        throw businessError('gateway_unavailable', 'the card gateway did not answer');
      },
    });
    env.use(acts);
    const handle = await start(input('card'));
    const update = await handle.executeUpdate(placeOrderUpdate).catch((err: unknown) => err);
    expect(String((update as Error).cause)).toMatch(/did not answer/);
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(await handle.query(statusQuery)).toBe('cancelled');
    const [placed] = acts.inputsOf<{ orderId: string }>('placeOrder');
    expect(acts.names().filter((n) => n === 'cancelOrder' || n === 'voidCardAuthorization')).toEqual(['voidCardAuthorization', 'cancelOrder']);
    expect(acts.inputsOf('voidCardAuthorization')).toEqual([expect.objectContaining({ orderId: placed.orderId })]);
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'checkout compensation' })]);
    await keepHistory(handle, 'checkout-card-authorization-gave-up');
  });

  test('when the back office cancels while the gateway answers the authorization, then the cancel waits for that answer: the order is placed, then cancelled, the money voided, and the customer is told both', async () => {
    const { authorizing, acts } = useGatewayThatWaits('pending_payment');
    const handle = await start(input('card'));
    const placing = handle.executeUpdate(placeOrderUpdate);
    await authorizing.entered;
    const cancelling = handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer asked', cancelledBy: 'admin' }] });
    // The authorization runs in the task that places the order (a local activity): the cancel reaches the workflow after it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    authorizing.open();
    expect((await placing).orderId).toMatch(/^ord_/);
    expect(await cancelling).toEqual({ status: 'cancelled' });
    expect(await handle.result()).toBe('cancelled');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'customer asked (by admin)' })]);
    expect(acts.inputsOf('voidCardAuthorization')).toHaveLength(1);
    // Sent in that order; each is its own activity, so they may run in either.
    expect(templates(acts.inputsOf<Notification>('notifyCustomer')).sort()).toEqual(['order_cancelled', 'order_placed']);
  });

  test('when the gateway is slower than the workflow task heartbeat and the back office cancels meanwhile, then the cancel lands at the heartbeat, the order ends cancelled, the authorization is voided and no order_placed notice follows the cancel notice', async () => {
    // The database already says cancelled when the gateway answers.
    const { authorizing, acts } = useGatewayThatWaits('cancelled');
    const args = input('card');
    // A short task timeout makes the worker heartbeat the task every 0.8 s while the authorization runs (8 s by default).
    const handle = await env.client.workflow.start(checkout, {
      taskQueue: env.taskQueue,
      workflowId: checkoutWorkflowId(args.tenantId, args.cartId),
      args: [args],
      workflowTaskTimeout: '1s',
    });
    const placing = handle.executeUpdate(placeOrderUpdate);
    await authorizing.entered;
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, { args: [{ reason: 'customer asked', cancelledBy: 'admin' }] });
    expect(cancelled).toEqual({ status: 'cancelled' });
    authorizing.open();
    expect(await handle.result()).toBe('cancelled');
    expect((await placing).orderId).toMatch(/^ord_/);
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'customer asked (by admin)' })]);
    expect(acts.inputsOf('voidCardAuthorization').length).toBeGreaterThanOrEqual(1);
    const notices = templates(acts.inputsOf<Notification>('notifyCustomer'));
    expect(notices).toContain('order_cancelled');
    expect(notices.slice(notices.indexOf('order_cancelled'))).not.toContain('order_placed');
    expect(acts.names()).not.toContain('createShipments');
  });

  test('when the histories of these paths are replayed against the current checkout, then every one replays', async () => {
    await expectFixturesReplay(FIXTURES);
  });
});
