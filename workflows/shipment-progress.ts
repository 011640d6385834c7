// A shipment's progress, pending through shipped to delivered: run by its own `shipment` workflow, or inside the fulfillment.
import { CancellationScope, condition, isCancellation, log, proxyActivities, setHandler } from '@temporalio/workflow';
import { isExactCodCash } from '../domain/order.ts';
import { deliverUpdate, shipUpdate, type ShipmentChange } from '../contracts/definitions.ts';
import type { FulfillmentActivities } from '../contracts/activities.ts';
import { businessFailure, createLock, rethrowAfterHandlers, unwrapFailure, WHILE_OPERATOR_WAITS, type Notifications } from './support.ts';
import type { DeliverArgs, ShipArgs, ShipmentInput, TrackedShipment } from '../contracts/workflows.ts';

// shipShipment, deliverShipment: conditional status changes (safe to repeat), run while the back office or the vendor
// waits on the ship/deliver update: retried for a minute, then the update fails and they can send it again.
const acts = proxyActivities<Pick<FulfillmentActivities, 'shipShipment' | 'deliverShipment'>>(WHILE_OPERATOR_WAITS);

/** Where a followed shipment's changes go once committed: its fulfillment (by signal, or directly when it runs there). */
export type ReportShipmentChange = (change: ShipmentChange) => Promise<void> | void;

/**
 * Registers the ship and deliver updates of `shipment` (admin or the owning vendor) at once; `follow()` then starts the
 * journey: it tells operations when the ship SLA passes and returns once the shipment is delivered. Updates that arrive
 * before `follow()` wait for it (a fulfillment issues download links before any parcel leaves). Each committed change is
 * applied to `shipment` and reported. A cancellation while it is pending ends it (after running handlers); once shipped,
 * goods on the road cannot be un-shipped, so a cancellation is refused and delivery awaited. With `endsWhenCancelled`, a
 * shipment that is `cancelled` (created for an order already cancelled) ends the follow at once.
 */
export function shipmentProgress(
  input: ShipmentInput,
  shipment: TrackedShipment,
  report: ReportShipmentChange,
  notifications: Notifications,
  { endsWhenCancelled = false }: { endsWhenCancelled?: boolean } = {},
): { follow(): Promise<void> } {
  const s = shipment;
  let following = false;
  const lock = createLock();
  const oneAtATime = <T>(body: () => Promise<T>) =>
    lock(async () => {
      await condition(() => following);
      return body();
    });
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
  const committed = async (change: ShipmentChange) => {
    Object.assign(s, change.shipment);
    await report(change);
    return change;
  };

  setHandler(
    shipUpdate,
    (args) =>
      oneAtATime(async () => {
        checkShip(args);
        try {
          const change = await committed(await acts.shipShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
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
          return await committed(await acts.deliverShipment({ tenantId: input.tenantId, orderId: input.orderId, ...args }));
        } catch (err) {
          throw unwrapFailure(err);
        }
      }),
    { validator: checkDeliver },
  );

  const delivered = () => s.status === 'delivered';
  // A shipment created for an order cancelled meanwhile is `cancelled` from the start and will never leave: runs after
  // `cancelled-shipment-ends` (asked by the caller) stop following it; earlier runs waited for its delivery for ever.
  const over = () => delivered() || (endsWhenCancelled && s.status === 'cancelled');
  return {
    async follow() {
      following = true;
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
        await condition(over);
      } catch (err) {
        if (!isCancellation(err) || s.status === 'pending' || over()) await rethrowAfterHandlers(err);
        log.warn('cancellation refused: the shipment has left; waiting for delivery', { shipmentId: s.id });
        await CancellationScope.nonCancellable(() => condition(delivered));
      }
    },
  };
}
