// Storefront shipping: the methods a cart may choose and the choice itself (API.md "Pricing: tax, shipping, promotions").
import { Router } from 'express';
import { getCart } from '../../db/queries/carts.ts';
import { chooseShippingMethod, shippingOptions } from '../../db/queries/shipping.ts';
import { cartAccess } from '../cart-access.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { chooseShippingMethodBody, shippingOptionsQuery } from '../schemas-shipping.ts';

/** Cart shipping routes under /store; mounted inside the store router, after its key and customer-token checks. */
export function storeShippingRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  const ownCart = cartAccess(pool);

  r.get('/carts/:id/shipping-options', async (req, res) => {
    const q = shippingOptionsQuery.parse(req.query);
    await ownCart(req, req.params.id);
    res.json({ items: await shippingOptions(pool, tenantOf(req).id, req.params.id, q.region) });
  });

  r.post('/carts/:id/shipping-method', async (req, res) => {
    const t = tenantOf(req);
    const body = chooseShippingMethodBody.parse(req.body);
    await ownCart(req, req.params.id);
    await chooseShippingMethod(pool, t.id, req.params.id, body.shipping_method_id, body.region);
    res.json(await getCart(pool, t.id, req.params.id));
  });

  return r;
}
