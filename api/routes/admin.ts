// Back-office routes: catalog, stock, orders, bank-transfer confirmations, cancellation, shipping.
import { Router } from 'express';
import { createProduct, deleteProduct, getProduct, updateProduct } from '../../db/queries/catalog.ts';
import { listProducts } from '../../db/queries/catalog-reads.ts';
import { createCategory, listCategories } from '../../db/queries/categories.ts';
import { setInventory } from '../../db/queries/inventory.ts';
import { getInventory } from '../../db/queries/holds.ts';
import { createLocation, listLocations } from '../../db/queries/tenants.ts';
import { getOrder, listOrders } from '../../db/queries/orders.ts';
import { getShipment } from '../../db/queries/shipments.ts';
import { ConflictError } from '../../domain/errors.ts';
import { cancellationRefusal } from '../../domain/order.ts';
import { recordAudit } from '../../db/queries/audit-log.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import {
  cancelBody,
  createCategoryBody,
  createLocationBody,
  createProductBodyFor,
  cursor,
  deliverBody,
  orderListQuery,
  page,
  pageQuery,
  paymentConfirmationBody,
  setInventoryBody,
  shipBody,
  timeCursor,
  adminUpdateProductBody,
} from '../schemas.ts';
import { adminOrder } from '../views.ts';
import { adminOrderResponse } from '../admin-order-response.ts';
import { shipmentActions } from '../shipment-actions.ts';
import type { Processes } from '../processes.ts';

