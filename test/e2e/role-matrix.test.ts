// Every entry of the role table (api/route-roles.ts) called with a key of every role, against real fixtures of one mall tenant.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, createTestStaffKey, placeTestOrder, seedProduct } from '../helpers/factories.ts';
import { buildVendor, mallOffice, placeMallOrder, seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';
import { ROUTE_KEYS, ROUTE_ROLES, roleMayCall, type RouteKey } from '../../api/route-roles.ts';
import { KEY_ROLES, type KeyRole } from '../../domain/roles.ts';
import { hashSecret } from '../../domain/secrets.ts';

let stack: TestStack;
let mall: CreatedTenant;
const keys = {} as Record<KeyRole, string>;

/** One request of a case: the concrete path (`:params` filled) and its JSON body. */
type Req = { path: string; body?: object };

/**
 * How to call one table entry. `write`: the call changes something (the integrator asserts one audit entry per successful
 * write and none for refused ones). `success`: at or above the minimum the answer is 2xx (otherwise any answer but
 * 401/403/500, e.g. 409 for a retry of a subscription that is not past due). `build` makes the request for one role;
 * `allowed` tells whether that role passes, so a case consuming its fixture (shipping, cancelling) makes a fresh one per
 * allowed role and refused roles share one they cannot consume.
 */
type Case = { write: boolean; success: boolean; build: (role: KeyRole, allowed: boolean) => Promise<Req> };

/** Fixtures shared by every role; built once in beforeAll. */
type Shared = {
  productId: string;
  variantId: string;
  orderId: string;
  shipmentId: string;
  customerId: string;
  subscriptionId: string;
  cardOrderId: string;
  webhookId: string;
  vendorId: string;
  vendorVariantId: string;
  vendorShipmentId: string;
  payoutId: string;
  promotionId: string;
  shippingMethodId: string;
  importId: string;
  exportId: string;
};
let shared: Shared;

const owner = () => backOffice(stack.http, mall.admin_api_key);

/** A bank-transfer order of one new product, awaiting payment. */
async function unpaidOrder(variantId?: string) {
  const variant = variantId ?? (await seedProduct(stack.http, mall.admin_api_key, { price: 1000, stock: 5 })).variantId;
  return (await placeMallOrder(stack.http, mall, [{ variantId: variant, quantity: 1 }], 'bank_transfer')).order;
}

/** A paid order's pending shipment (of the vendor when `variantId` is the vendor's). */
async function pendingShipment(variantId?: string) {
  const order = await unpaidOrder(variantId);
  const confirmed = await owner().confirmPayment(order.id, order.total.amount);
  if (confirmed.status !== 200) throw new Error(`payment confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  const shipment = await waitFor(async () => (await owner().order(order.id)).body.shipments?.[0] as { id: string } | undefined, { what: 'the shipment' });
  return { orderId: order.id, shipmentId: shipment.id };
}

/** A shipped shipment (of the vendor when `variantId` is the vendor's). */
async function shippedShipment(variantId?: string) {
  const { orderId, shipmentId } = await pendingShipment(variantId);
  const shipped = await owner().ship(shipmentId);
  if (shipped.status !== 200) throw new Error(`ship failed: ${shipped.status} ${JSON.stringify(shipped.body)}`);
  return { orderId, shipmentId };
}

/** A pending payout line of the vendor: one of its orders paid, shipped and delivered. */
async function pendingPayout(variantId = vendorVariantId, ofVendor = vendorId): Promise<string> {
  const { orderId, shipmentId } = await shippedShipment(variantId);
  const delivered = await owner().deliver(shipmentId);
  if (delivered.status !== 200) throw new Error(`deliver failed: ${delivered.status} ${JSON.stringify(delivered.body)}`);
  const line = await waitFor(
    async () =>
      ((await mallOffice(stack.http, mall.admin_api_key).payouts(ofVendor)).body.items as { id: string; order_id: string; status: string }[]).find(
        (p) => p.order_id === orderId && p.status === 'pending',
      ),
    { what: 'the payout line' },
  );
  return line.id;
}

/** A new statement holding one new line, of a vendor of its own (cases run side by side; a statement takes every unpaid line). */
async function newStatement(): Promise<string> {
  await pendingPayout(paidStatementVariantId, paidStatementVendorId);
  const res = await mallOffice(stack.http, mall.admin_api_key).createStatement(paidStatementVendorId, new Date().toISOString());
  if (res.status !== 201) throw new Error(`statement creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** An active monthly subscription bought by card. */
async function activeSubscription(): Promise<string> {
  const { order } = await placeTestOrder(stack.http, mall, {
    price: 980,
    stock: 10,
    payment_method: 'card',
    payment_token: 'tok_visa',
    billing_interval: '1mo',
  });
  return waitFor(async () => ((await owner().subscriptions()).body.items as { id: string; order_id: string }[]).find((s) => s.order_id === order.id)?.id, {
    what: 'the subscription',
  });
}

/** A card order whose payment was captured (by shipping), so it can be refunded. */
async function capturedCardOrder(): Promise<string> {
  const { order } = await placeTestOrder(stack.http, mall, { price: 3000, stock: 5, payment_method: 'card', payment_token: 'tok_visa' });
  const shipment = await waitFor(async () => (await owner().order(order.id)).body.shipments?.[0] as { id: string } | undefined, { what: 'the shipment' });
  if ((await owner().ship(shipment.id)).status !== 200) throw new Error('ship failed');
  await waitFor(async () => (await owner().order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
  return order.id;
}

/** Body of POST /admin/imports: a one-row product CSV of its own handle and SKU. */
const buildImport = () => {
  const sku = `IMP-${unique()}`;
  return {
    kind: 'products',
    format: 'csv',
    content: `handle,title,status,sku,price,on_hand\nimported-${sku.toLowerCase()},Imported ${sku},draft,${sku},1200,3\n`,
  };
};

/** Body of POST /admin/shipping-methods: a method of the vendor no fixture order buys from. */
const buildShippingMethod = () => ({ name: `Yamato ${unique()}`, price: { amount: 800, currency: 'JPY' }, vendor_id: shippingVendorId });

/** A new active shipping method, for withdrawing. */
async function newShippingMethod(): Promise<string> {
  const res = await call('POST /admin/shipping-methods', 'owner', { path: '/admin/shipping-methods', body: buildShippingMethod() });
  if (res.status !== 201) throw new Error(`shipping method creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The id of a new staff key (inserted straight in the database), for revoking. */
async function staffKeyId(): Promise<string> {
  const secret = await createTestStaffKey(stack.pool, mall.tenant_id, 'staff');
  return stack.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM api_keys WHERE key_hash = ${hashSecret(secret)}`);
}

/** The product of a variant (read straight from the database). */
const productOf = (variantId: string) =>
  stack.pool.oneFirst(sql.type(z.object({ product_id: z.string() }))`SELECT product_id FROM variants WHERE id = ${variantId}`);

let vendorId: string;
let vendorVariantId: string;
let statementVendorId: string;
let statementVariantId: string;
let paidStatementVendorId: string;
let paidStatementVariantId: string;
// Shipping methods of the matrix belong to a vendor no fixture order buys from, so no checkout here must choose one.
let shippingVendorId: string;
const unique = () => randomUUID().slice(0, 8);
const get = (path: string) => async (): Promise<Req> => ({ path });

/** One case per table entry: the test below fails when an entry has none. */
const cases: Record<RouteKey, Case> = {
  'POST /admin/session': { write: false, success: true, build: async (role) => ({ path: '/admin/session', body: { api_key: keys[role] } }) },
  'DELETE /admin/session': { write: false, success: true, build: get('/admin/session') },

  'GET /admin/products': { write: false, success: true, build: get('/admin/products') },
  'POST /admin/products': { write: true, success: true, build: async () => ({ path: '/admin/products', body: buildProduct() }) },
  'GET /admin/products/:id': { write: false, success: true, build: async () => ({ path: `/admin/products/${shared.productId}` }) },
  'PATCH /admin/products/:id': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/products/${shared.productId}`, body: { title: `Renamed ${unique()}` } }),
  },
  'DELETE /admin/products/:id': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/admin/products/${allowed ? (await seedProduct(stack.http, mall.admin_api_key)).productId : shared.productId}`,
    }),
  },
  'GET /admin/categories': { write: false, success: true, build: get('/admin/categories') },
  'POST /admin/categories': { write: true, success: true, build: async () => ({ path: '/admin/categories', body: { name: `Category ${unique()}` } }) },
  'POST /admin/locations': {
    write: true,
    success: true,
    build: async () => ({ path: '/admin/locations', body: { name: 'Osaka', code: `osaka-${unique()}` } }),
  },
  'GET /admin/inventory/:variantId': { write: false, success: true, build: async () => ({ path: `/admin/inventory/${shared.variantId}` }) },
  'PUT /admin/inventory/:variantId': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/inventory/${shared.variantId}`, body: { on_hand: 40 } }),
  },

  'GET /admin/orders': { write: false, success: true, build: get('/admin/orders') },
  'GET /admin/orders/:id': { write: false, success: true, build: async () => ({ path: `/admin/orders/${shared.orderId}` }) },
  'POST /admin/orders/:id/payment-confirmations': {
    write: true,
    success: true,
    build: async (_role, allowed) => {
      const order = allowed ? await unpaidOrder() : { id: shared.orderId, total: { amount: 1000 } };
      return {
        path: `/admin/orders/${order.id}/payment-confirmations`,
        body: { amount: { amount: order.total.amount, currency: 'JPY' }, reference: `ref-${unique()}` },
      };
    },
  },
  'POST /admin/orders/:id/cancel': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/admin/orders/${allowed ? (await unpaidOrder()).id : shared.orderId}/cancel`,
      body: { reason: 'customer asked' },
    }),
  },
  // A live order: the resume is a no-op that still answers 200 with its audit entry.
  'POST /admin/orders/:id/resume': { write: true, success: true, build: async () => ({ path: `/admin/orders/${shared.orderId}/resume` }) },
  'POST /admin/orders/:id/refunds': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/orders/${shared.cardOrderId}/refunds`, body: { amount: { amount: 100, currency: 'JPY' } } }),
  },
  // A new resend per call (no Idempotency-Key), so every allowed role leaves its own notification.resend entry.
  'POST /admin/orders/:id/notifications/:template/resend': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/orders/${shared.orderId}/notifications/order_placed/resend`, body: {} }),
  },
  // Only a capture the gateway refused can be retried: a bank-transfer payment answers 409, which still proves the role passed.
  'POST /admin/orders/:id/payments/:payment_id/capture': {
    write: true,
    success: false,
    build: async () => ({
      path: `/admin/orders/${shared.orderId}/payments/${((await owner().order(shared.orderId)).body.payments as { id: string }[])[0].id}/capture`,
      body: {},
    }),
  },
  'POST /admin/shipments/:id/ship': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/admin/shipments/${allowed ? (await pendingShipment()).shipmentId : shared.shipmentId}/ship`,
      body: { carrier: 'yamato', tracking_number: `TRK-${unique()}` },
    }),
  },
  'POST /admin/shipments/:id/deliver': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({ path: `/admin/shipments/${allowed ? (await shippedShipment()).shipmentId : shared.shipmentId}/deliver`, body: {} }),
  },

  'GET /admin/customers': { write: false, success: true, build: get('/admin/customers') },
  'GET /admin/customers/:id': { write: false, success: true, build: async () => ({ path: `/admin/customers/${shared.customerId}` }) },

  'GET /admin/subscriptions': { write: false, success: true, build: get('/admin/subscriptions') },
  'GET /admin/subscriptions/:id': { write: false, success: true, build: async () => ({ path: `/admin/subscriptions/${shared.subscriptionId}` }) },
  // Only a past-due subscription can be retried: an active one answers 409, which still proves the role passed.
  'POST /admin/subscriptions/:id/retry': {
    write: true,
    success: false,
    build: async () => ({ path: `/admin/subscriptions/${shared.subscriptionId}/retry`, body: {} }),
  },
  'POST /admin/subscriptions/:id/cancel': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({ path: `/admin/subscriptions/${allowed ? await activeSubscription() : shared.subscriptionId}/cancel`, body: {} }),
  },
  'PUT /admin/subscriptions/:id/payment-method': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/subscriptions/${shared.subscriptionId}/payment-method`, body: { payment_token: 'tok_visa' } }),
  },

  'GET /admin/vendors': { write: false, success: true, build: get('/admin/vendors') },
  'POST /admin/vendors': { write: true, success: true, build: async () => ({ path: '/admin/vendors', body: buildVendor() }) },
  'GET /admin/vendors/:id': { write: false, success: true, build: async () => ({ path: `/admin/vendors/${shared.vendorId}` }) },
  'PATCH /admin/vendors/:id': {
    write: true,
    success: true,
    // The commission it already has: the vendor stays active and its fixtures usable by the other cases.
    build: async () => ({ path: `/admin/vendors/${shared.vendorId}`, body: { commission_rate_bps: 1000 } }),
  },
  'GET /admin/vendors/:id/payouts': { write: false, success: true, build: async () => ({ path: `/admin/vendors/${shared.vendorId}/payouts` }) },
  // Statements take every unpaid line of their vendor: a vendor of their own, so the shared payout line stays out of them.
  'POST /admin/payouts/statements': {
    write: true,
    success: true,
    build: async (_role, allowed) => {
      if (allowed) await pendingPayout(statementVariantId, statementVendorId);
      return { path: '/admin/payouts/statements', body: { vendor_id: statementVendorId, to: new Date().toISOString() } };
    },
  },
  'POST /admin/payouts/statements/:id/pay': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/admin/payouts/statements/${allowed ? await newStatement() : 'pst_none'}/pay`,
      body: { reference: `wire-${unique()}` },
    }),
  },
  'POST /admin/payouts/:id/pay': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/admin/payouts/${allowed ? await pendingPayout() : shared.payoutId}/pay`,
      body: { reference: `wire-${unique()}` },
    }),
  },

  'GET /admin/promotions': { write: false, success: true, build: get('/admin/promotions') },
  'POST /admin/promotions': {
    write: true,
    success: true,
    build: async () => ({ path: '/admin/promotions', body: { code: `SALE-${unique()}`, type: 'percentage', value: 10, usage_limit: 100 } }),
  },
  'GET /admin/promotions/:id': { write: false, success: true, build: async () => ({ path: `/admin/promotions/${shared.promotionId}` }) },
  'PATCH /admin/promotions/:id': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/promotions/${shared.promotionId}`, body: { active: false } }),
  },

  'GET /admin/webhooks': { write: false, success: true, build: get('/admin/webhooks') },
  'POST /admin/webhooks': {
    write: true,
    success: true,
    build: async () => ({ path: '/admin/webhooks', body: { url: 'http://127.0.0.1:9/hooks', events: ['product.updated'] } }),
  },
  'GET /admin/webhooks/:id': { write: false, success: true, build: async () => ({ path: `/admin/webhooks/${shared.webhookId}` }) },
  'GET /admin/webhooks/:id/deliveries': { write: false, success: true, build: async () => ({ path: `/admin/webhooks/${shared.webhookId}/deliveries` }) },
  // The matrix's webhook has no finished delivery: an unknown one answers 404 once the role passed.
  'POST /admin/webhooks/:id/deliveries/:delivery_id/redeliver': {
    write: true,
    success: false,
    build: async () => ({ path: `/admin/webhooks/${shared.webhookId}/deliveries/evt_none/redeliver`, body: {} }),
  },

  'GET /admin/shipping-methods': { write: false, success: true, build: get('/admin/shipping-methods') },
  'POST /admin/shipping-methods': { write: true, success: true, build: async () => ({ path: '/admin/shipping-methods', body: buildShippingMethod() }) },
  'GET /admin/shipping-methods/:id': { write: false, success: true, build: async () => ({ path: `/admin/shipping-methods/${shared.shippingMethodId}` }) },
  'PATCH /admin/shipping-methods/:id': {
    write: true,
    success: true,
    build: async () => ({ path: `/admin/shipping-methods/${shared.shippingMethodId}`, body: { name: `Yamato ${unique()}` } }),
  },
  'DELETE /admin/shipping-methods/:id': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({ path: `/admin/shipping-methods/${allowed ? await newShippingMethod() : shared.shippingMethodId}` }),
  },

  'GET /admin/store': { write: false, success: true, build: get('/admin/store') },
  'PATCH /admin/store': { write: true, success: true, build: async () => ({ path: '/admin/store', body: { allowed_origins: ['https://shop.example.jp'] } }) },

  'GET /admin/api-keys': { write: false, success: true, build: get('/admin/api-keys') },
  'POST /admin/api-keys': { write: true, success: true, build: async () => ({ path: '/admin/api-keys', body: { name: `Clerk ${unique()}`, role: 'viewer' } }) },
  'DELETE /admin/api-keys/:id': { write: true, success: true, build: async () => ({ path: `/admin/api-keys/${await staffKeyId()}` }) },
  'GET /admin/audit-log': { write: false, success: true, build: get('/admin/audit-log') },

  // The upload is the write (its audit entry); the workflow's completion entry carries no request id.
  'POST /admin/imports': { write: true, success: true, build: async () => ({ path: '/admin/imports', body: buildImport() }) },
  'GET /admin/imports/:id': { write: false, success: true, build: async () => ({ path: `/admin/imports/${shared.importId}` }) },
  'POST /admin/exports': { write: true, success: true, build: async () => ({ path: '/admin/exports', body: { kind: 'products' } }) },
  'GET /admin/exports/:id': { write: false, success: true, build: async () => ({ path: `/admin/exports/${shared.exportId}` }) },
  'GET /admin/exports/:id/download': { write: false, success: true, build: async () => ({ path: `/admin/exports/${shared.exportId}/download` }) },

  'GET /vendor/shipments': { write: false, success: true, build: get('/vendor/shipments') },
  'POST /vendor/shipments/:id/ship': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/vendor/shipments/${allowed ? (await pendingShipment(vendorVariantId)).shipmentId : shared.vendorShipmentId}/ship`,
      body: { carrier: 'sagawa', tracking_number: `TRK-${unique()}` },
    }),
  },
  'GET /vendor/products': { write: false, success: true, build: get('/vendor/products') },
  'POST /vendor/products': { write: true, success: true, build: async () => ({ path: '/vendor/products', body: buildProduct() }) },
  'PATCH /vendor/products/:id': {
    write: true,
    success: true,
    build: async () => ({ path: `/vendor/products/${await productOf(shared.vendorVariantId)}`, body: { title: `Renamed ${unique()}` } }),
  },
  'PUT /vendor/inventory/:variantId': {
    write: true,
    success: true,
    build: async () => ({ path: `/vendor/inventory/${shared.vendorVariantId}`, body: { on_hand: 200 } }),
  },
  'GET /vendor/payouts': { write: false, success: true, build: get('/vendor/payouts') },
  'POST /vendor/shipments/:id/deliver': {
    write: true,
    success: true,
    build: async (_role, allowed) => ({
      path: `/vendor/shipments/${allowed ? (await shippedShipment(vendorVariantId)).shipmentId : shared.vendorShipmentId}/deliver`,
      body: {},
    }),
  },
};

