// Checkout saga: places the order, then drives payment and fulfillment; compensates on failure or cancellation.
import {
  allHandlersFinished, ApplicationFailure, CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log, patched,
  proxyActivities, setHandler, startChild, upsertSearchAttributes, uuid4,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { fulfillmentWorkflowId, holdsWorkflowId, makeId, paymentWorkflowId, subscriptionWorkflowId } from '../domain/ids.ts';
import { isCancellable, type OrderStatus } from '../domain/order.ts';
import { cancelOrderUpdate, cartClosedSignal, orderStatusSignal, placeOrderUpdate, statusQuery } from '../contracts/definitions.ts';
import { fulfillment } from './fulfillment.ts';
import { paymentConfirmation } from './paymentConfirmation.ts';
import { subscriptionBilling } from './subscriptionBilling.ts';
import { orderSearchAttributes, type OrderAttributes } from '../contracts/search-attributes.ts';
import type { CardPaymentActivities, OrderActivities, SubscriptionActivities } from '../contracts/activities.ts';
import { businessFailure, createNotifications, GATEWAY_RETRY, publishOrderStatus, RETRY_UNTIL_DONE, unwrapFailure } from './support.ts';
import type { CheckoutInput, DunningPolicy, PlacedOrder } from '../contracts/workflows.ts';

// Used only when a caller predates the dunning input: the documented default schedule.
const DEFAULT_DUNNING: DunningPolicy = { retryScheduleMs: [1, 3, 5, 7].map((d) => d * 86_400_000), exhaustedStatus: 'cancelled' };

// placeOrder: one transaction keyed by the cart (a retry finds the order already placed). 30 s to run, because a commit
// under load can be slow and a shorter timeout would start a second attempt beside it; retried for 5 minutes (the
// storefront gives up sooner and its retried request rejoins this workflow), after that the checkout fails and the
// cart's holds expire as usual.
const { placeOrder } = proxyActivities<Pick<OrderActivities, 'placeOrder'>>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '5 minutes', retry: RETRY_UNTIL_DONE });
// authorizeCardPayment: the key `authorize:<order>` makes retries safe; the storefront waits for the answer, so a
// gateway still down after 2 minutes fails the checkout (compensation voids and cancels) instead of leaving it hanging.
const { authorizeCardPayment } = proxyActivities<Pick<CardPaymentActivities, 'authorizeCardPayment'>>({
  startToCloseTimeout: '15 seconds', scheduleToCloseTimeout: '2 minutes', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
// Compensations (cancelOrder, voidCardAuthorization) must finish whatever it takes: both are idempotent (a conditional
// status change; the void's gateway key), so they are retried without limit, with backoff.
const { cancelOrder: cancelOrderStep } = proxyActivities<Pick<OrderActivities, 'cancelOrder'>>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });
const { voidCardAuthorization } = proxyActivities<Pick<CardPaymentActivities, 'voidCardAuthorization'>>({ startToCloseTimeout: '15 seconds', retry: GATEWAY_RETRY });
// createOrderSubscriptions: ids derive from the order lines, so a retry creates nothing new; the card is authorized, so it must happen.
const { createOrderSubscriptions } = proxyActivities<Pick<SubscriptionActivities, 'createOrderSubscriptions'>>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });
const acts = { placeOrder, authorizeCardPayment, cancelOrder: cancelOrderStep, voidCardAuthorization, createOrderSubscriptions };

type Compensation = { name: string; run: () => Promise<unknown> };

/**
 * One per cart (`checkout:<tenant>:<cart>`), started with Update-with-Start; lives until the order completes or
 * is cancelled. Cancellation — by the cancelOrder update or by an operator cancelling this workflow — always asks
 * the database first: an order that has shipped is never cancelled, and its fulfillment carries on.
 */
