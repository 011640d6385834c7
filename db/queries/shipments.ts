// SQL owned by shipments.
import { randomUUID } from 'node:crypto';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ShipmentFollower } from '../../domain/order.ts';
import { shipmentView, vendorShipmentView, type ShipmentView, type VendorShipmentView } from '../../contracts/views.ts';

const columns = sql.fragment`id, order_id, vendor_id, status, carrier, tracking_number, cod_amount, cod_collected, shipped_at, delivered_at, followed_by`;

/** Creates one shipment per group (vendor, or the single brand); a retry creates nothing new, and changes no `followed_by`. */
export async function createShipments(
  tx: CommonQueryMethods,
  tenantId: string,
  orderId: string,
  groups: { groupKey: string; vendorId: string | null; codAmount: number | null; followedBy: ShipmentFollower }[],
): Promise<ShipmentView[]> {
  for (const g of groups) {
    await tx.query(sql.type(noRows)`
      INSERT INTO shipments (id, tenant_id, order_id, vendor_id, group_key, status, cod_amount, followed_by)
      VALUES (${makeId('shp', randomUUID())}, ${tenantId}, ${orderId}, ${g.vendorId}, ${g.groupKey}, 'pending', ${g.codAmount}, ${g.followedBy})
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

/** A vendor's shipments, newest first; `limit + 1` rows so the caller knows whether there is a next page. */
export async function listVendorShipments(
  db: CommonQueryMethods,
  tenantId: string,
  vendorId: string,
  page: { after?: { createdAt: string; id: string }; limit: number },
): Promise<VendorShipmentView[]> {
  return [
    ...(await db.any(sql.type(vendorShipmentView)`
    SELECT s.id, s.order_id, s.vendor_id, o.status AS order_status, s.status, s.carrier, s.tracking_number, s.shipped_at, s.delivered_at, s.created_at, o.shipping_address,
      to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
      COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'title', i.title, 'quantity', i.quantity) ORDER BY i.sku, i.id)
        FROM order_items i WHERE i.order_id = s.order_id AND i.vendor_id = s.vendor_id), '[]') AS items
    FROM shipments s JOIN orders o ON o.id = s.order_id
    WHERE s.tenant_id = ${tenantId} AND s.vendor_id = ${vendorId}
      ${page.after ? sql.fragment`AND (s.created_at, s.id) < (${page.after.createdAt}::timestamptz, ${page.after.id})` : sql.fragment``}
    ORDER BY s.created_at DESC, s.id DESC LIMIT ${page.limit + 1}`)),
  ];
}

/** A shipment of the tenant that belongs to this vendor, or NotFoundError (also for another vendor's shipment). */
export async function getVendorShipment(db: CommonQueryMethods, tenantId: string, vendorId: string, shipmentId: string): Promise<ShipmentView> {
  const row = await db.maybeOne(sql.type(shipmentView)`
    SELECT ${columns} FROM shipments WHERE tenant_id = ${tenantId} AND vendor_id = ${vendorId} AND id = ${shipmentId}`);
  if (!row) throw new NotFoundError('shipment', shipmentId);
  return row;
}
