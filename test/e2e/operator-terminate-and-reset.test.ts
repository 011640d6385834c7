// Operators terminate and reset an order's checkout in the Temporal UI; these do what the UI does, with the Temporal client.
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, gatewayLedger, orderCountOfCart, placeTestOrder, stockOf } from '../helpers/factories.ts';
import { shipmentsQuery, statusQuery } from '../../contracts/definitions.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import { checkoutWorkflowId, fulfillmentWorkflowId, paymentWorkflowId, shipmentWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { localActivityRuns, recordHistory, UPDATE_HISTORIES } from '../helpers/histories.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type EventId = HistoryEvent['eventId'];

const handle = (workflowId: string, runId?: string) => stack.temporal.workflow.getHandle(workflowId, runId);
const describe_ = async (workflowId: string) => {
  const d = await handle(workflowId).describe();
  return { runId: d.runId, status: d.status.name };
};
const historyOf = async (workflowId: string, runId?: string): Promise<HistoryEvent[]> => (await handle(workflowId, runId).fetchHistory()).events ?? [];

/** The id of the first WorkflowTaskCompleted event (the UI's "reset to first workflow task"). */
function firstWorkflowTask(events: HistoryEvent[]): EventId {
  return events.find((e) => e.workflowTaskCompletedEventAttributes)!.eventId;
}

/**
 * The latest reset point before anything after placement: in runs from before the `local-placement-steps` patch, the
 * WorkflowTaskCompleted after placeOrder's activity completed. Newer runs record placeOrder (a local activity) with the
 * first task's commands, so the point is that task: the reset run places again and finds the order the cart became.
 */
function afterPlaceOrder(events: HistoryEvent[]): EventId {
  if (localActivityRuns(events).some((run) => run.activityType === 'placeOrder')) return firstWorkflowTask(events);
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'placeOrder')!;
  const completed = events.find((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? 0) === Number(scheduled.eventId))!;
  return events.find((e) => Number(e.eventId) > Number(completed.eventId) && e.workflowTaskCompletedEventAttributes)!.eventId;
}

/** Resets a workflow as the UI's Reset does; returns the new run's id. */
async function reset(workflowId: string, workflowTaskFinishEventId: EventId): Promise<string> {
  const runId = (await handle(workflowId).describe()).runId;
  const res: temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse = await stack.temporal.workflowService.resetWorkflowExecution({
    namespace: stack.config.TEMPORAL_NAMESPACE,
    workflowExecution: { workflowId, runId },
    reason: 'operator reset (test)',
    workflowTaskFinishEventId,
    requestId: randomUUID(),
  });
  return res.runId!;
}

/** Waits until a run follows an existing child instead of starting it (its follower activity is scheduled). */
async function followsAnExistingChild(workflowId: string, runId: string, times = 1): Promise<void> {
  await waitFor(
    async () =>
      (await historyOf(workflowId, runId)).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'followWorkflow').length >= times,
    { what: `${workflowId} following ${times} existing child(ren)` },
  );
}

/** Ships and delivers the order's one shipment; `checkout` (a run that must track the order's status) hears `shipped`. */
async function shipAndDeliver(orderId: string, checkout?: { workflowId: string; runId: string }): Promise<void> {
  const admin = backOffice(stack.http, tenant.admin_api_key);
  const shipment = await waitFor(async () => (await admin.order(orderId)).body.shipments[0], { what: 'the shipment' });
  expect((await admin.ship(shipment.id)).status).toBe(200);
  if (checkout) {
    const run = handle(checkout.workflowId, checkout.runId);
    await waitFor(async () => (await run.query(statusQuery)) === 'shipped', { what: 'the checkout run hearing shipped' });
  }
  expect((await admin.deliver(shipment.id)).status).toBe(200);
  await waitFor(async () => (await admin.order(orderId)).body.status === 'completed', { what: 'the order completed' });
}

