// /openapi.json, generated from the same zod schemas the routes validate with.
import { z } from 'zod';
import * as s from './schemas.ts';
import { adminOrderView } from './openapi-repair.ts';
import { AREA_OPERATIONS } from './openapi-areas.ts';
import { list, type Op } from './openapi-operation.ts';
import { ROUTE_ROLES, routeKeyOfOpenApi } from './route-roles.ts';
import { auditLogQuery } from './schemas-audit.ts';
import { auditEntryView } from '../contracts/audit.ts';
import { apiKeyView, createdApiKeyView } from '../contracts/api-keys.ts';
import { createApiKeyBody } from './schemas-keys.ts';
import { cartView, payoutView, productView, storeSettingsView, subscriptionView, vendorShipmentView, vendorView } from '../contracts/views.ts';

const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const OPERATIONS: Op[] = [
  { method: 'get', path: '/store/products', summary: 'List published products', auth: 'store', query: s.productListQuery, response: list(productView) },
  { method: 'get', path: '/store/products/{id}', summary: 'Product detail with availability', auth: 'store', response: productView },
  { method: 'get', path: '/store/categories', summary: 'List categories', auth: 'store', query: s.pageQuery },
  { method: 'post', path: '/store/carts', summary: 'Create a cart', auth: 'store', body: s.createCartBody, response: cartView, status: 201 },
  { method: 'get', path: '/store/carts/{id}', summary: 'Get a cart', auth: 'store', response: cartView },
  { method: 'post', path: '/store/carts/{id}/items', summary: 'Add an item (holds stock)', auth: 'store', body: s.addItemBody, response: cartView },
  { method: 'patch', path: '/store/carts/{id}/items/{item_id}', summary: 'Change an item quantity', auth: 'store', body: s.updateItemBody, response: cartView },
  { method: 'delete', path: '/store/carts/{id}/items/{item_id}', summary: 'Remove an item (releases its hold)', auth: 'store', response: cartView },
  {
    method: 'post',
    path: '/store/carts/{id}/checkout',
    summary: 'Check out (Update-with-Start of the checkout workflow)',
    auth: 'store',
    body: s.checkoutBody,
    status: 201,
  },
  { method: 'get', path: '/store/orders/{id}', summary: "Order, downloads too (X-Order-Token, or the customer's token for their own orders)", auth: 'store' },
  ...AREA_OPERATIONS,
  { method: 'get', path: '/admin/products', summary: 'List products (all statuses)', auth: 'admin', query: s.pageQuery, response: list(productView) },
  { method: 'post', path: '/admin/products', summary: 'Create a product', auth: 'admin', body: s.createProductBody, response: productView, status: 201 },
  { method: 'get', path: '/admin/products/{id}', summary: 'Get a product', auth: 'admin', response: productView },
  { method: 'patch', path: '/admin/products/{id}', summary: 'Update a product', auth: 'admin', body: s.adminUpdateProductBody, response: productView },
  { method: 'delete', path: '/admin/products/{id}', summary: 'Delete a product', auth: 'admin', status: 204 },
  { method: 'get', path: '/admin/categories', summary: 'List categories', auth: 'admin', query: s.pageQuery },
  { method: 'post', path: '/admin/categories', summary: 'Create a category', auth: 'admin', body: s.createCategoryBody, status: 201 },
  { method: 'get', path: '/admin/locations', summary: 'Stock locations, the default first', auth: 'admin' },
  { method: 'post', path: '/admin/locations', summary: 'Create a stock location', auth: 'admin', body: s.createLocationBody, status: 201 },
  { method: 'get', path: '/admin/inventory/{variant_id}', summary: 'Stock of a variant per location', auth: 'admin' },
  { method: 'put', path: '/admin/inventory/{variant_id}', summary: 'Set on-hand stock', auth: 'admin', body: s.setInventoryBody },
  { method: 'get', path: '/admin/orders', summary: 'List orders', auth: 'admin', query: s.orderListQuery },
  { method: 'get', path: '/admin/orders/{id}', summary: 'Order with workflows and Temporal UI link', auth: 'admin', response: adminOrderView },
  {
    method: 'post',
    path: '/admin/orders/{id}/payment-confirmations',
    summary: 'Confirm a bank transfer (workflow Update)',
    auth: 'admin',
    body: s.paymentConfirmationBody,
  },
  { method: 'post', path: '/admin/orders/{id}/cancel', summary: 'Cancel an order before it ships', auth: 'admin', body: s.cancelBody },
  {
    method: 'post',
    path: '/admin/orders/{id}/refunds',
    summary: 'Refund captured card money, partly or fully (owner/admin; Idempotency-Key honoured)',
    auth: 'admin',
    body: s.refundBody,
  },
  {
    method: 'get',
    path: '/admin/audit-log',
    summary: 'Audit log, newest first: every admin and vendor write (owner and admin keys)',
    auth: 'admin',
    query: auditLogQuery,
    response: list(auditEntryView),
  },
  {
    method: 'get',
    path: '/admin/subscriptions',
    summary: 'List subscriptions, newest first',
    auth: 'admin',
    query: s.subscriptionListQuery,
    response: list(subscriptionView),
  },
  { method: 'get', path: '/admin/subscriptions/{id}', summary: 'A subscription with every renewal attempt', auth: 'admin', response: subscriptionView },
  { method: 'post', path: '/admin/subscriptions/{id}/retry', summary: 'Charge a past-due renewal now', auth: 'admin', response: subscriptionView },
  {
    method: 'post',
    path: '/admin/subscriptions/{id}/cancel',
    summary: 'Cancel a subscription (no charge follows)',
    auth: 'admin',
    body: s.cancelSubscriptionBody,
    response: subscriptionView,
  },
  {
    method: 'put',
    path: '/admin/subscriptions/{id}/payment-method',
    summary: 'Save a new card; charges at once when past due',
    auth: 'admin',
    body: s.paymentMethodBody,
    response: subscriptionView,
  },
  { method: 'post', path: '/admin/shipments/{id}/ship', summary: 'Mark a shipment shipped', auth: 'admin', body: s.shipBody },
  { method: 'post', path: '/admin/shipments/{id}/deliver', summary: 'Mark a shipment delivered (COD: cash collected)', auth: 'admin', body: s.deliverBody },
  {
    method: 'get',
    path: '/store/search',
    summary: 'Search published products: typo tolerant, filters, facets, sort (the index follows catalog events)',
    auth: 'store',
    query: s.searchQuery,
  },
  {
    method: 'post',
    path: '/admin/api-keys',
    summary: 'Create an API key for one person (owner/admin; only owners create admin keys); the secret is in this response only',
    auth: 'admin',
    body: createApiKeyBody,
    response: createdApiKeyView,
    status: 201,
  },
  {
    method: 'get',
    path: '/admin/api-keys',
    summary: "List the tenant's API keys, revoked ones too (never their secrets)",
    auth: 'admin',
    query: s.pageQuery,
    response: list(apiKeyView),
  },
  {
    method: 'delete',
    path: '/admin/api-keys/{id}',
    summary: 'Revoke an API key: within 1 s it answers 401 on every API process; 409 for the last owner key',
    auth: 'admin',
    status: 204,
  },
  {
    method: 'post',
    path: '/admin/webhooks',
    summary: 'Register a webhook; the signing secret is in this response only',
    auth: 'admin',
    body: s.createWebhookBody,
    status: 201,
  },
  { method: 'get', path: '/admin/webhooks', summary: 'List webhooks', auth: 'admin', query: s.pageQuery },
  { method: 'get', path: '/admin/webhooks/{id}', summary: 'Get a webhook', auth: 'admin' },
  {
    method: 'get',
    path: '/admin/webhooks/{id}/deliveries',
    summary: "A webhook's deliveries: attempts and outcome per event",
    auth: 'admin',
    query: s.pageQuery,
  },
  {
    method: 'get',
    path: '/admin/store',
    summary: 'Store settings: publishable key and the browser origins allowed to call /store',
    auth: 'admin',
    response: storeSettingsView,
  },
  {
    method: 'patch',
    path: '/admin/store',
    summary: 'Change store settings: allowed_origins replaces the CORS origins (owner/admin)',
    auth: 'admin',
    body: s.updateStoreBody,
    response: storeSettingsView,
  },
  { method: 'get', path: '/health/live', summary: 'Liveness', auth: 'none' },
  { method: 'get', path: '/health/ready', summary: 'Readiness: Postgres and Temporal reachable', auth: 'none' },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', auth: 'none' },
  {
    method: 'post',
    path: '/codec/decode',
    summary: 'Decrypt workflow payloads (Temporal remote codec; owner/admin key or staff session cookie)',
    auth: 'admin',
    body: s.codecBody,
    response: s.codecBody,
  },
  {
    method: 'post',
    path: '/codec/encode',
    summary: 'Encrypt workflow payloads (Temporal remote codec; owner/admin key or staff session cookie)',
    auth: 'admin',
    body: s.codecBody,
    response: s.codecBody,
  },
  {
    method: 'post',
    path: '/admin/session',
    summary: 'Staff session for the Temporal Web UI: sets the HttpOnly codec_session cookie (owner/admin key in the body)',
    auth: 'none',
    body: s.staffSessionBody,
  },
  { method: 'delete', path: '/admin/session', summary: 'End the staff session (clears the cookie)', auth: 'none', status: 204 },
  {
    method: 'post',
    path: '/admin/vendors',
    summary: 'Create a vendor (mall tenants only)',
    auth: 'admin',
    body: s.createVendorBody,
    response: vendorView,
    status: 201,
  },
  { method: 'get', path: '/admin/vendors', summary: 'List vendors', auth: 'admin', query: s.pageQuery, response: list(vendorView) },
  { method: 'get', path: '/admin/vendors/{id}', summary: 'Get a vendor', auth: 'admin', response: vendorView },
  {
    method: 'get',
    path: '/admin/vendors/{id}/payouts',
    summary: "A vendor's payout lines, newest first",
    auth: 'admin',
    query: s.pageQuery,
    response: list(payoutView.omit({ cursor_at: true })),
  },
  {
    method: 'post',
    path: '/admin/payouts/{id}/pay',
    summary: 'Record a manual payout (pending → paid)',
    auth: 'admin',
    body: s.payPayoutBody,
    response: payoutView.omit({ cursor_at: true }),
  },
  {
    method: 'get',
    path: '/vendor/shipments',
    summary: "The vendor key's shipments, newest first",
    auth: 'admin',
    query: s.pageQuery,
    response: list(vendorShipmentView.omit({ cursor_at: true })),
  },
  { method: 'post', path: '/vendor/shipments/{id}/ship', summary: "Ship one of the vendor's shipments", auth: 'admin', body: s.shipBody },
  {
    method: 'post',
    path: '/vendor/shipments/{id}/deliver',
    summary: "Deliver one of the vendor's shipments (COD: cash collected)",
    auth: 'admin',
    body: s.deliverBody,
  },
];

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });

