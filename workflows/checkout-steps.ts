// The checkout saga's activities (each with the timeouts and retries its step needs) and its stateless steps.
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  type ChildWorkflowOptions,
  type WithWorkflowArgs,
} from '@temporalio/workflow';
import { holdsWorkflowId, subscriptionWorkflowId } from '../domain/ids.ts';
import { cartClosedSignal } from '../contracts/definitions.ts';
import { orderSearchAttributes, type OrderAttributes } from '../contracts/search-attributes.ts';
import type { CardPaymentActivities, OrderActivities, SubscriptionActivities } from '../contracts/activities.ts';
import type { CheckoutInput, DunningPolicy, PlacedOrder, WorkflowSignatures } from '../contracts/workflows.ts';
import { GATEWAY_RETRY, RETRY_UNTIL_DONE, unwrapFailure } from './support.ts';
import { changed } from './changes.ts';

/** Where placing the order stands, as the storefront's placeOrder update sees it (one state, not a set of flags). */
export type Placement =
  | { step: 'placing' }
  | { step: 'placed'; order: PlacedOrder }
  | { step: 'answered'; order: PlacedOrder; created: boolean }
  | { step: 'failed'; order?: PlacedOrder; failure: unknown };

// Used only when a caller predates the dunning input: the documented default schedule.
const DEFAULT_DUNNING: DunningPolicy = { retryScheduleMs: [1, 3, 5, 7].map((d) => d * 86_400_000), exhaustedStatus: 'cancelled' };

// placeOrder: one transaction keyed by the cart (a retry finds the order already placed). 30 s to run, because a commit
// under load can be slow and a shorter timeout would start a second attempt beside it; retried until done (business
// failures are not retried): giving up could strand an order that an attempt committed after all, and the storefront
// stops waiting after CHECKOUT_ANSWER_TIMEOUT anyway (its retried request rejoins this workflow).
const { placeOrder } = proxyActivities<Pick<OrderActivities, 'placeOrder'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
// authorizeCardPayment: the key `authorize:<order>` makes retries safe; the storefront waits for the answer, so a
// gateway still down after 2 minutes fails the checkout (compensation voids and cancels) instead of leaving it hanging.
const AUTHORIZATION_OPTIONS = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
} as const;
const { authorizeCardPayment } = proxyActivities<Pick<CardPaymentActivities, 'authorizeCardPayment'>>(AUTHORIZATION_OPTIONS);
// Compensations (cancelOrder, voidCardAuthorization) must finish whatever it takes: both are idempotent (a conditional
// status change; the void's gateway key), so they are retried without limit, with backoff.
const { cancelOrder: cancelOrderStep } = proxyActivities<Pick<OrderActivities, 'cancelOrder'>>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });
const { voidCardAuthorization } = proxyActivities<Pick<CardPaymentActivities, 'voidCardAuthorization'>>({
  startToCloseTimeout: '15 seconds',
  retry: GATEWAY_RETRY,
});
// createOrderSubscriptions: ids derive from the order lines, so a retry creates nothing new; the card is authorized, so it must happen.
const { createOrderSubscriptions } = proxyActivities<Pick<SubscriptionActivities, 'createOrderSubscriptions'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
/** The activities checkout calls. */
export const checkoutActivities = { placeOrder, authorizeCardPayment, cancelOrder: cancelOrderStep, voidCardAuthorization, createOrderSubscriptions };

// placeOrder and authorizeCardPayment as local activities, with the same timeouts and retries: they run in the worker
// that holds the workflow task, so the storefront's answer needs no activity-task round trip through the server and no
// second workflow task (issue 14). The price: an Update reaches a workflow between its tasks, so a back-office cancel sent
// while the gateway answers waits for that answer, or for the task's heartbeat (80 % of the 10 s task timeout) when the
// gateway is slow; it then cancels the authorized order and voids the money, as before.
const { placeOrder: placeOrderLocally } = proxyLocalActivities<Pick<OrderActivities, 'placeOrder'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
const { authorizeCardPayment: authorizeLocally } = proxyLocalActivities<Pick<CardPaymentActivities, 'authorizeCardPayment'>>(AUTHORIZATION_OPTIONS);

/** What placing the order asks before its first local activity, and the two steps the storefront waits for. */
export type PlacementSteps = Pick<typeof checkoutActivities, 'placeOrder' | 'authorizeCardPayment'> & { asked: { cartClosedAfterAnswer?: boolean } };

/**
 * The steps the storefront waits for. Runs started after the `local-placement-steps` patch place the order as a local
 * activity: it is idempotent (keyed by the cart), so a worker lost mid-step simply runs it again on the next one. Runs
 * after `local-authorization` (asked by card checkouts only) authorize the card locally too: the gateway key
 * `authorize:<order>` makes a run again after a lost worker charge once. Older runs replay the activities they recorded.
 *
 * Patches the task that places the order asks after placeOrder are asked before it in runs after
 * `patches-before-placement`: a query answered while placeOrder (a local activity) ran splits that task, and a replay
 * then met the later patch's marker before the workflow asked for it (nondeterminism). Earlier runs ask where they
 * recorded it (absent here).
 */
export function placementSteps(paymentMethod: CheckoutInput['paymentMethod']): PlacementSteps {
  const placesLocally = changed('local-placement-steps');
  const asksFirst = changed('patches-before-placement');
  const asked = asksFirst ? { cartClosedAfterAnswer: changed('cart-closed-after-answer') } : {};
  const authorizesLocally = asksFirst && paymentMethod === 'card' && changed('local-authorization');
  return {
    placeOrder: placesLocally ? placeOrderLocally : placeOrder,
    authorizeCardPayment: authorizesLocally ? authorizeLocally : authorizeCardPayment,
    asked,
  };
}