/** Routes under /admin (roles: api/route-roles.ts; vendor keys are refused there). */
export function adminRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const r = Router();
  const actions = shipmentActions(pool, processes);
  const actor = (req: Express.Request) => `api-key:${req.principal?.keyId ?? 'unknown'}`;

  r.get('/products', async (req, res) => {
    const t = tenantOf(req);
    const q = pageQuery.parse(req.query);
    res.json(page(await listProducts(pool, t.id, t.currency, { publishedOnly: false, afterId: cursor.decode(q.cursor), limit: q.limit }), q.limit, (p) => p));
  });
  r.post('/products', async (req, res) => {
    const t = tenantOf(req);
    res.status(201).json(await createProduct(pool, t.id, t.currency, createProductBodyFor(config).parse(req.body), actorOf(req)));
  });
  r.get('/products/:id', async (req, res) => {
    const t = tenantOf(req);
    res.json(await getProduct(pool, t.id, t.currency, req.params.id, false));
  });
  r.patch('/products/:id', async (req, res) => {
    const t = tenantOf(req);
    res.json(await updateProduct(pool, t.id, t.currency, req.params.id, adminUpdateProductBody.parse(req.body), actorOf(req)));
  });
  r.delete('/products/:id', async (req, res) => {
    await deleteProduct(pool, tenantOf(req).id, req.params.id, actorOf(req));
    res.status(204).end();
  });

  r.get('/categories', async (req, res) => {
    const q = pageQuery.parse(req.query);
    res.json(page(await listCategories(pool, tenantOf(req).id, cursor.decode(q.cursor), q.limit), q.limit, (c) => c));
  });
  r.post('/categories', async (req, res) => {
    res.status(201).json(await createCategory(pool, tenantOf(req).id, createCategoryBody.parse(req.body), actorOf(req)));
  });
  r.get('/locations', async (req, res) => {
    res.json({ items: await listLocations(pool, tenantOf(req).id), next_cursor: null });
  });
  r.post('/locations', async (req, res) => {
    res.status(201).json(await createLocation(pool, tenantOf(req).id, createLocationBody.parse(req.body), actorOf(req)));
  });

  r.get('/inventory/:variantId', async (req, res) => {
    res.json({ items: await getInventory(pool, tenantOf(req).id, req.params.variantId), next_cursor: null });
  });
  r.put('/inventory/:variantId', async (req, res) => {
    const body = setInventoryBody.parse(req.body);
    res.json(await setInventory(pool, tenantOf(req).id, req.params.variantId, body.location_id, body.on_hand, actorOf(req)));
  });

  r.get('/orders', async (req, res) => {
    const q = orderListQuery.parse(req.query);
    const rows = await listOrders(pool, tenantOf(req).id, { status: q.status, q: q.q, after: timeCursor.decode(q.cursor), limit: q.limit });
    // Ids only (no Temporal round trip per row); GET /admin/orders/:id adds each workflow's live status.
    res.json(
      page(
        rows,
        q.limit,
        ({ cursor_at: _at, ...o }) =>
          adminOrder(
            o,
            processes.orderWorkflowIds(tenantOf(req).id, o.cart_id, o.id, o.payment_method, o.shipments),
            config.TEMPORAL_UI_URL,
            config.TEMPORAL_NAMESPACE,
          ),
        timeCursor.keyOf,
      ),
    );
  });

  const orderResponse = adminOrderResponse(pool, processes, config, deps.temporal);

  r.get('/orders/:id', async (req, res) => {
    res.json(await orderResponse(tenantOf(req).id, req.params.id));
  });

  r.post('/orders/:id/payment-confirmations', async (req, res) => {
    const t = tenantOf(req);
    const body = paymentConfirmationBody.parse(req.body);
    const order = await getOrder(pool, t.id, req.params.id);
    if (order.payment_method !== 'bank_transfer') throw new ConflictError(`order ${order.id} is paid by ${order.payment_method}, not bank transfer`);
    if (order.status !== 'pending_payment') throw new ConflictError(order.status === 'cancelled' ? 'the order was cancelled' : 'this order is already paid');
    await processes.confirmPayment(t.id, order.id, { amount: body.amount, reference: body.reference, confirmedBy: actor(req), actor: actorOf(req) });
    res.json(await orderResponse(t.id, order.id));
  });

  r.post('/orders/:id/cancel', async (req, res) => {
    const t = tenantOf(req);
    const body = cancelBody.parse(req.body);
    const order = await getOrder(pool, t.id, req.params.id);
    const refusal = cancellationRefusal(order.status);
    if (refusal) throw new ConflictError(refusal);
    await processes.cancelOrder(t.id, order.cart_id, { reason: body.reason, cancelledBy: actor(req), actor: actorOf(req) }, order.id);
    res.json(await orderResponse(t.id, order.id));
  });

  // Repairs now what the order-reconciler Schedule would repair within RECONCILE_INTERVAL; a live process is left alone.
  r.post('/orders/:id/resume', async (req, res) => {
    const t = tenantOf(req);
    const order = await getOrder(pool, t.id, req.params.id);
    if (order.status === 'completed' || order.status === 'cancelled') throw new ConflictError(`the order is ${order.status}: there is nothing to resume`);
    const ref = { tenantId: t.id, orderId: order.id, cartId: order.cart_id, status: order.status, paymentMethod: order.payment_method };
    const outcome = await processes.resumeOrder(ref, actorOf(req));
    const process = { before: outcome === 'resumed' ? 'lost' : 'live', after: outcome === 'resumed' ? 'resumed' : 'live' };
    await recordAudit(pool, { tenantId: t.id, actor: actorOf(req), action: 'order.resume', resourceType: 'order', resourceId: order.id, changes: { process } });
    res.json(await orderResponse(t.id, order.id));
  });

  r.post('/shipments/:id/ship', async (req, res) => {
    const t = tenantOf(req);
    const body = shipBody.parse(req.body);
    res.json(await actions.ship(t.id, await getShipment(pool, t.id, req.params.id), body, actorOf(req)));
  });

  r.post('/shipments/:id/deliver', async (req, res) => {
    const t = tenantOf(req);
    const body = deliverBody.parse(req.body ?? {});
    res.json(await actions.deliver(t.id, await getShipment(pool, t.id, req.params.id), body, actorOf(req)));
  });

  return r;
}