/** Builds the OpenAPI 3.1 document. */
export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = op.query
      ? Object.keys(op.query.shape).map((name) => ({ name, in: 'query', required: false, schema: json(op.query!.shape[name] as z.ZodType, 'input') }))
      : [];
    paths[op.path] ??= {};
    // Every /admin and /vendor operation states its minimum role, read from the one table the middleware enforces.
    const routeKey = routeKeyOfOpenApi(op.method, op.path);
    paths[op.path][op.method] = {
      summary: op.summary,
      ...(routeKey ? { 'x-minimum-role': ROUTE_ROLES[routeKey] } : {}),
      security:
        op.auth === 'store'
          ? [{ publishableKey: [] }]
          : op.auth === 'customer'
            ? [{ publishableKey: [], customerToken: [] }]
            : op.auth === 'admin'
              ? [{ apiKey: [] }]
              : [],
      parameters: [...params, ...queryParams],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(op.body, 'input') } } } } : {}),
      ...(op.rawBody ? { requestBody: { required: true, content: { [op.rawBody]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'success',
          ...(op.response ? { content: { 'application/json': { schema: json(op.response, 'output') } } } : {}),
        },
        default: { description: 'problem', content: { 'application/problem+json': { schema: json(problem, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'temporal-commerce', version: '0.1.0', description: 'Headless commerce API whose business processes run as Temporal workflows.' },
    components: {
      securitySchemes: {
        publishableKey: { type: 'apiKey', in: 'header', name: 'X-Publishable-Key' },
        apiKey: { type: 'http', scheme: 'bearer' },
        customerToken: { type: 'http', scheme: 'bearer', description: 'customer session token of POST /store/customers or /store/auth/token' },
      },
    },
    paths,
  };
}