/** A failure the workflow can end with: business failures as they are, anything else non-retryable. */
export function asWorkflowFailure(failure: unknown): ApplicationFailure {
  return failure instanceof ApplicationFailure ? failure : ApplicationFailure.create({ message: String(failure), nonRetryable: true });
}

/** Stops another workflow of this order; one that already ended has nothing to stop. */
export async function stopWorkflow(workflowId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowId).cancel();
  } catch {
    // Already closed.
  }
}

/**
 * Tells the cart's expiry workflow, once, that the cart became an order: `tell()` sends the signal the first time and
 * returns the same wait after. An unwatched cart (the API cancelled its watcher's start: `cartWatched: false`) has none
 * to tell; that is decided by the input, so it replays alike without a patch (deploy workers before the API sending it).
 */
export function cartCloser(tenantId: string, cartId: string, watched: boolean): { tell(): Promise<void> } {
  let told: Promise<void> | undefined;
  return { tell: () => (told ??= watched ? signalCartClosed(tenantId, cartId) : Promise.resolve()) };
}

/**
 * Runs before `cart-closed-after-answer` (`afterAnswer` false) told the cart's watcher right after placing the order,
 * and, before `cart-closed-beside-next-step`, waited for the signal; newer runs tell it with the answer instead.
 */
export async function tellCartLikeOlderRuns(cart: { tell(): Promise<void> }, afterAnswer: boolean): Promise<void> {
  if (afterAnswer) return;
  const besideNextStep = changed('cart-closed-beside-next-step');
  const told = cart.tell();
  if (!besideNextStep) await told;
}

/** Signals the cart's expiry workflow that the cart became an order. */
async function signalCartClosed(tenantId: string, cartId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(holdsWorkflowId(tenantId, cartId)).signal(cartClosedSignal);
  } catch {
    // The expiry workflow may have ended already: nothing to stop.
  }
}

/** A card decline: the customer's answer, not a failure of the checkout's machinery. */
export function isDecline(failure: unknown): boolean {
  return failure instanceof ApplicationFailure && failure.type === 'card_declined';
}

/**
 * Not declined yet failed (the gateway's answer was lost, the step gave up): the gateway may hold an authorization the
 * order never recorded, so the compensation voids too. Runs recorded before this patch did not, and replay so.
 */
export function mayHoldAuthorization(err: unknown): boolean {
  return !isDecline(unwrapFailure(err)) && changed('void-unknown-authorization');
}

type ChildOf<K extends keyof WorkflowSignatures> = WithWorkflowArgs<WorkflowSignatures[K], Omit<ChildWorkflowOptions, 'typeInfo'>> & { workflowId: string };

function orderAttributes(input: CheckoutInput, order: PlacedOrder): OrderAttributes {
  return {
    tenantId: input.tenantId,
    orderId: order.orderId,
    cartId: input.cartId,
    email: input.email,
    customerId: input.customerId,
    paymentMethod: input.paymentMethod,
    vendorIds: order.vendorIds,
  };
}

/** The bank transfer's payment workflow: waits for the confirmation until the deadline, reminding before it. */
export function paymentChild(input: CheckoutInput, order: PlacedOrder, workflowId: string): ChildOf<'paymentConfirmation'> {
  const { tenantId, email } = input;
  return {
    workflowId,
    args: [
      {
        tenantId,
        orderId: order.orderId,
        amountDue: order.total,
        timeoutMs: input.bankTransferTimeoutMs,
        reminderBeforeMs: input.paymentReminderBeforeMs,
        email,
      },
    ],
    // ABANDON: the back office confirms the transfer on this workflow by its id; a checkout terminated or reset in the UI
    // must not take the customer's payment with it (a cancelled order stops it explicitly, not through this policy).
    parentClosePolicy: 'ABANDON',
    // One payment process per order: a re-run checkout follows the one that completed (paid) rather than wait for a second
    // payment; only a failed, terminated or cancelled one may be started again.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: orderSearchAttributes({ ...orderAttributes(input, order), status: 'pending_payment' }),
  };
}

/** The order's fulfillment: one shipment per vendor. */
export function fulfillmentChild(input: CheckoutInput, order: PlacedOrder, workflowId: string): ChildOf<'fulfillment'> {
  const { tenantId, email, paymentMethod, shipSlaMs } = input;
  return {
    workflowId,
    args: [
      { tenantId, orderId: order.orderId, paymentMethod, email, shipSlaMs, ...(order.digitalLines === undefined ? {} : { digitalLines: order.digitalLines }) },
    ],
    // ABANDON: a paid order's parcels must stay shippable and its card captured whatever happens to the checkout
    // (terminated, reset); cancelling the order stops it explicitly, and it stops itself once anything has shipped.
    parentClosePolicy: 'ABANDON',
    // One fulfillment per order: a re-run checkout follows the one that completed instead of shipping the order twice.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: orderSearchAttributes({ ...orderAttributes(input, order), status: 'pending_shipment' }),
  };
}

/** A subscription's billing: it outlives the order's workflow (ABANDON); cancelling the order stops it explicitly. */
export function subscriptionChild(input: CheckoutInput, order: PlacedOrder, subscriptionId: string): ChildOf<'subscriptionBilling'> {
  const { tenantId, email } = input;
  return {
    workflowId: subscriptionWorkflowId(tenantId, subscriptionId),
    args: [{ tenantId, subscriptionId, email, dunning: input.dunning ?? DEFAULT_DUNNING }],
    // ABANDON: billing outlives the checkout by design (months); cancelling the order stops it explicitly.
    parentClosePolicy: 'ABANDON',
    typedSearchAttributes: orderSearchAttributes(orderAttributes(input, order)),
  };
}
