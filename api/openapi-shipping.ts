// /openapi.json operations of shipping methods (back office) and a cart's shipping choice (storefront).
import { z } from 'zod';
import * as sh from './schemas-shipping.ts';
import { shippingMethodView, shippingOptionView } from '../contracts/shipping.ts';
import { cartView } from '../contracts/views.ts';
import { list, type Op } from './openapi-operation.ts';

/** Admin CRUD of shipping methods; storefront options and choice. */
export const SHIPPING_OPERATIONS: Op[] = [
  {
    method: 'get',
    path: '/store/carts/{id}/shipping-options',
    summary:
      "Methods in the cart's currency it may choose for ?region= (else the cart's region; none known: methods without regions only); mall: per vendor shipped, vendor_id says whose; cod_fee: what payment_method cod adds to the order total",
    auth: 'store',
    query: sh.shippingOptionsQuery,
    response: z.object({ items: z.array(shippingOptionView) }),
  },
  {
    method: 'post',
    path: '/store/carts/{id}/shipping-method',
    summary:
      "Choose a method for its shipping group (mall: one per vendor) and the region; 404 unknown or withdrawn method or one in another currency than the cart's, 400 not shipping there, 409 converted cart",
    auth: 'store',
    body: sh.chooseShippingMethodBody,
    response: cartView,
  },
  {
    method: 'get',
    path: '/admin/shipping-methods',
    summary: 'List shipping methods (inactive ones too), oldest first',
    auth: 'admin',
    query: sh.shippingMethodListQuery,
    response: list(shippingMethodView),
  },
  {
    method: 'post',
    path: '/admin/shipping-methods',
    summary: "Create a shipping method in the store's currency; regions: ISO 3166-1 alpha-2 or JP-01..JP-47 (empty: everywhere); vendor_id in malls",
    auth: 'admin',
    body: sh.createShippingMethodBody,
    response: shippingMethodView,
    status: 201,
  },
  { method: 'get', path: '/admin/shipping-methods/{id}', summary: 'Get a shipping method', auth: 'admin', response: shippingMethodView },
  {
    method: 'patch',
    path: '/admin/shipping-methods/{id}',
    summary: 'Change a shipping method (placed orders keep what they were placed with)',
    auth: 'admin',
    body: sh.updateShippingMethodBody,
    response: shippingMethodView,
  },
  {
    method: 'delete',
    path: '/admin/shipping-methods/{id}',
    summary: 'Withdraw a shipping method (deactivates it: orders keep referring to it)',
    auth: 'admin',
    status: 204,
  },
];
