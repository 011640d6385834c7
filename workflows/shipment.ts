// Shipment: one vendor's (or the warehouse's) part of an order, from pending through shipped to delivered.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { isExactCodCash } from '../domain/order.ts';
import { deliverUpdate, shipmentChangedSignal, shipUpdate, statusQuery, type ShipmentChange } from '../contracts/definitions.ts';
import type { FulfillmentActivities } from '../contracts/activities.ts';
import { businessFailure, createLock, createNotifications, rethrowAfterHandlers, unwrapFailure, WHILE_OPERATOR_WAITS } from './support.ts';
import type { DeliverArgs, ShipArgs, ShipmentInput } from '../contracts/workflows.ts';

// shipShipment, deliverShipment: conditional status changes (safe to repeat), run while the back office or the vendor
// waits on the ship/deliver update: retried for a minute, then the update fails and they can send it again.
const acts = proxyActivities<Pick<FulfillmentActivities, 'shipShipment' | 'deliverShipment'>>(WHILE_OPERATOR_WAITS);

/**
 * One per shipment (`shipment:<tenant>:<shipment>`), a child of the order's fulfillment. Waits for the ship
 * and deliver updates (admin or the owning vendor), tells operations when the ship SLA passes, and reports
 * every change to its parent.
 */
export async function shipment(input: ShipmentInput): Promise<'delivered'> {
  const s = { ...input.shipment };
  const oneAtATime = createLock();
  const notifications = createNotifications();
  const own = (id: string) => {
    if (id !== s.id) throw businessFailure('not_found', `shipment ${id} is not handled by this workflow`);
  };
  const checkShip = (args: ShipArgs) => {
    own(args.shipmentId);
    if (s.status !== 'pending') throw businessFailure('conflict', `shipment ${s.id} is already ${s.status}`);
  };
  const checkDeliver = (args: DeliverArgs) => {
    own(args.shipmentId);
    if (s.status !== 'shipped') throw businessFailure('conflict', `shipment ${s.id} is ${s.status}, not shipped`);
    if (s.codAmount && !isExactCodCash(s.codAmount, args.codCollected)) {
      throw businessFailure('amount_mismatch', `cash on delivery must be exactly ${s.codAmount.amount} ${s.codAmount.currency}`);
    }
  };
  const report = async (change: ShipmentChange) => {
    Object.assign(s, change.shipment);
    const parent = workflowInfo().parent;
    // The fulfillment's latest run, not the one that started this: a fulfillment reset in the UI follows this shipment
    // from a new run. Runs recorded before this patch signalled the starting run, and replay so.
    const latest = patched('signal-latest-fulfillment-run');
    const fulfillmentRun = latest ? undefined : parent?.runId;
    try {
      if (parent) await getExternalWorkflowHandle(parent.workflowId, fulfillmentRun).signal(shipmentChangedSignal, change);
    } catch (err) {
      // Runs recorded before the patch failed the update here, and replay so.
      if (!latest) throw err;
      // The change is committed; a fulfillment that has ended cannot hear it, and failing the update would only hide that.
      log.warn('the fulfillment of this shipment has ended; the change is recorded in the database only', { shipmentId: s.id, error: String(err) });
    }
    return change;
  };

  setHandler(statusQuery, () => s.status);
  setHandler(
    shipUpdate,
    (args) =>
      oneAtATime(async () => {
        checkShip(args);
        try {
          const change = await report(await acts.shipShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
          notifications.send({
            tenantId: input.tenantId,
            to: input.email,
            template: 'order_shipped',
            data: { order_id: input.orderId, shipment_id: s.id, carrier: args.carrier, tracking_number: args.trackingNumber },
          });
          return change;
        } catch (err) {
          throw unwrapFailure(err);
        }
      }),
    { validator: checkShip },
  );
  setHandler(
    deliverUpdate,
    (args) =>
      oneAtATime(async () => {
        checkDeliver(args);
        try {
          return await report(await acts.deliverShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
        } catch (err) {
          throw unwrapFailure(err);
        }
      }),
    { validator: checkDeliver },
  );

  const delivered = () => s.status === 'delivered';
  try {
    if (!(await condition(() => s.status !== 'pending', input.shipSlaMs))) {
      log.warn('shipment is late', { shipmentId: s.id, vendorId: s.vendorId, orderId: input.orderId });
      notifications.send({
        tenantId: input.tenantId,
        to: 'operations',
        template: 'shipment_late',
        data: { order_id: input.orderId, shipment_id: s.id, vendor_id: s.vendorId, sla_ms: input.shipSlaMs },
      });
    }
    await condition(delivered);
  } catch (err) {
    // Goods on the road cannot be un-shipped: once shipped, a cancellation request is refused.
    if (!isCancellation(err) || s.status === 'pending') await rethrowAfterHandlers(err);
    log.warn('cancellation refused: the shipment has left; waiting for delivery', { shipmentId: s.id });
    await CancellationScope.nonCancellable(() => condition(delivered));
  }
  await CancellationScope.nonCancellable(async () => {
    await condition(allHandlersFinished);
    await notifications.flush();
  });
  return 'delivered';
}
