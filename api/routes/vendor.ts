// Vendor portal routes (mall mode): a vendor key sees and fulfils only its own vendor's shipments.
import { Router } from 'express';
import { getVendorShipment, listVendorShipments } from '../../db/queries/shipments.ts';
import { createProduct, updateProduct } from '../../db/queries/catalog.ts';
import { listProducts } from '../../db/queries/catalog-reads.ts';
import { setInventory } from '../../db/queries/inventory.ts';
import { listVendorPayouts } from '../../db/queries/payouts.ts';
import { payoutResponse } from './admin-vendors.ts';
import { vendorCreateProductBodyFor, vendorUpdateProductBody } from '../schemas-vendor.ts';
import type { VendorShipmentView } from '../../contracts/views.ts';
import { ForbiddenError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { cursor, deliverBody, page, pageQuery, setInventoryBody, shipBody, timeCursor } from '../schemas.ts';
import { shipmentActions } from '../shipment-actions.ts';
import type { Processes } from '../processes.ts';

/** The vendor a vendor key is bound to (the api_keys CHECK guarantees one). */
function vendorOf(req: Express.Request): string {
  const vendorId = req.principal?.vendorId;
  if (!vendorId) throw new ForbiddenError('this key is not bound to a vendor');
  return vendorId;
}

/** A vendor's shipment as the portal lists it (the list cursor's precise time stays internal). */
export function vendorShipmentResponse({ cursor_at: _cursorAt, ...shipment }: VendorShipmentView) {
  return shipment;
}

/**
 * Routes under /vendor (vendor keys only, api/route-roles.ts); ship and deliver go to the shipment's workflow like admin's.
 * Catalog, stock and payouts are the admin ones narrowed to the key's vendor: another vendor's product or variant is 404.
 */
export function vendorRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const r = Router();
  const actions = shipmentActions(pool, processes);

  r.get('/shipments', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const rows = await listVendorShipments(pool, tenantOf(req).id, vendorOf(req), { after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, vendorShipmentResponse, timeCursor.keyOf));
  });

  r.post('/shipments/:id/ship', async (req, res) => {
    const t = tenantOf(req);
    const body = shipBody.parse(req.body);
    res.json(await actions.ship(t.id, await getVendorShipment(pool, t.id, vendorOf(req), req.params.id), body, actorOf(req)));
  });

  r.post('/shipments/:id/deliver', async (req, res) => {
    const t = tenantOf(req);
    const body = deliverBody.parse(req.body ?? {});
    res.json(await actions.deliver(t.id, await getVendorShipment(pool, t.id, vendorOf(req), req.params.id), body, actorOf(req)));
  });

  r.get('/products', async (req, res) => {
    const t = tenantOf(req);
    const q = pageQuery.parse(req.query);
    const filter = { vendor: vendorOf(req), publishedOnly: false, afterId: cursor.decode(q.cursor), limit: q.limit };
    res.json(page(await listProducts(pool, t.id, t.currency, filter), q.limit, (p) => p));
  });

  r.post('/products', async (req, res) => {
    const t = tenantOf(req);
    const body = vendorCreateProductBodyFor(config).parse(req.body);
    res.status(201).json(await createProduct(pool, t.id, t.currency, { ...body, vendor_id: vendorOf(req) }, actorOf(req)));
  });

  r.patch('/products/:id', async (req, res) => {
    const t = tenantOf(req);
    const body = vendorUpdateProductBody.parse(req.body);
    res.json(await updateProduct(pool, t.id, t.currency, req.params.id, body, actorOf(req), vendorOf(req)));
  });

  r.put('/inventory/:variantId', async (req, res) => {
    const body = setInventoryBody.parse(req.body);
    res.json(await setInventory(pool, tenantOf(req).id, req.params.variantId, body.location_id, body.on_hand, actorOf(req), vendorOf(req)));
  });

  r.get('/payouts', async (req, res) => {
    const q = pageQuery.parse(req.query);
    const rows = await listVendorPayouts(pool, tenantOf(req).id, vendorOf(req), { after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, payoutResponse, timeCursor.keyOf));
  });

  return r;
}
