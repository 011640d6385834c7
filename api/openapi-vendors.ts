// /openapi.json operations of the vendor portal's own catalog and money, and of managing a vendor.
import { setInventoryBody, pageQuery } from './schemas.ts';
import { createPayoutStatementBody, updateVendorBody, vendorCreateProductBodyFor, vendorUpdateProductBody } from './schemas-vendor.ts';
import { payPayoutBody } from './schemas.ts';
import { payoutStatementView, payoutView, productView, vendorView } from '../contracts/views.ts';
import { list, type Op } from './openapi-operation.ts';

/** Vendor self-service (products, stock, payouts; always the key's vendor) and PATCH /admin/vendors/:id. */
export const VENDOR_OPERATIONS: Op[] = [
  {
    method: 'patch',
    path: '/admin/vendors/{id}',
    summary: "Change a vendor's commission or status (a suspended vendor's products leave the storefront, search and carts)",
    auth: 'admin',
    body: updateVendorBody,
    response: vendorView,
  },
  { method: 'get', path: '/vendor/products', summary: "The vendor key's products (any status)", auth: 'admin', query: pageQuery, response: list(productView) },
  {
    method: 'post',
    path: '/vendor/products',
    summary: "Create a product of the key's vendor (the admin body; a vendor_id in it is refused with 400)",
    auth: 'admin',
    body: vendorCreateProductBodyFor({ ALLOW_SHORT_BILLING_INTERVALS: false }),
    response: productView,
    status: 201,
  },
  {
    method: 'patch',
    path: '/vendor/products/{id}',
    summary: "Change one of the vendor's products (another vendor's is 404; vendor_id is refused with 400)",
    auth: 'admin',
    body: vendorUpdateProductBody,
    response: productView,
  },
  {
    method: 'put',
    path: '/vendor/inventory/{variant_id}',
    summary: "Set the stock of one of the vendor's variants (another vendor's is 404)",
    auth: 'admin',
    body: setInventoryBody,
  },
  {
    method: 'get',
    path: '/vendor/payouts',
    summary: "The vendor key's payout lines, newest first",
    auth: 'admin',
    query: pageQuery,
    response: list(payoutView.omit({ cursor_at: true })),
  },
  {
    method: 'post',
    path: '/admin/payouts/statements',
    summary: "Group a vendor's unpaid payout lines up to `to` into a statement (409 when there are none)",
    auth: 'admin',
    body: createPayoutStatementBody,
    response: payoutStatementView,
    status: 201,
  },
  {
    method: 'post',
    path: '/admin/payouts/statements/{id}/pay',
    summary: 'Pay a statement and every line in it, once (409 when already paid)',
    auth: 'admin',
    body: payPayoutBody,
    response: payoutStatementView,
  },
];
