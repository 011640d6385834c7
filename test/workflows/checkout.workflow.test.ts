// Checkout orchestration with stand-in activities: decline, cancellation races, operator cancel, bank-transfer deadline, COD.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { checkout } from '../../workflows/checkout.ts';
import { paymentConfirmation } from '../../workflows/paymentConfirmation.ts';
import { confirmPaymentUpdate, deliverUpdate, orderStatusSignal, placeOrderUpdate, shipUpdate, statusQuery } from '../../contracts/definitions.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId } from '../../domain/ids.ts';
import type { CheckoutInput } from '../../contracts/workflows.ts';
import type { Notification } from '../../domain/notification.ts';
import {
  buildActivities,
  buildCheckoutInput,
  businessError,
  createWorkflowEnv,
  eventually,
  gate,
  shipmentsTracked,
  type WorkflowEnv,
} from '../helpers/workflow-env.ts';

const { EventType } = temporal.api.enums.v1;

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

const input = (paymentMethod: CheckoutInput['paymentMethod'], overrides: Partial<CheckoutInput> = {}): CheckoutInput =>
  buildCheckoutInput({ paymentMethod, ...overrides });

const start = (args: CheckoutInput) =>
  env.client.workflow.start(checkout, { taskQueue: env.taskQueue, workflowId: checkoutWorkflowId(args.tenantId, args.cartId), args: [args] });

const templates = (notices: Notification[]) => notices.map((n) => n.template);

/**
 * Starts a checkout and places its order; returns them with the order's fulfillment once it tracks the single brand's
 * parcel, which it follows itself (so it takes the ship and deliver updates).
 */
async function placeAndFollow(args: CheckoutInput) {
  const handle = await start(args);
  const placed = await handle.executeUpdate(placeOrderUpdate);
  const fulfillment = env.client.workflow.getHandle(fulfillmentWorkflowId(args.tenantId, placed.orderId));
  await shipmentsTracked(fulfillment);
  return { handle, placed, fulfillment };
}

describe('checkout workflow with stand-in activities', () => {
  test('when checkouts are queried while they place their orders, then their histories still replay from the start', async () => {
    env.use(
      buildActivities({
        async authorizeCardPayment() {
          throw businessError('card_declined', 'the card was declined');
        },
      }),
    );
    // A query answered while placeOrder (a local activity) runs splits the task it runs in; whether it does is a race.
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const handle = await start(input('card'));
        let ended = false;
        const polling = (async () => {
          while (!ended) await handle.query(statusQuery).catch(() => undefined);
        })();
        await handle.result().catch(() => undefined);
        ended = true;
        await polling;
        // Replays the whole history: runs that asked `cart-closed-after-answer` after placing the order failed here with
        // "Non-deprecated patch marker encountered" once a query had split that task.
        return handle.query(statusQuery);
      }),
    );
    expect(statuses).toEqual(Array(8).fill('cancelled'));
  });

  test('when the card is declined, then the order is compensated (cancelled, no void), the placeOrder caller gets card_declined and the workflow fails with it', async () => {
    const acts = buildActivities({
      async authorizeCardPayment() {
        throw businessError('card_declined', 'the card was declined (insufficient_funds)');
      },
    });
    env.use(acts);
    const handle = await start(input('card'));
    const update = await handle.executeUpdate(placeOrderUpdate).catch((err: unknown) => err);
    expect(update).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((update as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('card_declined');
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe('card_declined');
    expect(await handle.query(statusQuery)).toBe('cancelled');
    const [placed] = acts.inputsOf<{ orderId: string }>('placeOrder');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ orderId: placed.orderId, reason: 'checkout compensation' })]);
    expect(acts.names()).not.toContain('voidCardAuthorization');
    expect(acts.names()).not.toContain('createShipments');
  });

  test('when an operator cancels the workflow before anything shipped, then cancelOrder runs, the fulfillment stops and the order ends cancelled', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = input('cod');
    const { handle, fulfillment } = await placeAndFollow(args);
    await handle.cancel();
    const failure = await handle.result().catch((err: unknown) => err);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await handle.query(statusQuery)).toBe('cancelled');
    expect((await fulfillment.describe()).status.name).toBe('CANCELLED');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'workflow_cancelled' })]);
    expect(templates(acts.inputsOf<Notification>('notifyCustomer'))).toContain('order_cancelled');
  });

  test('when an operator cancels the workflow but the cancel activity refuses because the order shipped, then the workflow carries on to completed', async () => {
    const acts = buildActivities({
      async cancelOrder() {
        throw businessError('conflict', 'the order has shipped');
      },
    });
    env.use(acts);
    const args = input('cod');
    const { handle, fulfillment } = await placeAndFollow(args);
    await fulfillment.executeUpdate(shipUpdate, { args: [{ shipmentId: 'shp_main', carrier: 'DHL', trackingNumber: 'T1' }] });
    await handle.cancel();
    await eventually(() => acts.names().includes('cancelOrder'));
    await fulfillment.executeUpdate(deliverUpdate, { args: [{ shipmentId: 'shp_main' }] });
    expect(await handle.result()).toBe('completed');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'workflow_cancelled' })]);
    expect(templates(acts.inputsOf<Notification>('notifyCustomer'))).not.toContain('order_cancelled');
  });

  test('when the order status signals arrive out of order (completed, then a stale shipped), then the status never moves back and no cancellation follows', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = input('cod');
    const { handle, fulfillment } = await placeAndFollow(args);
    // Each signal is its own server task: the fulfillment's `completed` can overtake its `shipped`.
    await handle.signal(orderStatusSignal, 'completed');
    await handle.signal(orderStatusSignal, 'shipped');
    expect(await handle.query(statusQuery)).toBe('completed');
    await fulfillment.executeUpdate(shipUpdate, { args: [{ shipmentId: 'shp_main', carrier: 'DHL', trackingNumber: 'T1' }] });
    await fulfillment.executeUpdate(deliverUpdate, { args: [{ shipmentId: 'shp_main' }] });
    expect(await handle.result()).toBe('completed');
    // Before, the stale `shipped` let the operator-cancellation watch, woken by `completed`, cancel a completed order.
    expect(acts.names()).not.toContain('cancelOrder');
  });

  test('when a COD order is placed, then it answers pending_shipment at once, authorizes no card and completes on delivery', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = input('cod');
    const { handle, placed, fulfillment } = await placeAndFollow(args);
    expect(placed).toMatchObject({ status: 'pending_shipment', created: true });
    await fulfillment.executeUpdate(shipUpdate, { args: [{ shipmentId: 'shp_main', carrier: 'DHL', trackingNumber: 'T1' }] });
    await fulfillment.executeUpdate(deliverUpdate, { args: [{ shipmentId: 'shp_main' }] });
    expect(await handle.result()).toBe('completed');
    expect(acts.names()).not.toContain('authorizeCardPayment');
    expect(acts.names()).not.toContain('captureCardPayment');
    expect(acts.names()).not.toContain('cancelOrder');
    expect(templates(acts.inputsOf<Notification>('notifyCustomer'))).toEqual(['order_placed', 'order_shipped', 'order_completed']);
  });

  test('when a bank transfer is not confirmed before its deadline, then checkout compensates and ends cancelled with a payment_timeout notice', async () => {
    const acts = buildActivities();
    env.use(acts);
    const handle = await start(input('bank_transfer', { bankTransferTimeoutMs: 150 }));
    expect(await handle.executeUpdate(placeOrderUpdate)).toMatchObject({ status: 'pending_payment' });
    expect(await handle.result()).toBe('cancelled');
    expect(acts.inputsOf('cancelOrder')).toEqual([expect.objectContaining({ reason: 'checkout compensation' })]);
    expect(acts.inputsOf<Notification>('notifyCustomer').find((n) => n.template === 'order_cancelled')?.data).toMatchObject({ reason: 'payment_timeout' });
    expect(acts.names()).not.toContain('createShipments');
  });
});

