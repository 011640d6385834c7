// The one owner check of every storefront cart route (store.ts, store-discounts.ts, store-shipping.ts).
import type { CommonQueryMethods } from 'slonik';
import { cartOwner } from '../db/queries/carts.ts';
import { NotFoundError } from '../domain/errors.ts';
import { tenantOf } from './context.ts';

/**
 * A check bound to `db`: a customer's cart answers only to that customer's token (NotFoundError, 404, to anyone else,
 * with or without a token); a guest cart stays reachable by its unguessable id. Resolves to the cart's owner (null: guest).
 */
export function cartAccess(db: CommonQueryMethods): (req: Express.Request, cartId: string) => Promise<string | null> {
  return async (req, cartId) => {
    const owner = await cartOwner(db, tenantOf(req).id, cartId);
    if (owner !== null && owner !== req.customer?.id) throw new NotFoundError('cart', cartId);
    return owner;
  };
}
