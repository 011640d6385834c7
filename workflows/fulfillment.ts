// Fulfillment: splits the order into one shipment per vendor (single brand: one) and follows them to completion.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { shipmentWorkflowId } from '../domain/ids.ts';
import type { OrderStatus } from '../domain/order.ts';
import { orderStatusSignal, shipmentChangedSignal, shipmentsQuery, statusQuery, type ShipmentChange } from '../contracts/definitions.ts';
import { orderSearchAttributes } from '../contracts/search-attributes.ts';
import type { CardPaymentActivities, FulfillmentActivities, PayoutActivities } from '../contracts/activities.ts';
import { shipment } from './shipment.ts';
import { shipmentProgress } from './shipment-progress.ts';
import { digitalDelivery, digitalDeliveryRuns } from './digital-delivery.ts';
import { startOrFollow, type StartedOrFollowed } from './follow.ts';
import { changed } from './changes.ts';
import { createNotifications, GATEWAY_RETRY, publishOrderStatus, rethrowAfterHandlers, RETRY_UNTIL_DONE } from './support.ts';
import type { FulfillmentInput, TrackedShipment } from '../contracts/workflows.ts';
import type { DigitalDeliveryOutcome } from '../contracts/activities.ts';

// createShipments, createPayouts: keyed inserts (per vendor group, per order), so retrying them is safe; the order is paid, so they must happen.
const { createShipments, createPayouts } = proxyActivities<Pick<FulfillmentActivities, 'createShipments'> & PayoutActivities>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
// captureCardPayment: the parcel has left, so the money must be captured; the key `capture:<order>` makes every retry
// safe, and a gateway outage of hours is waited out with backoff rather than given up on.
const { captureCardPayment } = proxyActivities<Pick<CardPaymentActivities, 'captureCardPayment'>>({ startToCloseTimeout: '15 seconds', retry: GATEWAY_RETRY });
const acts = { createShipments, createPayouts, captureCardPayment };
// The same step as a local activity, for runs after the `local-create-shipments` patch: DB only, short and keyed, it runs in
// the worker holding the first workflow task, saving an activity task's round trip through the server per order (issue 14).
const { createShipments: createShipmentsLocally } = proxyLocalActivities<Pick<FulfillmentActivities, 'createShipments'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});

/**
 * One per paid (or COD) order (`fulfillment:<tenant>:<order>`). Issues the digital lines' download links first, follows
 * the shipments of the physical lines (a single brand's one parcel here, with its ship and deliver updates; a mall's
 * through a `shipment` child per vendor), keeps the order status current as they report, and on completion records the
 * vendors' payout lines. An order with nothing to ship completes with its links.
 */
