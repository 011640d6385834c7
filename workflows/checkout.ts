// Checkout saga: places the order, then drives payment and fulfillment; compensates on failure or cancellation.
import { allHandlersFinished, CancellationScope, condition, isCancellation, log, setHandler, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import { fulfillmentWorkflowId, makeId, paymentWorkflowId, subscriptionWorkflowId } from '../domain/ids.ts';
import { isCancellable, isLaterStatus, type OrderStatus } from '../domain/order.ts';
import { cancelOrderUpdate, orderStatusSignal, placeOrderUpdate, statusQuery } from '../contracts/definitions.ts';
import { paymentConfirmation } from './paymentConfirmation.ts';
import { subscriptionBilling } from './subscriptionBilling.ts';
import { orderSearchAttributes } from '../contracts/search-attributes.ts';
import { businessFailure, createNotifications, publishOrderStatus, unwrapFailure } from './support.ts';
import { startOrFollow } from './follow.ts';
import { buildsChangesIn, changed } from './changes.ts';
import { fulfillmentOfThisCheckout } from './fulfillmentV2.ts';
import {
  asWorkflowFailure,
  checkoutActivities as acts,
  fulfillmentChild,
  mayHoldAuthorization,
  paymentChild,
  placementSteps,
  cartCloser,
  stopWorkflow,
  subscriptionChild,
  tellCartLikeOlderRuns,
  type Placement,
} from './checkout-steps.ts';
import type { CheckoutInput, PlacedOrder } from '../contracts/workflows.ts';
import type { Actor } from '../contracts/audit.ts';

/**
 * One per cart (`checkout:<tenant>:<cart>`), started with Update-with-Start; lives until the order completes or
 * is cancelled. A saga: place the order, pay by its method (bank transfer, cash on delivery, card with its
 * subscriptions), ship it; any failure after placement cancels the order and undoes what it holds. Cancellation — by
 * the cancelOrder update or by an operator cancelling this workflow — always asks the database first: an order that
 * has shipped is never cancelled, and its fulfillment carries on.
 */
export async function checkout(input: CheckoutInput): Promise<OrderStatus> {
  const { tenantId } = input;
  let status: OrderStatus | 'placing' = 'placing';
  let placement: Placement = { step: 'placing' };
  // Workflows this order runs that a cancellation stops: its subscriptions' billing, then the payment or fulfillment child.
  let running: string[] = [];
  const workflow = CancellationScope.current();
  const notifications = createNotifications();
  const cancelled = () => status === 'cancelled';
  const orderId = () => ('order' in placement ? placement.order?.orderId : undefined);
  const placing = placementSteps(input.paymentMethod);
  // checkoutV2 sets the order's attributes and status in one upsert; the older type, which the API no longer starts, as it did.
  const attributesInOneUpsert = buildsChangesIn();
  const cart = cartCloser(tenantId, input.cartId, input.cartWatched !== false);

  setHandler(statusQuery, () => status);
  setHandler(orderStatusSignal, (next) => {
    // Each signal is its own server task, so two may arrive out of order: a stale one never moves the status back.
    if (!cancelled() && (status === 'placing' || isLaterStatus(status, next) || !changed('order-status-forward-only'))) setStatus(next);
  });
  setHandler(placeOrderUpdate, async () => {
    await condition(() => placement.step === 'answered' || placement.step === 'failed');
    if (placement.step === 'failed') throw unwrapFailure(placement.failure);
    // Only the request that created the order hears `created`; a retried request gets the same order back.
    const { order, created } = placement as Extract<Placement, { step: 'answered' }>;
    placement = { step: 'answered', order, created: false };
    return { ...order, created };
  });
  setHandler(
    cancelOrderUpdate,
    ({ reason, cancelledBy, actor }) =>
      CancellationScope.nonCancellable(async () => {
        try {
          await cancelAndCompensate(`${reason} (by ${cancelledBy})`, { asked: true, actor });
        } catch (err) {
          throw unwrapFailure(err);
        }
        return { status: 'cancelled' as const };
      }),
    {
      validator: (_args) => {
        if (!orderId()) throw businessFailure('conflict', 'the order is still being placed');
        if (status !== 'placing' && !isCancellable(status)) throw businessFailure('conflict', `an order in status ${status} can no longer be cancelled`);
      },
    },
  );

  // An operator cancelling this workflow (UI/CLI) is a request, not an order: the body below runs non-cancellable.
  return CancellationScope.nonCancellable(async () => {
    const order = await placeTheOrder();
    void cancelWhenAnOperatorAsks();
    // The cart's watcher only has to stop eventually: newer runs tell it with the answer, older ones told it here.
    await tellCartLikeOlderRuns(cart, placing.asked.cartClosedAfterAnswer ?? changed('cart-closed-after-answer'));

    // A card that is not authorized fails the checkout: the storefront hears why.
    if (input.paymentMethod === 'card') await payByCard(order);
    try {
      const payable = input.paymentMethod === 'bank_transfer' ? await payByBankTransfer(order) : acceptOrder(order);
      if (payable) await ship(order);
    } catch (err) {
      // A child cancelled on its own by an operator, or failed: the order cannot go on, so undo it (unless a
      // cancellation, which stopped the child, already did).
      if (!cancelled()) await cancelAfterFailure(err);
    }
    return await finish();
  });

  /** Steps 1-2: the order exists and holds its stock, or the checkout fails with the business reason. */
  async function placeTheOrder(): Promise<PlacedOrder> {
    try {
      const order = await placing.placeOrder({ ...input, orderId: makeId('ord', uuid4()) });
      placement = { step: 'placed', order };
    } catch (err) {
      placement = { step: 'failed', failure: unwrapFailure(err) };
      await condition(allHandlersFinished);
      throw asWorkflowFailure(placement.failure);
    }
    const { order } = placement;
    // VendorIds only in mall orders: a single-brand order carries no vendor concepts. Older runs upserted the status apart.
    const attributes = { orderId: order.orderId, vendorIds: order.vendorIds };
    upsertSearchAttributes(orderSearchAttributes(attributesInOneUpsert ? { ...attributes, status: order.status } : attributes));
    if (attributesInOneUpsert) status = order.status;
    else setStatus(order.status);
    return order;
  }

  /**
   * Card: authorizes the total before the storefront hears back. A decline cancels the order, frees its stock and
   * fails the checkout with `card_declined`; an approval moves the order on and starts its subscriptions' billing.
   */
  async function payByCard(order: PlacedOrder): Promise<void> {
    const auth = await placing
      .authorizeCardPayment({ tenantId, orderId: order.orderId, token: input.paymentToken ?? '' })
      .catch((err: unknown) => failCheckout(err, { authorized: mayHoldAuthorization(err) }));
    try {
      // Cancelled while the gateway answered: give the money back.
      if (auth.orderStatus === 'cancelled' || cancelled()) return await releaseCardPayment();
      setStatus('pending_shipment');
      // Newer runs know from placeOrder whether the order has subscription lines, and skip the activity when not.
      const mayHaveSubscriptions = !changed('subscriptions-only-when-ordered') || (order.subscriptionLines ?? 1) > 0;
      const subscriptionIds = mayHaveSubscriptions ? await acts.createOrderSubscriptions({ tenantId, orderId: order.orderId }) : [];
      running = subscriptionIds.map((id) => subscriptionWorkflowId(tenantId, id));
      for (const subscriptionId of subscriptionIds) await startOrFollow(subscriptionBilling, subscriptionChild(input, order, subscriptionId));
      // Cancelled while the subscriptions were being set up: stop what just started.
      if (cancelled()) await releaseCardPayment();
    } catch (err) {
      await failCheckout(err, { authorized: true });
    }
  }

  /** Bank transfer: the storefront hears back once the payment workflow waits; true once paid, an unpaid deadline cancels the order. */
  async function payByBankTransfer(order: PlacedOrder): Promise<boolean> {
    const outcome = await runChild(paymentWorkflowId(tenantId, order.orderId), async (workflowId) => {
      const payment = await startOrFollow(paymentConfirmation, paymentChild(input, order, workflowId));
      answer();
      if (cancelled()) await stopWorkflow(workflowId);
      notifyPlacedUnlessCancelled(order);
      return payment.result();
    });
    if (cancelled()) return false;
    if (outcome === 'expired') {
      await cancelAndCompensate('payment deadline passed', { notice: 'payment_timeout' });
      return false;
    }
    setStatus('pending_shipment');
    return true;
  }

  /** Cash on delivery, or a card once authorized: the storefront hears back at once; true unless already cancelled. */
  function acceptOrder(order: PlacedOrder): boolean {
    answer();
    notifyPlacedUnlessCancelled(order);
    return !cancelled();
  }

  /** Fulfillment ships the order (one shipment per vendor); the order's status follows it. */
  async function ship(order: PlacedOrder): Promise<void> {
    const final = await runChild(fulfillmentWorkflowId(tenantId, order.orderId), async (workflowId) => {
      const shipping = await startOrFollow(fulfillmentOfThisCheckout(), fulfillmentChild(input, order, workflowId));
      if (cancelled()) await stopWorkflow(workflowId);
      return shipping.result();
    });
    if (!cancelled()) setStatus(final);
  }

  /**
   * The one way an order ends cancelled. Asked (back office, operator): the database decides first — it refuses once
   * anything shipped, and then nothing is undone — then the payment and what runs are stopped. As compensation (a
   * failure, an unpaid transfer): undone in reverse, the card payment first, then the order and its stock.
   */
  async function cancelAndCompensate(reason: string, how: { asked?: boolean; notice?: string | null; releaseCard?: boolean; actor?: Actor }): Promise<void> {
    const { asked = false, notice = reason, releaseCard = input.paymentMethod === 'card', actor } = how;
    if (asked) {
      // The person who asked travels to the activity, which writes the audit entry with the cancellation.
      await acts.cancelOrder({ tenantId, orderId: orderId(), reason, ...(actor ? { actor } : {}) });
    } else if (!cancelled()) {
      // Not yet cancelled by someone who asked (that already undid everything).
      try {
        if (releaseCard) await releaseCardPayment();
        await acts.cancelOrder({ tenantId, orderId: orderId(), reason: 'checkout compensation' });
      } catch (err) {
        log.error('compensation failed', { reason, error: String(unwrapFailure(err)) });
        throw err;
      }
    }
    setStatus('cancelled');
    if (asked) await (input.paymentMethod === 'card' ? releaseCardPayment() : stopRunning());
    if (notice) notify('order_cancelled', { order_id: orderId(), reason: notice });
  }

  /** A failure after placement that is not a business answer: the order is undone, the workflow fails unless an operator cancelled a child. */
  async function cancelAfterFailure(err: unknown): Promise<void> {
    const byOperator = isCancellation(err);
    await cancelAndCompensate(byOperator ? 'a child workflow was cancelled by an operator' : `failure: ${String(err)}`, {
      notice: byOperator ? 'cancelled_by_operator' : 'processing_failed',
    });
    if (byOperator) return;
    await notifications.flush();
    throw err;
  }

  /** The card step failed (declined, gateway gone): undo, answer the storefront with the reason, fail the checkout. */
  async function failCheckout(err: unknown, { authorized }: { authorized: boolean }): Promise<never> {
    const failure = unwrapFailure(err);
    await cancelAndCompensate(`card authorization failed: ${String(failure)}`, { notice: null, releaseCard: authorized });
    placement = { step: 'failed', order: 'order' in placement ? placement.order : undefined, failure };
    await cart.tell();
    await condition(allHandlersFinished);
    throw asWorkflowFailure(failure);
  }

  /** An operator's cancellation of the workflow cancels the order, unless it is already over or can no longer be. */
  async function cancelWhenAnOperatorAsks(): Promise<void> {
    await condition(() => workflow.consideredCancelled || cancelled() || status === 'completed');
    if (cancelled() || status === 'completed') return;
    try {
      await cancelAndCompensate('workflow_cancelled', { asked: true });
    } catch (err) {
      log.warn('operator cancellation refused: the order can no longer be cancelled, so it carries on', { error: String(unwrapFailure(err)) });
    }
  }

  /** Waits for the cart's signal, running handlers and notices; an order cancelled by an operator ends the workflow cancelled. */
  async function finish(): Promise<OrderStatus> {
    await cart.tell();
    await condition(allHandlersFinished);
    await notifications.flush();
    // An operator's refused cancellation leaves the order going, so a cancelled order here means it was carried out.
    if (cancelled() && workflow.consideredCancelled) await workflow.cancelRequested;
    return status as OrderStatus;
  }

  /** Runs a child of this order; a cancellation stops it while it runs. */
  async function runChild<T>(workflowId: string, body: (workflowId: string) => Promise<T>): Promise<T> {
    running = [...running, workflowId];
    try {
      return await body(workflowId);
    } finally {
      running = running.filter((id) => id !== workflowId);
    }
  }

  /** A cancelled card order gives the authorized money back and bills its subscriptions no more. */
  async function releaseCardPayment(): Promise<void> {
    await acts.voidCardAuthorization({ tenantId, orderId: orderId() });
    await stopRunning();
  }

  /** Stops, one after another, the workflows this order still runs. */
  async function stopRunning(): Promise<void> {
    for (const workflowId of running) await stopWorkflow(workflowId);
  }

  /** The storefront hears back: the order can be acted on now. */
  function answer(): void {
    if (placement.step === 'placed') placement = { step: 'answered', order: placement.order, created: placement.order.created };
    void cart.tell();
  }

  // An order cancelled while it was being placed (by the back office during card authorization) gets no "received"
  // notice after its "cancelled" one. Runs recorded before this patch sent it, and replay them so.
  function notifyPlacedUnlessCancelled(order: PlacedOrder): void {
    if (cancelled() && changed('no-placed-notice-once-cancelled')) return;
    const tax = order.taxBreakdown ? { tax_breakdown: order.taxBreakdown } : {};
    if (order.created) notify('order_placed', { order_id: order.orderId, total: order.total, ...tax, payment: order.payment });
  }

  function notify(template: 'order_placed' | 'order_cancelled', data: Record<string, unknown>): void {
    notifications.send({ tenantId, to: input.email, template, data });
  }

  function setStatus(next: OrderStatus): void {
    status = next;
    publishOrderStatus(next);
  }
}
