// SQL owned by shipments.
import { randomUUID } from 'node:crypto';
import { SHIPMENT_STATUSES } from '../../domain/order.ts';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';

/** A shipment as the back office sees it. */
export const shipmentView = z.object({
  id: z.string(),
  order_id: z.string(),
  vendor_id: z.string().nullable(),
  status: z.enum(SHIPMENT_STATUSES),
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  cod_amount: z.number().nullable(),
  cod_collected: z.number().nullable(),
  shipped_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
});
export type ShipmentView = z.infer<typeof shipmentView>;

const columns = sql.fragment`id, order_id, vendor_id, status, carrier, tracking_number, cod_amount, cod_collected, shipped_at, delivered_at`;

/** Creates one shipment per group (vendor, or the single brand); a retry creates nothing new. */
export async function createShipments(tx: CommonQueryMethods, tenantId: string, orderId: string, groups: { groupKey: string; vendorId: string | null; codAmount: number | null }[]): Promise<ShipmentView[]> {
  for (const g of groups) {
    await tx.query(sql.type(noRows)`
      INSERT INTO shipments (id, tenant_id, order_id, vendor_id, group_key, status, cod_amount)
      VALUES (${makeId('shp', randomUUID())}, ${tenantId}, ${orderId}, ${g.vendorId}, ${g.groupKey}, 'pending', ${g.codAmount})
      ON CONFLICT (order_id, group_key) DO NOTHING`);
  }
  return orderShipments(tx, orderId);
}

/** Shipments of an order. */
export async function orderShipments(tx: CommonQueryMethods, orderId: string): Promise<ShipmentView[]> {
  return [...(await tx.any(sql.type(shipmentView)`SELECT ${columns} FROM shipments WHERE order_id = ${orderId} ORDER BY group_key`))];
}

/** A shipment of the tenant, or NotFoundError. */
export async function getShipment(db: CommonQueryMethods, tenantId: string, shipmentId: string): Promise<ShipmentView> {
  const row = await db.maybeOne(sql.type(shipmentView)`SELECT ${columns} FROM shipments WHERE tenant_id = ${tenantId} AND id = ${shipmentId}`);
  if (!row) throw new NotFoundError('shipment', shipmentId);
  return row;
}

/** Locks a shipment for a state change. */
export async function lockShipment(tx: CommonQueryMethods, shipmentId: string): Promise<ShipmentView> {
  return tx.one(sql.type(shipmentView)`SELECT ${columns} FROM shipments WHERE id = ${shipmentId} FOR UPDATE`);
}

/** pending → shipped with carrier and tracking number. */
export async function markShipped(tx: CommonQueryMethods, shipmentId: string, carrier: string, trackingNumber: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE shipments SET status = 'shipped', carrier = ${carrier}, tracking_number = ${trackingNumber}, shipped_at = now() WHERE id = ${shipmentId} AND status = 'pending'`);
}

/** shipped → delivered, recording the cash collected for COD. */
export async function markDelivered(tx: CommonQueryMethods, shipmentId: string, codCollected: number | null): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE shipments SET status = 'delivered', cod_collected = ${codCollected}, delivered_at = now() WHERE id = ${shipmentId} AND status = 'shipped'`);
}

/** Cancels an order's shipments that have not left. */
export async function cancelPendingShipments(tx: CommonQueryMethods, orderId: string): Promise<void> {
  await tx.query(sql.type(noRows)`UPDATE shipments SET status = 'cancelled' WHERE order_id = ${orderId} AND status = 'pending'`);
}