describe('terminating an order checkout in the Temporal UI', () => {
  test('when an operator terminates the checkout of a bank-transfer order awaiting payment, then its payment process keeps running and confirming the transfer works', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });
    const paymentId = paymentWorkflowId(tenant.tenant_id, order.id);
    const before = await describe_(paymentId);

    await handle(checkoutWorkflowId(tenant.tenant_id, cartId)).terminate('operator terminated (test)');

    expect((await describe_(checkoutWorkflowId(tenant.tenant_id, cartId))).status).toBe('TERMINATED');
    expect(await describe_(paymentId)).toEqual({ runId: before.runId, status: 'RUNNING' });
    const paid = await admin.confirmPayment(order.id, 2000);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'pending_shipment', payments: [{ status: 'captured' }] });
    expect(await handle(paymentId).result()).toBe('paid');
    // Stock stays allocated to the paid order; starting its fulfillment is the reconciler's repair (a resumed process).
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 2, holds_total: 2 });
  });

  test('when an operator terminates the checkout of a paid order, then its fulfillment keeps running and ship and deliver complete the order', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });
    expect((await admin.confirmPayment(order.id, 2000)).status).toBe(200);
    await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    const fulfillmentId = fulfillmentWorkflowId(tenant.tenant_id, order.id);

    await handle(checkoutWorkflowId(tenant.tenant_id, cartId)).terminate('operator terminated (test)');

    expect((await describe_(fulfillmentId)).status).toBe('RUNNING');
    await shipAndDeliver(order.id);
    expect(await handle(fulfillmentId).result()).toBe('completed');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });
});

describe('resetting an order checkout in the Temporal UI', () => {
  test('when an operator resets the checkout of an order awaiting payment to its first workflow task, then one order, one payment process, stock unchanged, and the order completes', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const paymentId = paymentWorkflowId(tenant.tenant_id, order.id);
    const payment = await describe_(paymentId);
    const stock = await stockOf(stack.pool, variantId);

    const runId = await reset(checkoutId, firstWorkflowTask(await historyOf(checkoutId)));
    await followsAnExistingChild(checkoutId, runId);

    expect(await orderCountOfCart(stack.pool, cartId)).toBe(1);
    expect(await describe_(paymentId)).toEqual(payment);
    expect(await stockOf(stack.pool, variantId)).toEqual(stock);
    expect((await admin.order(order.id)).body.status).toBe('pending_payment');
    expect((await admin.confirmPayment(order.id, 2000)).status).toBe(200);
    await shipAndDeliver(order.id, { workflowId: checkoutId, runId });
    expect(await handle(checkoutId, runId).result()).toBe('completed');
    expect(stack.notifier.sent.filter((n) => n.template === 'order_placed' && n.data.order_id === order.id)).toHaveLength(1);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });

  test('when the payment a reset checkout follows is itself reset before any confirmation, then the checkout follows the new run and confirming moves the order on', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 1 });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const paymentId = paymentWorkflowId(tenant.tenant_id, order.id);
    const runId = await reset(checkoutId, firstWorkflowTask(await historyOf(checkoutId)));
    await followsAnExistingChild(checkoutId, runId);

    const paymentRun = await reset(paymentId, firstWorkflowTask(await historyOf(paymentId)));

    expect(await describe_(paymentId)).toEqual({ runId: paymentRun, status: 'RUNNING' });
    expect((await admin.confirmPayment(order.id, 1000)).status).toBe(200);
    await waitFor(async () => (await describe_(fulfillmentWorkflowId(tenant.tenant_id, order.id)).catch(() => null))?.status === 'RUNNING', {
      what: 'the fulfillment started by the reset checkout',
    });
    expect((await describe_(checkoutId)).runId).toBe(runId);
  });

  test('when the back office cancels an order whose checkout was reset and follows its payment, then the payment stops, the order is cancelled and its stock released', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const runId = await reset(checkoutId, firstWorkflowTask(await historyOf(checkoutId)));
    await followsAnExistingChild(checkoutId, runId);

    const cancelled = await admin.cancel(order.id);

    expect(cancelled.status).toBe(200);
    expect(await handle(checkoutId, runId).result()).toBe('cancelled');
    expect((await describe_(paymentWorkflowId(tenant.tenant_id, order.id))).status).toBe('CANCELLED');
    expect((await admin.order(order.id)).body.status).toBe('cancelled');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  });

  test('when an operator resets the checkout of a paid order to just after placeOrder, then it follows the same payment and fulfillment, and ship and deliver complete it', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });
    expect((await admin.confirmPayment(order.id, 2000)).status).toBe(200);
    await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const paymentId = paymentWorkflowId(tenant.tenant_id, order.id);
    const fulfillmentId = fulfillmentWorkflowId(tenant.tenant_id, order.id);
    const payment = await describe_(paymentId);
    const fulfillment = await describe_(fulfillmentId);
    expect(payment.status).toBe('COMPLETED');
    const stock = await stockOf(stack.pool, variantId);

    const runId = await reset(checkoutId, afterPlaceOrder(await historyOf(checkoutId)));
    // It follows the completed payment (its id may not be reused), then the running fulfillment.
    await followsAnExistingChild(checkoutId, runId, 2);

    expect(await orderCountOfCart(stack.pool, cartId)).toBe(1);
    expect(await describe_(paymentId)).toEqual(payment);
    expect(await describe_(fulfillmentId)).toEqual(fulfillment);
    expect(await stockOf(stack.pool, variantId)).toEqual(stock);
    await shipAndDeliver(order.id, { workflowId: checkoutId, runId });
    expect(await handle(checkoutId, runId).result()).toBe('completed');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
    // The replay fixture of a reset run that follows a completed and a running child (test/workflows/checkout-replay).
    if (UPDATE_HISTORIES) await recordHistory(stack, checkoutId, 'checkout-v2-reset-after-placement-followed-children');
  });

  test('when an operator resets the checkout of a card order awaiting shipment to its first workflow task, then the card is authorized and captured once and the same fulfillment ships it', async () => {
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, {
      price: 1000,
      stock: 5,
      quantity: 2,
      payment_method: 'card',
      payment_token: 'tok_visa',
    });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const fulfillmentId = fulfillmentWorkflowId(tenant.tenant_id, order.id);
    await waitFor(async () => (await describe_(fulfillmentId).catch(() => null))?.status === 'RUNNING', { what: 'the fulfillment' });
    const fulfillment = await describe_(fulfillmentId);
    const stock = await stockOf(stack.pool, variantId);

    const runId = await reset(checkoutId, firstWorkflowTask(await historyOf(checkoutId)));
    await followsAnExistingChild(checkoutId, runId);

    expect(await orderCountOfCart(stack.pool, cartId)).toBe(1);
    expect(await describe_(fulfillmentId)).toEqual(fulfillment);
    expect(await stockOf(stack.pool, variantId)).toEqual(stock);
    await shipAndDeliver(order.id, { workflowId: checkoutId, runId });
    expect(await handle(checkoutId, runId).result()).toBe('completed');
    const ledger = (await gatewayLedger(stack.pool, { orderId: order.id })).map((l) => `${l.operation}:${l.outcome}:${l.amount}`);
    expect(ledger).toEqual(['authorize:succeeded:2000', 'capture:succeeded:2000']);
  });
});

