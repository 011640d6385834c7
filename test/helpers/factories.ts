// Test data builders (buildX(overrides)) and thin storefront/back-office clients over supertest.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import type { Agent as TestAgent } from 'supertest';
import { sql } from '../../db/sql.ts';
import { createTenant, type CreatedTenant } from '../../db/queries/tenants.ts';
import type { StaffRole } from '../../domain/roles.ts';
import { createApiKey, createVendorKey } from '../../db/queries/api-keys.ts';

/** A tenant with credentials, created straight in the database. */
export async function createTestTenant(pool: DatabasePool, overrides: { name?: string; mode?: 'single_brand' | 'mall' } = {}): Promise<CreatedTenant> {
  return createTenant(pool, { name: overrides.name ?? `Test shop ${randomUUID().slice(0, 6)}`, mode: overrides.mode ?? 'single_brand', currency: 'JPY' });
}

/** Body of POST /admin/products with one variant. */
export function buildProduct(
  overrides: {
    title?: string;
    sku?: string;
    price?: number;
    stock?: number;
    status?: string;
    category_ids?: string[];
    billing_interval?: string;
    tax_rate_bps?: number;
  } = {},
) {
  return {
    title: overrides.title ?? `Product ${randomUUID().slice(0, 6)}`,
    status: overrides.status ?? 'published',
    category_ids: overrides.category_ids,
    variants: [
      {
        sku: overrides.sku ?? `SKU-${randomUUID().slice(0, 8)}`,
        price: { amount: overrides.price ?? 1000, currency: 'JPY' },
        inventory: [{ on_hand: overrides.stock ?? 10 }],
        ...(overrides.tax_rate_bps ? { tax_rate_bps: overrides.tax_rate_bps } : {}),
        ...(overrides.billing_interval ? { subscription: { billing_interval: overrides.billing_interval } } : {}),
      },
    ],
  };
}

/** A Japanese shipping address. */
export function buildAddress(overrides: Record<string, string> = {}) {
  return {
    name: 'Hanako Yamada',
    line1: '1-2-3 Marunouchi',
    city: 'Chiyoda-ku',
    region: 'Tokyo',
    postal_code: '100-0005',
    country: 'JP',
    phone: '+81-3-0000-0000',
    ...overrides,
  };
}

/** Body of POST /store/carts/:id/checkout. */
export function buildCheckout(overrides: { email?: string; payment_method?: string; payment_token?: string } = {}) {
  return {
    email: overrides.email ?? `buyer-${randomUUID().slice(0, 8)}@example.jp`,
    payment_method: overrides.payment_method ?? 'bank_transfer',
    shipping_address: buildAddress(),
    ...(overrides.payment_token ? { payment_token: overrides.payment_token } : {}),
  };
}

/** Storefront calls with a tenant's publishable key. */
export function storefront(http: TestAgent, publishableKey: string) {
  const h = { 'X-Publishable-Key': publishableKey };
  return {
    products: (query = '') => http.get(`/store/products${query}`).set(h),
    product: (id: string) => http.get(`/store/products/${id}`).set(h),
    createCart: (body: object = {}) => http.post('/store/carts').set(h).send(body),
    cart: (id: string) => http.get(`/store/carts/${id}`).set(h),
    addItem: (cartId: string, variantId: string, quantity = 1) => http.post(`/store/carts/${cartId}/items`).set(h).send({ variant_id: variantId, quantity }),
    setQuantity: (cartId: string, itemId: string, quantity: number) => http.patch(`/store/carts/${cartId}/items/${itemId}`).set(h).send({ quantity }),
    removeItem: (cartId: string, itemId: string) => http.delete(`/store/carts/${cartId}/items/${itemId}`).set(h),
    checkout: (cartId: string, body: object = buildCheckout()) => http.post(`/store/carts/${cartId}/checkout`).set(h).send(body),
    order: (id: string, token: string) => http.get(`/store/orders/${id}`).set(h).set('X-Order-Token', token),
  };
}