export async function checkout(input: CheckoutInput): Promise<OrderStatus> {
  let placed: PlacedOrder | undefined;
  // The storefront hears back once the order can be acted on (for bank transfer: its payment workflow runs).
  let ready = false;
  let placeFailure: unknown;
  let status: OrderStatus | 'placing' = 'placing';
  let updateCalls = 0;
  let activeChildId: string | undefined;
  let operatorCancel: unknown;
  let subscriptionIds: string[] = [];
  let cartClosed: Promise<void> = Promise.resolve();
  const compensations: Compensation[] = [];

  const currentStatus = (): OrderStatus | 'placing' => status;
  const setStatus = (next: OrderStatus) => {
    status = next;
    publishOrderStatus(next);
  };
  const notifications = createNotifications();
  const notifyCancelled = (reason: string) =>
    notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_cancelled', data: { order_id: placed?.orderId, reason } });
  const stopActiveChild = async () => {
    if (!activeChildId) return;
    try {
      await getExternalWorkflowHandle(activeChildId).cancel();
    } catch {
      // Already closed: nothing to stop.
    }
  };
  const compensate = async (reason: string) => {
    for (const c of [...compensations].reverse()) {
      try {
        await c.run();
      } catch (err) {
        log.error('compensation failed', { compensation: c.name, reason, error: String(unwrapFailure(err)) });
        throw err;
      }
    }
    compensations.length = 0;
  };
  // A cancelled card order gives the authorized money back and bills its subscriptions no more.
  const releaseCardPayment = async () => {
    await acts.voidCardAuthorization({ tenantId: input.tenantId, orderId: placed?.orderId });
    for (const id of subscriptionIds) {
      await getExternalWorkflowHandle(subscriptionWorkflowId(input.tenantId, id)).cancel().catch(() => undefined);
    }
  };
  // Cancels the order (the activity refuses once anything shipped), then stops the waiting child.
  const cancelOrder = async (reason: string) => {
    await acts.cancelOrder({ tenantId: input.tenantId, orderId: placed?.orderId, reason });
    compensations.length = 0;
    setStatus('cancelled');
    if (input.paymentMethod === 'card') await releaseCardPayment();
    await stopActiveChild();
    notifyCancelled(reason);
  };
  const finish = async (): Promise<OrderStatus> => {
    await cartClosed;
    await condition(allHandlersFinished);
    await notifications.flush();
    if (currentStatus() === 'cancelled' && operatorCancel) throw operatorCancel;
    return currentStatus() as OrderStatus;
  };

  setHandler(statusQuery, () => status);
  setHandler(orderStatusSignal, (next) => {
    if (currentStatus() !== 'cancelled') setStatus(next);
  });
  setHandler(placeOrderUpdate, async () => {
    const first = ++updateCalls === 1;
    await condition(() => (placed !== undefined && ready) || placeFailure !== undefined);
    if (placeFailure !== undefined) throw unwrapFailure(placeFailure);
    return { ...placed!, created: placed!.created && first };
  });
  setHandler(cancelOrderUpdate, ({ reason, cancelledBy }) => CancellationScope.nonCancellable(async () => {
    try {
      await cancelOrder(`${reason} (by ${cancelledBy})`);
    } catch (err) {
      throw unwrapFailure(err);
    }
    return { status: 'cancelled' as const };
  }), {
    validator: (_args) => {
      if (!placed) throw businessFailure('conflict', 'the order is still being placed');
      if (status !== 'placing' && !isCancellable(status)) throw businessFailure('conflict', `an order in status ${status} can no longer be cancelled`);
    },
  });
  // An operator cancelling this workflow (UI/CLI) is a request, not an order: the body below runs non-cancellable.
  CancellationScope.current().cancelRequested.catch((err) => void (operatorCancel = err));

  return CancellationScope.nonCancellable(async () => {
    // Steps 1-2: the order exists and holds its stock, or the checkout fails with the business reason.
    try {
      placed = await acts.placeOrder({ ...input, orderId: makeId('ord', uuid4()) });
    } catch (err) {
      placeFailure = unwrapFailure(err);
      await condition(allHandlersFinished);
      throw placeFailure instanceof ApplicationFailure ? placeFailure : ApplicationFailure.create({ message: String(placeFailure), nonRetryable: true });
    }
    const orderId = placed.orderId;
    compensations.push({ name: 'cancelOrderAndReleaseStock', run: () => acts.cancelOrder({ tenantId: input.tenantId, orderId, reason: 'checkout compensation' }) });
    // VendorIds only in mall orders: a single-brand order carries no vendor concepts.
    upsertSearchAttributes(orderSearchAttributes({ orderId, vendorIds: placed.vendorIds }));
    setStatus(placed.status);
    void watchOperatorCancel();
    // The cart's expiry workflow only has to stop eventually: newer runs signal it beside the next step, not before.
    if (patched('cart-closed-beside-next-step')) cartClosed = signalCartClosed(input.tenantId, input.cartId);
    else await signalCartClosed(input.tenantId, input.cartId);

    const orderAttributes: OrderAttributes = {
      tenantId: input.tenantId, orderId, cartId: input.cartId, email: input.email, paymentMethod: input.paymentMethod, vendorIds: placed.vendorIds,
    };
    const childAttributes = orderSearchAttributes(orderAttributes);
    if (input.paymentMethod === 'card') await authorizeCard(orderId, childAttributes);
    try {
      if (input.paymentMethod === 'bank_transfer') {
        activeChildId = paymentWorkflowId(input.tenantId, orderId);
        const payment = await startChild(paymentConfirmation, {
          workflowId: activeChildId,
          args: [{ tenantId: input.tenantId, orderId, amountDue: placed.total, timeoutMs: input.bankTransferTimeoutMs, reminderBeforeMs: input.paymentReminderBeforeMs, email: input.email }],
          typedSearchAttributes: orderSearchAttributes({ ...orderAttributes, status: 'pending_payment' }),
        });
        ready = true;
        if (currentStatus() === 'cancelled') await stopActiveChild();
        notifyPlacedUnlessCancelled();
        const outcome = await payment.result();
        if (currentStatus() === 'cancelled') return await finish();
        if (outcome === 'expired') {
          await compensate('payment deadline passed');
          setStatus('cancelled');
          notifyCancelled('payment_timeout');
          return await finish();
        }
        setStatus('pending_shipment');
      }
      ready = true;
      if (input.paymentMethod !== 'bank_transfer') notifyPlacedUnlessCancelled();
      if (currentStatus() === 'cancelled') return await finish();
      activeChildId = fulfillmentWorkflowId(input.tenantId, orderId);
      const shipping = await startChild(fulfillment, {
        workflowId: activeChildId,
        args: [{ tenantId: input.tenantId, orderId, paymentMethod: input.paymentMethod, email: input.email, shipSlaMs: input.shipSlaMs }],
        typedSearchAttributes: orderSearchAttributes({ ...orderAttributes, status: 'pending_shipment' }),
      });
      if (currentStatus() === 'cancelled') await stopActiveChild();
      const final = await shipping.result();
      if (currentStatus() !== 'cancelled') setStatus(final);
    } catch (err) {
      if (currentStatus() === 'cancelled') return await finish(); // the child was stopped by cancelOrder
      // A child cancelled on its own by an operator, or failed: the order cannot go on, so undo it.
      await compensate(isCancellation(err) ? 'a child workflow was cancelled by an operator' : `failure: ${String(err)}`);
      setStatus('cancelled');
      notifyCancelled(isCancellation(err) ? 'cancelled_by_operator' : 'processing_failed');
      if (!isCancellation(err)) {
        await notifications.flush();
        throw err;
      }
    }
    return await finish();
  });

  /**
   * Card: authorizes the total before the storefront hears back. A decline cancels the order, frees its stock and
   * fails the checkout with `card_declined`; an approval moves the order on and starts its subscriptions' billing.
   */
  async function authorizeCard(orderId: string, attributes: SearchAttributePair[]): Promise<void> {
    try {
      const auth = await acts.authorizeCardPayment({ tenantId: input.tenantId, orderId, token: input.paymentToken ?? '' });
      compensations.push({ name: 'voidCardAuthorization', run: releaseCardPayment });
      if (auth.orderStatus === 'cancelled' || currentStatus() === 'cancelled') {
        await releaseCardPayment(); // cancelled while the gateway answered
        return;
      }
      setStatus('pending_shipment');
      // Newer runs know from placeOrder whether the order has subscription lines, and skip the activity when not.
      const mayHaveSubscriptions = !patched('subscriptions-only-when-ordered') || (placed?.subscriptionLines ?? 1) > 0;
      subscriptionIds = mayHaveSubscriptions ? await acts.createOrderSubscriptions({ tenantId: input.tenantId, orderId }) : [];
      for (const subscriptionId of subscriptionIds) {
        await startChild(subscriptionBilling, {
          workflowId: subscriptionWorkflowId(input.tenantId, subscriptionId),
          args: [{ tenantId: input.tenantId, subscriptionId, email: input.email, dunning: input.dunning ?? DEFAULT_DUNNING }],
          // A subscription outlives the order's workflow; cancelling the order stops it explicitly.
          parentClosePolicy: 'ABANDON',
          typedSearchAttributes: attributes,
        });
      }
      // Cancelled while the subscriptions were being set up: stop what just started.
      if (currentStatus() === 'cancelled') await releaseCardPayment();
    } catch (err) {
      const failure = unwrapFailure(err);
      await compensate(`card authorization failed: ${String(failure)}`);
      setStatus('cancelled');
      placeFailure = failure;
      await cartClosed;
      await condition(allHandlersFinished);
      throw failure instanceof ApplicationFailure ? failure : ApplicationFailure.create({ message: String(failure), nonRetryable: true });
    }
  }

  function notifyPlaced(): void {
    if (placed?.created) {
      notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_placed', data: { order_id: placed.orderId, total: placed.total, payment: placed.payment } });
    }
  }

  // An order cancelled while it was being placed (by the back office during card authorization) gets no "received"
  // notice after its "cancelled" one. Runs recorded before this patch sent it, and replay them so.
  function notifyPlacedUnlessCancelled(): void {
    if (currentStatus() === 'cancelled' && patched('no-placed-notice-once-cancelled')) return;
    notifyPlaced();
  }

  async function watchOperatorCancel(): Promise<void> {
    await condition(() => operatorCancel !== undefined || currentStatus() === 'cancelled' || currentStatus() === 'completed');
    if (operatorCancel === undefined || currentStatus() === 'cancelled' || currentStatus() === 'completed') return;
    try {
      await cancelOrder('workflow_cancelled');
    } catch (err) {
      log.warn('operator cancellation refused: the order can no longer be cancelled, so it carries on', { error: String(unwrapFailure(err)) });
      operatorCancel = undefined;
    }
  }
}

async function signalCartClosed(tenantId: string, cartId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(holdsWorkflowId(tenantId, cartId)).signal(cartClosedSignal);
  } catch {
    // The expiry workflow may have ended already: nothing to stop.
  }
}
