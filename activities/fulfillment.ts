// Activities of the fulfillment workflow: shipments, shipping and delivery.
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { lockOrder, orderItemGroups, setOrderStatus } from '../db/queries/orders.ts';
import { cancelPendingShipments, createShipments, lockShipment, markDelivered, markShipped, orderShipments } from '../db/queries/shipments.ts';
import type { ShipmentView } from '../contracts/views.ts';
import { consumeOrderAllocations } from '../db/queries/holds.ts';
import { lockPayment, recordReceipt } from '../db/queries/payments.ts';
import { AmountMismatchError, ConflictError } from '../domain/errors.ts';
import { money } from '../domain/money.ts';
import { codShares, isExactCodCash, statusFromShipments, type OrderStatus } from '../domain/order.ts';
import type { DeliverArgs, ShipArgs, TrackedShipment } from '../contracts/workflows.ts';
import { asActivity } from './errors.ts';
import { recordAudit } from '../db/queries/audit-log.ts';
import { changedFields } from '../domain/audit.ts';
import type { Actor } from '../contracts/audit.ts';
import type { FulfillmentActivities } from '../contracts/activities.ts';

const track = (s: ShipmentView, currency: string): TrackedShipment => ({
  id: s.id,
  vendorId: s.vendor_id,
  status: s.status,
  codAmount: s.cod_amount === null ? null : { amount: s.cod_amount, currency },
  ...(s.followed_by === 'fulfillment' ? { followedBy: 'fulfillment' as const } : {}),
});

/** The order's status follows its shipments' (inside the shipment change's transaction); answers the shipment as changed. */
async function orderFollows(
  tx: CommonQueryMethods,
  input: { tenantId: string; orderId: string },
  order: { status: OrderStatus; currency: string },
  shipmentId: string,
): Promise<{ shipment: TrackedShipment; orderStatus: OrderStatus }> {
  const all = await orderShipments(tx, input.orderId);
  const next = statusFromShipments(all.map((s) => s.status));
  await setOrderStatus(tx, input.tenantId, input.orderId, order.status, next);
  return {
    shipment: track(
      all.find((s) => s.id === shipmentId)!,
      order.currency,
    ),
    orderStatus: next,
  };
}

/** The entry of a ship or deliver that changed the shipment (a retry that finds it done writes none), in its transaction. */
async function auditShipment(
  tx: CommonQueryMethods,
  input: { tenantId: string; actor?: Actor },
  action: 'shipment.ship' | 'shipment.deliver',
  before: ShipmentView,
  after: { shipment: ShipmentView; orderStatus: OrderStatus; orderStatusBefore: OrderStatus },
): Promise<void> {
  if (!input.actor) return;
  const fields = (s: ShipmentView, orderStatus: OrderStatus) => ({
    status: s.status,
    carrier: s.carrier,
    tracking_number: s.tracking_number,
    cod_collected: s.cod_collected,
    order_status: orderStatus,
  });
  const changes = changedFields(fields(before, after.orderStatusBefore), fields(after.shipment, after.orderStatus));
  await recordAudit(tx, { tenantId: input.tenantId, actor: input.actor, action, resourceType: 'shipment', resourceId: before.id, changes });
}

