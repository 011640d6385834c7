// Ship and deliver, shared by the back office and the vendor portal (each finds the shipment its own way).
import type { DatabasePool } from 'slonik';
import { getOrder } from '../db/queries/orders.ts';
import { getShipment } from '../db/queries/shipments.ts';
import type { ShipmentView } from '../contracts/views.ts';
import { ConflictError } from '../domain/errors.ts';
import type { Processes } from './processes.ts';
import type { Actor } from '../contracts/audit.ts';
import { shipmentResponse } from './views.ts';

/** Builds the ship and deliver actions over a shipment already checked to belong to the caller. */
export function shipmentActions(pool: DatabasePool, processes: Processes) {
  const reload = async (tenantId: string, shipment: ShipmentView) => {
    const order = await getOrder(pool, tenantId, shipment.order_id);
    return shipmentResponse(await getShipment(pool, tenantId, shipment.id), order.currency);
  };
  // Checked before any workflow call: a cancelled order's shipments must not leave, and the caller should hear why.
  const refuseCancelled = async (tenantId: string, shipment: ShipmentView) => {
    const order = await getOrder(pool, tenantId, shipment.order_id);
    if (order.status === 'cancelled' || shipment.status === 'cancelled') {
      throw new ConflictError(`order ${shipment.order_id} was cancelled; shipment ${shipment.id} is cancelled and must not be shipped or delivered`);
    }
  };
  return {
    /** pending → shipped through the workflow that follows the shipment; answers the shipment. */
    async ship(tenantId: string, shipment: ShipmentView, body: { carrier: string; tracking_number: string }, actor: Actor) {
      await refuseCancelled(tenantId, shipment);
      if (shipment.status !== 'pending') throw new ConflictError(`shipment ${shipment.id} is already ${shipment.status}`);
      await processes.ship(tenantId, shipment, { shipmentId: shipment.id, carrier: body.carrier, trackingNumber: body.tracking_number, actor });
      return reload(tenantId, shipment);
    },
    /** shipped → delivered (COD: with the cash collected); answers the shipment. */
    async deliver(tenantId: string, shipment: ShipmentView, body: { cod_collected?: { amount: number; currency: string } }, actor: Actor) {
      await refuseCancelled(tenantId, shipment);
      if (shipment.status !== 'shipped') throw new ConflictError(`shipment ${shipment.id} is ${shipment.status}, not shipped`);
      await processes.deliver(tenantId, shipment, { shipmentId: shipment.id, codCollected: body.cod_collected ?? null, actor });
      return reload(tenantId, shipment);
    },
  };
}