/** Back-office calls with a tenant's admin API key. */
export function backOffice(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    createProduct: (body: object = buildProduct()) => http.post('/admin/products').set(h).send(body),
    updateProduct: (id: string, patch: object) => http.patch(`/admin/products/${id}`).set(h).send(patch),
    order: (id: string) => http.get(`/admin/orders/${id}`).set(h),
    orders: (query = '') => http.get(`/admin/orders${query}`).set(h),
    confirmPayment: (orderId: string, amount: number, reference = `ref-${randomUUID().slice(0, 8)}`, currency = 'JPY') =>
      http.post(`/admin/orders/${orderId}/payment-confirmations`).set(h).send({ amount: { amount, currency }, reference }),
    cancel: (orderId: string, reason = 'customer asked') => http.post(`/admin/orders/${orderId}/cancel`).set(h).send({ reason }),
    ship: (shipmentId: string) =>
      http
        .post(`/admin/shipments/${shipmentId}/ship`)
        .set(h)
        .send({ carrier: 'yamato', tracking_number: `TRK-${randomUUID().slice(0, 8)}` }),
    deliver: (shipmentId: string, codCollected?: { amount: number; currency: string }) =>
      http
        .post(`/admin/shipments/${shipmentId}/deliver`)
        .set(h)
        .send(codCollected ? { cod_collected: codCollected } : {}),
    setStock: (variantId: string, onHand: number) => http.put(`/admin/inventory/${variantId}`).set(h).send({ on_hand: onHand }),
    refund: (orderId: string, amount: number, idempotencyKey?: string, currency = 'JPY') => {
      const req = http.post(`/admin/orders/${orderId}/refunds`).set(h);
      return (idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req).send({ amount: { amount, currency } });
    },
    subscriptions: (query = '') => http.get(`/admin/subscriptions${query}`).set(h),
    subscription: (id: string) => http.get(`/admin/subscriptions/${id}`).set(h),
    retrySubscription: (id: string) => http.post(`/admin/subscriptions/${id}/retry`).set(h).send({}),
    cancelSubscription: (id: string, reason?: string) =>
      http
        .post(`/admin/subscriptions/${id}/cancel`)
        .set(h)
        .send(reason ? { reason } : {}),
    updateCard: (id: string, token: string) => http.put(`/admin/subscriptions/${id}/payment-method`).set(h).send({ payment_token: token }),
  };
}

/** A published product with `stock` units of its one variant; returns the ids. */
export async function seedProduct(
  http: TestAgent,
  apiKey: string,
  overrides: Parameters<typeof buildProduct>[0] = {},
): Promise<{ productId: string; variantId: string }> {
  const res = await backOffice(http, apiKey).createProduct(buildProduct(overrides));
  if (res.status !== 201) throw new Error(`product creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { productId: res.body.id, variantId: res.body.variants[0].id };
}

const stockRow = z.object({ on_hand: z.number(), reserved: z.number(), holds_total: z.number() });

/** Stock of a variant and the quantity its live holds and allocations add up to (they must equal `reserved`). */
export async function stockOf(pool: DatabasePool, variantId: string) {
  return pool.one(sql.type(stockRow)`
    SELECT sum(il.on_hand)::int8 AS on_hand, sum(il.reserved)::int8 AS reserved,
      COALESCE((SELECT sum(quantity) FROM holds h WHERE h.variant_id = ${variantId} AND h.status IN ('held', 'allocated')), 0)::int8 AS holds_total
    FROM inventory_levels il WHERE il.variant_id = ${variantId}`);
}

/** Buyer steps up to a placed order: a product with `stock`, a cart holding `quantity`, a checkout by `payment_method`. */
export async function placeTestOrder(
  http: TestAgent,
  tenant: CreatedTenant,
  opts: {
    price?: number;
    stock?: number;
    quantity?: number;
    payment_method?: string;
    payment_token?: string;
    email?: string;
    billing_interval?: string;
    /** Runs between the add and the checkout (e.g. to wait for the cart's hold watcher). */
    beforeCheckout?: (cartId: string) => Promise<unknown>;
  } = {},
) {
  const { productId, variantId } = await seedProduct(http, tenant.admin_api_key, {
    price: opts.price ?? 1000,
    stock: opts.stock ?? 5,
    billing_interval: opts.billing_interval,
  });
  const store = storefront(http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  const added = await store.addItem(cart.id, variantId, opts.quantity ?? 1);
  if (added.status !== 200) throw new Error(`add to cart failed: ${added.status} ${JSON.stringify(added.body)}`);
  await opts.beforeCheckout?.(cart.id);
  const checkout = await store.checkout(
    cart.id,
    buildCheckout({ payment_method: opts.payment_method ?? 'bank_transfer', payment_token: opts.payment_token, email: opts.email }),
  );
  if (checkout.status !== 201) throw new Error(`checkout failed: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  return {
    productId,
    variantId,
    cartId: cart.id,
    order: checkout.body.order as { id: string; status: string; total: { amount: number; currency: string }; access_token: string },
  };
}

/** A vendor of the tenant (inserted straight in the database) and an API key bound to it. */
export async function createTestVendorKey(
  pool: DatabasePool,
  tenantId: string,
  overrides: { name?: string; commission_rate_bps?: number } = {},
): Promise<{ vendorId: string; api_key: string }> {
  const vendorId = `ven_${randomUUID().replaceAll('-', '')}`;
  await pool.query(
    sql.type(
      z.object({}),
    )`INSERT INTO vendors (id, tenant_id, name, commission_rate_bps) VALUES (${vendorId}, ${tenantId}, ${overrides.name ?? `Vendor ${vendorId.slice(-6)}`}, ${overrides.commission_rate_bps ?? 1000})`,
  );
  const { api_key } = await createVendorKey(pool, tenantId, vendorId);
  return { vendorId, api_key };
}

/** How many orders a cart became (0 or 1). */
export async function orderCountOfCart(pool: DatabasePool, cartId: string): Promise<number> {
  return pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM orders WHERE cart_id = ${cartId}`);
}

/** Holds of a cart by status, e.g. `{ released: 2 }`. */
export async function holdsOfCart(pool: DatabasePool, cartId: string): Promise<Record<string, number>> {
  const rows = await pool.any(sql.type(z.object({ status: z.string(), quantity: z.number() }))`
    SELECT status, sum(quantity)::int8 AS quantity FROM holds WHERE cart_id = ${cartId} GROUP BY status ORDER BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.quantity]));
}