export async function fulfillment(input: FulfillmentInput): Promise<OrderStatus> {
  // Runs recorded before the patch replay the activity they scheduled.
  const createShipmentRows = changed('local-create-shipments') ? createShipmentsLocally : acts.createShipments;
  // Runs after this patch follow a single-brand order's one parcel themselves (no `shipment` child, issue 14), and ask
  // their patches before the local activity: a query answered while it ran splits its task, and a replay then met a patch
  // marker recorded after it before the workflow had asked (nondeterminism; earlier runs keep the order they recorded).
  const followOneHere = changed('single-shipment-in-fulfillment');
  const digitalStep = followOneHere ? digitalDeliveryRuns(input) : undefined;
  // Runs after this patch end `cancelled` when the order was cancelled before its shipments existed (createShipments
  // then creates them cancelled); earlier runs waited for their delivery for ever. Asked before the local activity too.
  const endsWhenCancelled = changed('cancelled-shipment-ends');
  const shipments: TrackedShipment[] = await createShipmentRows({
    tenantId: input.tenantId,
    orderId: input.orderId,
    ...(followOneHere ? { followSingleInFulfillment: true } : {}),
  });
  let orderStatus: OrderStatus = 'pending_shipment';
  const notifications = createNotifications();
  const hasShipped = () => shipments.some((s) => s.status === 'shipped' || s.status === 'delivered');
  const applyShipmentChange = (change: ShipmentChange) => {
    const tracked = shipments.find((s) => s.id === change.shipment.id);
    if (tracked) Object.assign(tracked, change.shipment);
    if (change.orderStatus !== orderStatus) {
      orderStatus = change.orderStatus;
      publishOrderStatus(orderStatus);
      const parent = workflowInfo().parent;
      // The checkout's latest run, not the one that started this: a checkout reset in the UI follows this fulfillment
      // from a new run. Runs recorded before this patch signalled the starting run, and replay so.
      const checkoutRun = changed('signal-latest-checkout-run') ? undefined : parent?.runId;
      // A closed checkout (terminated: this fulfillment is abandoned) cannot hear it; the order's status is in the database.
      if (parent)
        void getExternalWorkflowHandle(parent.workflowId, checkoutRun)
          .signal(orderStatusSignal, orderStatus)
          .catch(() => undefined);
    }
  };

  setHandler(statusQuery, () => orderStatus);
  setHandler(shipmentsQuery, () => ({ orderStatus, shipments }));
  setHandler(shipmentChangedSignal, applyShipmentChange);
  // The ship and deliver updates come here from the moment the row exists (the database says so: `followed_by`).
  const here = shipments.length === 1 && shipments[0]!.followedBy === 'fulfillment' ? shipments[0]! : undefined;
  const shipmentInput = (s: TrackedShipment) => ({
    tenantId: input.tenantId,
    orderId: input.orderId,
    shipment: s,
    email: input.email,
    shipSlaMs: input.shipSlaMs,
  });
  const progressHere = here ? shipmentProgress(shipmentInput(here), here, applyShipmentChange, notifications, { endsWhenCancelled }) : undefined;

  const digital = await digitalDelivery(input, digitalStep);
  if (digital && digital.orderStatus !== orderStatus) {
    orderStatus = digital.orderStatus;
    publishOrderStatus(orderStatus);
  }
  if (digital && shipments.length === 0) return finishWithoutShipments(digital);
  // Started after the download links, which come first.
  const followedHere = progressHere?.follow();
  followedHere?.catch(() => undefined); // observed below (a cancellation before it ships ends it)

  // Children are started outside this workflow's cancellation scope: only an order that may still be
  // cancelled (nothing shipped) has its shipments stopped, explicitly, below. A run reset in the UI meets the shipments
  // of the run before it still running (a reset ends no child), and follows them.
  const children: StartedOrFollowed<'delivered' | 'cancelled'>[] = await CancellationScope.nonCancellable(() =>
    Promise.all(
      (here ? [] : shipments).map((s) =>
        startOrFollow(shipment, {
          workflowId: shipmentWorkflowId(input.tenantId, s.id),
          args: [shipmentInput(s)],
          // TERMINATE: a shipment reports to its fulfillment alone; a fulfillment terminated in the UI takes its shipments
          // with it, and a fulfillment run again (reconciler) recreates them from the database, status included.
          parentClosePolicy: 'TERMINATE',
          typedSearchAttributes: orderSearchAttributes({
            tenantId: input.tenantId,
            orderId: input.orderId,
            status: 'pending_shipment',
            vendorIds: s.vendorId ? [s.vendorId] : null,
          }),
        }),
      ),
    ),
  );
  // Card money is captured when the first parcel leaves, never before: until then a cancellation only voids.
  const captured =
    input.paymentMethod === 'card'
      ? CancellationScope.nonCancellable(async () => {
          await condition(hasShipped);
          await acts.captureCardPayment({ tenantId: input.tenantId, orderId: input.orderId });
        })
      : Promise.resolve();
  // Handled here so a failed capture never rejects unobserved (which fails workflow tasks); it is rethrown at the end.
  captured.catch(() => undefined);
  const allDelivered: Promise<unknown> = followedHere ?? CancellationScope.nonCancellable(() => Promise.all(children.map((c) => c.result())));
  const cancelRequested = CancellationScope.current().cancelRequested;
  cancelRequested.catch(() => undefined);
  try {
    await Promise.race([allDelivered, cancelRequested]);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    if (hasShipped()) {
      log.warn('cancellation refused: part of the order has shipped; waiting for delivery', { orderId: input.orderId });
    } else {
      await CancellationScope.nonCancellable(() =>
        Promise.all(
          children.map((c) =>
            getExternalWorkflowHandle(c.workflowId)
              .cancel()
              .catch(() => undefined),
          ),
        ),
      );
      await CancellationScope.nonCancellable(() => allDelivered.catch(() => undefined));
      await rethrowAfterHandlers(err);
    }
  }
  return CancellationScope.nonCancellable(async () => {
    await allDelivered;
    if (endsWhenCancelled && shipments.length > 0 && shipments.every((s) => s.status === 'cancelled')) return endCancelled();
    // Shipment children report through signals; the last one may still be in flight.
    await condition(() => shipments.every((s) => s.status === 'delivered'));
    await condition(allHandlersFinished);
    await captured;
    if (shipments.some((s) => s.vendorId) || digital?.vendorItems) await acts.createPayouts({ tenantId: input.tenantId, orderId: input.orderId });
    notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_completed', data: { order_id: input.orderId } });
    await notifications.flush();
    return orderStatus;
  });

  /** Nothing will ship (the order was cancelled before its shipments existed): no capture, no payouts, no notice. */
  async function endCancelled(): Promise<OrderStatus> {
    await condition(allHandlersFinished);
    orderStatus = 'cancelled';
    publishOrderStatus(orderStatus);
    await notifications.flush();
    return orderStatus;
  }

  /** Digital goods only: delivered with their links, so a card is captured now; a cancelled order ends as it is. */
  async function finishWithoutShipments(delivered: DigitalDeliveryOutcome): Promise<OrderStatus> {
    return CancellationScope.nonCancellable(async () => {
      if (delivered.orderStatus !== 'completed') return orderStatus;
      if (input.paymentMethod === 'card') await acts.captureCardPayment({ tenantId: input.tenantId, orderId: input.orderId });
      if (delivered.vendorItems) await acts.createPayouts({ tenantId: input.tenantId, orderId: input.orderId });
      notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_completed', data: { order_id: input.orderId } });
      await notifications.flush();
      return orderStatus;
    });
  }
}