describe('resetting an order fulfillment in the Temporal UI', () => {
  test('when an operator resets the fulfillment of a shipped order to its first workflow task, then the new run takes the shipped parcel up from the database, and delivering completes the order and the checkout', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, cartId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 1 });
    expect((await admin.confirmPayment(order.id, 1000)).status).toBe(200);
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    const fulfillmentId = fulfillmentWorkflowId(tenant.tenant_id, order.id);

    const runId = await reset(fulfillmentId, firstWorkflowTask(await historyOf(fulfillmentId)));
    // The single brand's parcel has no workflow of its own: the new run reads it back, shipped, and takes its delivery.
    const tracked = await waitFor(
      async () =>
        (
          await handle(fulfillmentId, runId)
            .query(shipmentsQuery)
            .catch(() => null)
        )?.shipments.find((s) => s.status === 'shipped'),
      { what: 'the new run tracking the shipped parcel' },
    );
    expect(tracked).toMatchObject({ id: shipment.id, followedBy: 'fulfillment' });
    await expect(describe_(shipmentWorkflowId(tenant.tenant_id, shipment.id))).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await admin.deliver(shipment.id)).status).toBe(200);
    expect(await handle(fulfillmentId, runId).result()).toBe('completed');
    expect(await handle(checkoutWorkflowId(tenant.tenant_id, cartId)).result()).toBe('completed');
    expect((await admin.order(order.id)).body.status).toBe('completed');
    if (UPDATE_HISTORIES) await recordHistory(stack, fulfillmentId, 'fulfillment-v2-reset-single-shipment-delivered');
  });
});

describe('terminating an order payment in the Temporal UI', () => {
  test('when an operator terminates the payment process of an order awaiting a transfer, then the checkout cancels the order and releases its stock', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 5, quantity: 2 });

    await handle(paymentWorkflowId(tenant.tenant_id, order.id)).terminate('operator terminated (test)');

    await waitFor(async () => (await admin.order(order.id)).body.status === 'cancelled', { what: 'the order cancelled' });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  });
});