/** Outbox events of a type, optionally only those whose payload has `payloadKey` = `payloadValue`. */
export async function outboxEvents(pool: DatabasePool, type: string, payloadKey?: string, payloadValue?: string) {
  return pool.any(sql.type(z.object({ event_id: z.string(), tenant_id: z.string(), aggregate_id: z.string(), payload: z.record(z.string(), z.unknown()) }))`
    SELECT event_id, tenant_id, aggregate_id, payload FROM outbox
    WHERE type = ${type} ${payloadKey ? sql.fragment`AND payload ->> ${payloadKey} = ${payloadValue ?? null}` : sql.fragment``}
    ORDER BY seq`);
}

const ledgerEntry = z.object({
  operation: z.string(),
  outcome: z.string(),
  amount: z.number(),
  reference: z.string().nullable(),
  decline_code: z.string().nullable(),
  idempotency_key: z.string(),
});

/** The test card gateway's own ledger for an order's authorization and everything done on it, or for a subscription's renewals. */
export async function gatewayLedger(pool: DatabasePool, filter: { orderId?: string; subscriptionId?: string }) {
  return [
    ...(await pool.any(sql.type(ledgerEntry)`
    SELECT operation, outcome, amount, reference, decline_code, idempotency_key FROM test_gateway_ledger l
    WHERE (${filter.orderId ?? null}::text IS NOT NULL AND (l.reference = ${filter.orderId ?? null}
        OR l.parent_id IN (SELECT id FROM test_gateway_ledger WHERE operation = 'authorize' AND reference = ${filter.orderId ?? null})))
      OR (${filter.subscriptionId ?? null}::text IS NOT NULL AND l.reference LIKE ${`renewal:${filter.subscriptionId ?? ''}:%`})
    ORDER BY l.created_at, l.id`)),
  ];
}

/** The order a cart became (status and its payment), or null. */
export async function orderOfCart(pool: DatabasePool, cartId: string) {
  return pool.maybeOne(sql.type(z.object({ id: z.string(), status: z.string(), payment_status: z.string(), decline_code: z.string().nullable() }))`
    SELECT o.id, o.status, p.status AS payment_status, p.decline_code FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.cart_id = ${cartId}`);
}

/** A back-office key of the given role for the tenant (created by db/queries/api-keys.ts, as by the CLI). */
export async function createTestStaffKey(pool: DatabasePool, tenantId: string, role: StaffRole = 'staff'): Promise<string> {
  return (await createApiKey(pool, { tenantId, role, name: `test ${role} key`, actor: null })).api_key;
}