describe('payment confirmation deadline races', () => {
  const paymentInput = (timeoutMs: number, reminderBeforeMs = timeoutMs / 2) => ({
    tenantId: `ten_${randomUUID().slice(0, 8)}`,
    orderId: `ord_${randomUUID().slice(0, 8)}`,
    amountDue: { amount: 2500, currency: 'EUR' },
    timeoutMs,
    reminderBeforeMs,
    email: 'buyer@example.com',
  });
  const confirmation = { amount: { amount: 2500, currency: 'EUR' }, reference: 'BANK-1', confirmedBy: 'admin' };

  test('when a confirmation is accepted just before the deadline and is still being recorded when it passes, then the payment ends paid', async () => {
    const recording = gate<void>();
    const acts = buildActivities({
      async recordBankTransfer(args) {
        recording.enter();
        await recording.promise;
        return { received: args.amount.amount, fullyPaid: true };
      },
    });
    env.use(acts);
    // No reminder: the only timer is the deadline.
    const args = paymentInput(300, 300);
    const handle = await env.client.workflow.start(paymentConfirmation, {
      taskQueue: env.taskQueue,
      workflowId: `payment:${args.tenantId}:${args.orderId}`,
      args: [args],
    });
    const confirmed = handle.executeUpdate(confirmPaymentUpdate, { args: [confirmation] });
    await recording.entered;
    // The deadline fires, and the workflow sees it, while the transfer is still being recorded (the dev server may fire
    // timers late under load, so wait for the workflow task after the timer rather than a fixed time).
    await eventually(async () => {
      const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
      return (
        types.slice(types.indexOf(EventType.EVENT_TYPE_TIMER_FIRED) + 1).includes(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) &&
        types.includes(EventType.EVENT_TYPE_TIMER_FIRED)
      );
    });
    recording.open();
    expect(await confirmed).toMatchObject({ status: 'paid', received: 2500 });
    expect(await handle.result()).toBe('paid');
    expect(acts.inputsOf('recordBankTransfer')).toHaveLength(1);
  });

  test('when the deadline passes before any confirmation, then the payment ends expired after a reminder and a later confirmation is refused', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = paymentInput(100);
    const handle = await env.client.workflow.start(paymentConfirmation, {
      taskQueue: env.taskQueue,
      workflowId: `payment:${args.tenantId}:${args.orderId}`,
      args: [args],
    });
    expect(await handle.result()).toBe('expired');
    await expect(handle.executeUpdate(confirmPaymentUpdate, { args: [confirmation] })).rejects.toThrow();
    expect(acts.names()).not.toContain('recordBankTransfer');
    expect(templates(acts.inputsOf<Notification>('notifyCustomer'))).toEqual(['payment_reminder']);
  });
});
