// Storefront routes of discount codes on a cart: apply (422 discount_invalid with the reason) and remove.
import { Router } from 'express';
import { getCart } from '../../db/queries/carts.ts';
import { applyCartDiscount, removeCartDiscount } from '../../db/queries/promotions.ts';
import { customerKeyOf } from '../../domain/promotions.ts';
import { cartAccess } from '../cart-access.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { applyDiscountBody } from '../schemas-promotions.ts';

/** POST /store/carts/:id/discounts and DELETE /store/carts/:id/discounts/:code; mounted by storeRoutes after its auth. */
export function storeDiscountRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  const ownedCart = cartAccess(pool);

  r.post('/carts/:id/discounts', async (req, res) => {
    const t = tenantOf(req);
    const body = applyDiscountBody.parse(req.body);
    const owner = await ownedCart(req, req.params.id);
    const cart = await getCart(pool, t.id, req.params.id);
    // Per-customer limits count as checkout will (placeOrder): the cart's owner once claimed, else the e-mail (the
    // signed-in customer's until the cart has its own); a guest without one yet is counted at checkout.
    const email = cart.email ?? req.customer?.email ?? null;
    const key = customerKeyOf(owner, email);
    await applyCartDiscount(pool, t.id, req.params.id, body.code, key ? { key, email } : null);
    res.json(await getCart(pool, t.id, req.params.id));
  });

  r.delete('/carts/:id/discounts/:code', async (req, res) => {
    const t = tenantOf(req);
    await ownedCart(req, req.params.id);
    await removeCartDiscount(pool, t.id, req.params.id, req.params.code);
    res.json(await getCart(pool, t.id, req.params.id));
  });

  return r;
}