/** Builds the fulfillment activities. */
export function createFulfillmentActivities({ pool }: { pool: DatabasePool }) {
  return {
    /**
     * One shipment per vendor group (single brand: one). COD shipments carry the cash to collect. Idempotent.
     * `followSingleInFulfillment` (fulfillment runs that can): an order's one vendor-less parcel is followed by the
     * fulfillment itself; the row records it, and a retry keeps what the first attempt recorded.
     */
    async createShipments(input: { tenantId: string; orderId: string; followSingleInFulfillment?: boolean }): Promise<TrackedShipment[]> {
      return asActivity(() =>
        pool.transaction(async (tx) => {
          const order = await lockOrder(tx, input.tenantId, input.orderId);
          const groups = await orderItemGroups(tx, input.orderId);
          const cod =
            order.payment_method === 'cod'
              ? codShares(
                  groups.map((g) => g.amount),
                  order.total,
                )
              : null;
          const shipments = await createShipments(
            tx,
            input.tenantId,
            input.orderId,
            groups.map((g, i) => ({
              groupKey: g.vendor_id ?? 'main',
              vendorId: g.vendor_id,
              codAmount: cod ? cod[i]! : null,
              followedBy: input.followSingleInFulfillment && groups.length === 1 && !g.vendor_id ? 'fulfillment' : 'shipment',
            })),
          );
          // An order cancelled before its shipments exist (a late retry) must not leave them pending for a vendor to see.
          if (order.status === 'cancelled') {
            await cancelPendingShipments(tx, input.orderId);
            return (await orderShipments(tx, input.orderId)).map((s) => track(s, order.currency));
          }
          return shipments.map((s) => track(s, order.currency));
        }),
      );
    },

    /** pending → shipped; the shipped stock leaves on_hand and reserved; the order status follows. Idempotent. */
    async shipShipment(input: { tenantId: string; orderId: string } & ShipArgs): Promise<{ shipment: TrackedShipment; orderStatus: OrderStatus }> {
      return asActivity(() =>
        pool.transaction(async (tx) => {
          const order = await lockOrder(tx, input.tenantId, input.orderId);
          const shipment = await lockShipment(tx, input.shipmentId);
          if (order.status === 'cancelled') throw new ConflictError('the order was cancelled');
          if (shipment.status === 'pending') {
            await markShipped(tx, shipment.id, input.carrier, input.trackingNumber);
            const group = (await orderItemGroups(tx, input.orderId)).find((g) => g.vendor_id === shipment.vendor_id);
            await consumeOrderAllocations(tx, input.orderId, group?.variant_ids ?? []);
            const result = await orderFollows(tx, input, order, shipment.id);
            await auditShipment(tx, input, 'shipment.ship', shipment, {
              ...result,
              orderStatusBefore: order.status,
              shipment: await lockShipment(tx, shipment.id),
            });
            return result;
          } else if (shipment.status !== 'shipped' || shipment.tracking_number !== input.trackingNumber) {
            throw new ConflictError(`shipment ${shipment.id} is already ${shipment.status}`);
          }
          return orderFollows(tx, input, order, shipment.id);
        }),
      );
    },

    /** shipped → delivered; COD cash must match exactly and is recorded as a receipt; the order completes with its last delivery. */
    async deliverShipment(input: { tenantId: string; orderId: string } & DeliverArgs): Promise<{ shipment: TrackedShipment; orderStatus: OrderStatus }> {
      return asActivity(() =>
        pool.transaction(async (tx) => {
          const order = await lockOrder(tx, input.tenantId, input.orderId);
          const shipment = await lockShipment(tx, input.shipmentId);
          if (shipment.status === 'shipped') {
            if (order.payment_method === 'cod') {
              const cash = input.codCollected;
              if (shipment.cod_amount === null || !isExactCodCash(money(shipment.cod_amount, order.currency), cash)) {
                throw new AmountMismatchError(`cash collected must be exactly ${shipment.cod_amount} ${order.currency}`);
              }
              const payment = await lockPayment(tx, input.orderId, 'cod');
              await recordReceipt(tx, {
                tenantId: input.tenantId,
                paymentId: payment.id,
                amount: cash.amount,
                currency: cash.currency,
                reference: `cod:${shipment.id}`,
                confirmedBy: 'courier',
              });
            }
            await markDelivered(tx, shipment.id, order.payment_method === 'cod' ? (input.codCollected?.amount ?? null) : null);
            const result = await orderFollows(tx, input, order, shipment.id);
            const after = await lockShipment(tx, shipment.id);
            await auditShipment(tx, input, 'shipment.deliver', shipment, { ...result, orderStatusBefore: order.status, shipment: after });
            return result;
          } else if (shipment.status !== 'delivered') {
            throw new ConflictError(`shipment ${shipment.id} is ${shipment.status}, not shipped`);
          }
          return orderFollows(tx, input, order, shipment.id);
        }),
      );
    },
  } satisfies FulfillmentActivities;
}
