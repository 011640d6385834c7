// Vendor portal routes (mall mode): a vendor key sees and fulfils only its own vendor's shipments.
import { Router } from 'express';
import { getOrder } from '../../db/queries/orders.ts';
import { getShipment, getVendorShipment, listVendorShipments, type VendorShipmentView } from '../../db/queries/shipments.ts';
import { ConflictError, ForbiddenError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { apiKeyAuth } from '../auth.ts';
import { deliverBody, page, pageQuery, shipBody, timeCursor } from '../schemas.ts';
import { shipmentResponse } from '../views.ts';
import type { Processes } from '../processes.ts';

/** The vendor a vendor key is bound to (the api_keys CHECK guarantees one). */
function vendorOf(req: Express.Request): string {
  const vendorId = req.principal?.vendorId;
  if (!vendorId) throw new ForbiddenError('this key is not bound to a vendor');
  return vendorId;
}

const shipmentKey = (s: VendorShipmentView) => `${s.cursor_at}|${s.id}`;

/** A vendor's shipment as the portal lists it (the list cursor's precise time stays internal). */
export function vendorShipmentResponse({ cursor_at: _cursorAt, ...shipment }: VendorShipmentView) {
  return shipment;
}

/** Routes under /vendor (vendor keys only); ship and deliver go to the order's fulfillment workflow like admin's. */
export function vendorRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool } = deps;
  const r = Router();
  r.use(apiKeyAuth(pool, ['vendor']));

  r.get('/shipments', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const rows = await listVendorShipments(pool, tenantOf(req).id, vendorOf(req), { after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, vendorShipmentResponse, shipmentKey));
  });

  r.post('/shipments/:id/ship', async (req, res) => {
    const t = tenantOf(req);
    const body = shipBody.parse(req.body);
    const shipment = await getVendorShipment(pool, t.id, vendorOf(req), req.params.id);
    if (shipment.status !== 'pending') throw new ConflictError(`shipment ${shipment.id} is already ${shipment.status}`);
    await processes.ship(t.id, shipment.order_id, { shipmentId: shipment.id, carrier: body.carrier, trackingNumber: body.tracking_number });
    const order = await getOrder(pool, t.id, shipment.order_id);
    res.json(shipmentResponse(await getShipment(pool, t.id, shipment.id), order.currency));
  });

  r.post('/shipments/:id/deliver', async (req, res) => {
    const t = tenantOf(req);
    const body = deliverBody.parse(req.body ?? {});
    const shipment = await getVendorShipment(pool, t.id, vendorOf(req), req.params.id);
    if (shipment.status !== 'shipped') throw new ConflictError(`shipment ${shipment.id} is ${shipment.status}, not shipped`);
    await processes.deliver(t.id, shipment.order_id, { shipmentId: shipment.id, codCollected: body.cod_collected ?? null });
    const order = await getOrder(pool, t.id, shipment.order_id);
    res.json(shipmentResponse(await getShipment(pool, t.id, shipment.id), order.currency));
  });

  return r;
}
