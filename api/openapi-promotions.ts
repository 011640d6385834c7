// /openapi.json operations of promotions: the back office's discount codes and the storefront's cart discounts.
import * as p from './schemas-promotions.ts';
import { cartView } from '../contracts/views.ts';
import { promotionView } from '../contracts/promotions.ts';
import { list, type Op } from './openapi-operation.ts';

/** Admin promotion CRUD and applying/removing a code on a cart. */
export const PROMOTION_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/promotions',
    summary: 'Create a discount code (409 when the store has the code in any case)',
    auth: 'admin',
    body: p.createPromotionBody,
    response: promotionView,
    status: 201,
  },
  {
    method: 'get',
    path: '/admin/promotions',
    summary: 'List promotions with times_used, newest first',
    auth: 'admin',
    query: p.promotionListQuery,
    response: list(promotionView),
  },
  { method: 'get', path: '/admin/promotions/{id}', summary: 'Get a promotion', auth: 'admin', response: promotionView },
  {
    method: 'patch',
    path: '/admin/promotions/{id}',
    summary: 'Switch a code on or off, move its end',
    auth: 'admin',
    body: p.updatePromotionBody,
    response: promotionView,
  },
  {
    method: 'post',
    path: '/store/carts/{id}/discounts',
    summary:
      'Apply a discount code (422 discount_invalid with details.reason; a code already applied answers the same cart; the cart lists every code, a refused one at 0 with its reason)',
    auth: 'store',
    body: p.applyDiscountBody,
    response: cartView,
  },
  {
    method: 'delete',
    path: '/store/carts/{id}/discounts/{code}',
    summary: 'Remove a discount code (404 when the cart does not carry it)',
    auth: 'store',
    response: cartView,
  },
];