/** What a role gets from a route beyond the table: POST /admin/session itself admits owner and admin keys only (CODEC_ROLES). */
const ownCheckRefuses = (key: RouteKey, role: KeyRole) => key === 'POST /admin/session' && role !== 'owner' && role !== 'admin';

/** Calls `req` as `role` (the method comes from the table key), under `requestId` (audit entries carry it). */
function call(key: RouteKey, role: KeyRole, req: Req, requestId: string = randomUUID()) {
  const method = key.split(' ')[0].toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const test = stack.http[method](req.path).set('Authorization', `Bearer ${keys[role]}`).set('X-Request-Id', requestId);
  return req.body ? test.send(req.body) : test;
}

/** Audit entries written under one request id. */
const auditEntriesOf = (requestId: string) =>
  stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM audit_log WHERE request_id = ${requestId}`);

beforeAll(async () => {
  ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall', config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } }));
  keys.owner = mall.admin_api_key;
  for (const role of ['viewer', 'staff', 'admin'] as const) keys[role] = await createTestStaffKey(stack.pool, mall.tenant_id, role);
  vendorId = await seedVendor(stack.http, mall.admin_api_key);
  vendorVariantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendorId, { price: 1000, stock: 100 });
  keys.vendor = (await createVendorKey(stack.pool, mall.tenant_id, vendorId)).api_key;
  statementVendorId = await seedVendor(stack.http, mall.admin_api_key);
  statementVariantId = await seedVendorProduct(stack.http, mall.admin_api_key, statementVendorId, { price: 1000, stock: 100 });
  paidStatementVendorId = await seedVendor(stack.http, mall.admin_api_key);
  paidStatementVariantId = await seedVendorProduct(stack.http, mall.admin_api_key, paidStatementVendorId, { price: 1000, stock: 100 });
  shippingVendorId = await seedVendor(stack.http, mall.admin_api_key);
  const product = await seedProduct(stack.http, mall.admin_api_key, { stock: 50 });
  const customer = await stack.http
    .post('/store/customers')
    .set('X-Publishable-Key', mall.publishable_key)
    .send({ email: `c-${unique()}@example.jp`, password: 'correct horse battery', name: 'Hanako' });
  const webhook = await call('POST /admin/webhooks', 'owner', await cases['POST /admin/webhooks'].build('owner', true));
  const promotion = await call('POST /admin/promotions', 'owner', await cases['POST /admin/promotions'].build('owner', true));
  const [order, shipment, subscriptionId, cardOrderId, vendorShipment, payoutId] = await Promise.all([
    unpaidOrder(),
    pendingShipment(),
    activeSubscription(),
    capturedCardOrder(),
    pendingShipment(vendorVariantId),
    pendingPayout(),
  ]);
  shared = {
    productId: product.productId,
    variantId: product.variantId,
    orderId: order.id,
    shipmentId: shipment.shipmentId,
    customerId: customer.body.customer.id,
    subscriptionId,
    cardOrderId,
    webhookId: webhook.body.id,
    vendorId,
    vendorVariantId,
    vendorShipmentId: vendorShipment.shipmentId,
    payoutId,
    promotionId: promotion.body.id,
    shippingMethodId: await newShippingMethod(),
    importId: (await call('POST /admin/imports', 'owner', { path: '/admin/imports', body: buildImport() })).body.id,
    exportId: (await call('POST /admin/exports', 'owner', { path: '/admin/exports', body: { kind: 'orders' } })).body.id,
  };
}, 120_000);
afterAll(async () => stack?.stop());

describe('the role matrix', () => {
  test('when an entry is added to the role table, then this matrix has a case for it', () => {
    expect(Object.keys(cases).sort()).toEqual([...ROUTE_KEYS].sort());
  });

  test('when every entry is called with every role, then below its minimum is 403 forbidden and at or above passes', async () => {
    type Outcome = { key: RouteKey; role: KeyRole; allowed: boolean; status: number; code?: string; type?: string; audited: number };
    const outcomes: Outcome[] = [];
    // A few entries at a time: fixtures go through real checkouts and workflows on a small machine.
    const queue = [...ROUTE_KEYS];
    const runNext = async (): Promise<void> => {
      const key = queue.shift();
      if (!key) return;
      {
        // Refused roles first, so a success never consumes a fixture a refused call would need.
        const roles = [...KEY_ROLES].sort((a, b) => Number(roleMayCall(a, ROUTE_ROLES[key])) - Number(roleMayCall(b, ROUTE_ROLES[key])));
        for (const role of roles) {
          const allowed = roleMayCall(role, ROUTE_ROLES[key]);
          const requestId = randomUUID();
          const res = await call(key, role, await cases[key].build(role, allowed), requestId);
          outcomes.push({ key, role, allowed, status: res.status, code: res.body?.code, type: res.type, audited: await auditEntriesOf(requestId) });
        }
      }
      return runNext();
    };
    await Promise.all([runNext(), runNext(), runNext(), runNext()]);
    expect(outcomes).toHaveLength(ROUTE_KEYS.length * KEY_ROLES.length);
    const wrong = outcomes.filter((o) => {
      if (ownCheckRefuses(o.key, o.role)) return o.status !== 403;
      if (!o.allowed) return o.status !== 403 || o.code !== 'forbidden' || o.type !== 'application/problem+json';
      if ([401, 403, 500].includes(o.status)) return true;
      return cases[o.key].success && (o.status < 200 || o.status > 299);
    });
    expect(wrong.map((o) => `${o.key} as ${o.role}${o.allowed ? '' : ' (refused)'}: ${o.status} ${o.code ?? ''}`)).toEqual([]);
    // Exactly one audit entry for each successful write, none for a refused or failed one, none for a read.
    const misaudited = outcomes.filter((o) => o.audited !== (cases[o.key].write && o.status >= 200 && o.status <= 299 ? 1 : 0));
    expect(misaudited.map((o) => `${o.key} as ${o.role}: ${o.status}, ${o.audited} audit entries`)).toEqual([]);
    // The matrix really exercised successful writes of every write entry (else the audit check above would prove little).
    const writesThatSucceeded = new Set(outcomes.filter((o) => cases[o.key].write && o.audited === 1).map((o) => o.key));
    const writeKeys = ROUTE_KEYS.filter((k) => cases[k].write && cases[k].success);
    expect(writeKeys.filter((k) => !writesThatSucceeded.has(k))).toEqual([]);
  }, 240_000);

  test("when a staff key pays a payout or changes a subscription's card, then it is refused with 403 and an admin key may", async () => {
    const payoutId = await pendingPayout();
    const payAs = (role: KeyRole) =>
      call('POST /admin/payouts/:id/pay', role, { path: `/admin/payouts/${payoutId}/pay`, body: { reference: `wire-${unique()}` } });
    const refusedPay = await payAs('staff');
    expect([refusedPay.status, refusedPay.body.code]).toEqual([403, 'forbidden']);
    expect(refusedPay.body.detail).toBe('a staff key may not POST /admin/payouts/:id/pay; needs a key of role admin or above');
    const lines = (await mallOffice(stack.http, mall.admin_api_key).payouts(vendorId)).body.items as { id: string; status: string }[];
    expect(lines.find((l) => l.id === payoutId)?.status).toBe('pending');
    const paid = await payAs('admin');
    expect([paid.status, paid.body.status]).toEqual([200, 'paid']);

    const cardAs = (role: KeyRole) =>
      call('PUT /admin/subscriptions/:id/payment-method', role, {
        path: `/admin/subscriptions/${shared.subscriptionId}/payment-method`,
        body: { payment_token: 'tok_visa' },
      });
    const refusedCard = await cardAs('staff');
    expect([refusedCard.status, refusedCard.body.code]).toEqual([403, 'forbidden']);
    expect((await cardAs('admin')).status).toBe(200);
  });

  test('when a key is missing or unknown, then it is 401 before any role check; a path in no entry is 404 once authenticated', async () => {
    const noKey = await stack.http.post(`/admin/payouts/${shared.payoutId}/pay`).send({ reference: 'x' });
    expect([noKey.status, noKey.body.code]).toEqual([401, 'unauthenticated']);
    const unknown = await stack.http.get('/vendor/shipments').set('Authorization', 'Bearer sk_unknown');
    expect([unknown.status, unknown.body.code]).toEqual([401, 'unauthenticated']);
    expect((await stack.http.get('/admin/no-such-thing')).status).toBe(401);
    for (const role of KEY_ROLES) {
      const res = await stack.http.get('/admin/no-such-thing').set('Authorization', `Bearer ${keys[role]}`);
      expect({ role, status: res.status, code: res.body.code }).toEqual({ role, status: 404, code: 'not_found' });
    }
    // HEAD follows GET: a vendor key may not read the back office, a viewer may.
    expect((await stack.http.head('/admin/products').set('Authorization', `Bearer ${keys.vendor}`)).status).toBe(403);
    expect((await stack.http.head('/admin/products').set('Authorization', `Bearer ${keys.viewer}`)).status).toBe(200);
  });
});
