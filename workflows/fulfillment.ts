// Fulfillment: creates the order's shipments and follows each through shipped and delivered.
import { allHandlersFinished, CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { sameMoney } from '../domain/money.ts';
import type { OrderStatus } from '../domain/order.ts';
import { deliverUpdate, orderStatusSignal, shipmentsQuery, shipUpdate, statusQuery, type ShipmentChange } from './definitions.ts';
import { acts, businessFailure, createLock, createNotifications, publishOrderStatus, rethrowAfterHandlers, unwrapFailure } from './support.ts';
import type { DeliverArgs, FulfillmentInput, ShipArgs, TrackedShipment } from './types.ts';

/** One per paid (or COD) order (`fulfillment:<tenant>:<order>`); ends when every shipment is delivered. */
export async function fulfillment(input: FulfillmentInput): Promise<OrderStatus> {
  const shipments: TrackedShipment[] = await acts.createShipments({ tenantId: input.tenantId, orderId: input.orderId });
  let orderStatus: OrderStatus = 'pending_shipment';
  const oneAtATime = createLock();
  const notifications = createNotifications();
  const find = (id: string) => {
    const s = shipments.find((x) => x.id === id);
    if (!s) throw businessFailure('not_found', `shipment ${id} is not part of order ${input.orderId}`);
    return s;
  };
  const checkShip = (args: ShipArgs) => {
    const s = find(args.shipmentId);
    if (s.status !== 'pending') throw businessFailure('conflict', `shipment ${s.id} is already ${s.status}`);
  };
  const checkDeliver = (args: DeliverArgs) => {
    const s = find(args.shipmentId);
    if (s.status !== 'shipped') throw businessFailure('conflict', `shipment ${s.id} is ${s.status}, not shipped`);
    if (s.codAmount && (!args.codCollected || !sameMoney(s.codAmount, args.codCollected))) {
      throw businessFailure('amount_mismatch', `cash on delivery must be exactly ${s.codAmount.amount} ${s.codAmount.currency}`);
    }
  };
  const apply = async (change: ShipmentChange) => {
    Object.assign(find(change.shipment.id), change.shipment);
    if (change.orderStatus !== orderStatus) {
      orderStatus = change.orderStatus;
      publishOrderStatus(orderStatus);
      const parent = workflowInfo().parent;
      if (parent) await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(orderStatusSignal, orderStatus).catch(() => undefined);
    }
    return change;
  };

  setHandler(statusQuery, () => orderStatus);
  setHandler(shipmentsQuery, () => ({ orderStatus, shipments }));
  setHandler(shipUpdate, (args) => oneAtATime(async () => {
    checkShip(args);
    try {
      const change = await apply(await acts.shipShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
      notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_shipped', data: { order_id: input.orderId, carrier: args.carrier, tracking_number: args.trackingNumber } });
      return change;
    } catch (err) {
      throw unwrapFailure(err);
    }
  }), { validator: checkShip });
  setHandler(deliverUpdate, (args) => oneAtATime(async () => {
    checkDeliver(args);
    try {
      return await apply(await acts.deliverShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
    } catch (err) {
      throw unwrapFailure(err);
    }
  }), { validator: checkDeliver });

  const allDone = () => shipments.every((s) => s.status === 'delivered' || s.status === 'cancelled');
  try {
    await condition(allDone);
  } catch (err) {
    // Goods on the road cannot be un-shipped: once something shipped, a cancellation request is refused.
    if (!isCancellation(err) || !shipments.some((s) => s.status === 'shipped' || s.status === 'delivered')) await rethrowAfterHandlers(err);
    log.warn('cancellation refused: part of the order has shipped; waiting for delivery', { orderId: input.orderId });
    await CancellationScope.nonCancellable(() => condition(allDone));
  }
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  notifications.send({ tenantId: input.tenantId, to: input.email, template: 'order_completed', data: { order_id: input.orderId } });
  await notifications.flush();
  return orderStatus;
}
