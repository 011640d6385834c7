// SQL owned by orders and order_items.
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { idRow, noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { allocateCartHolds, heldQuantities, placeHold, releaseOrderAllocations } from './holds.ts';
import { cartItems, getCart, holdsOver, markCartConverted, repriceCartItems } from './carts.ts';
import { cancelPendingShipments } from './shipments.ts';
import { createPayment, voidOpenPayments } from './payments.ts';
import { ConflictError, NotFoundError, PriceChangedError } from '../../domain/errors.ts';
import { money, sameMoney, type Money } from '../../domain/money.ts';
import type { Address } from '../../contracts/workflows.ts';
import { orderView, type OrderView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';
import { redeemCartPromotions, releaseOrderRedemptions } from './promotions.ts';
import { cartPricing } from './pricing.ts';
import { vendorNotSuspended } from './vendors.ts';
import { customerKeyOf } from '../../domain/promotions.ts';
import { assertShippingChosen } from './shipping.ts';
import type { CampaignOrder } from '../../contracts/group-buys.ts';
import { revokeOrderDeliveries } from './digital-deliveries.ts';
import { cancellationRefusal, checkPlacement, initialOrderStatus, type OrderStatus, type PaymentMethod } from '../../domain/order.ts';

export { orderCustomerId, orderItemGroups, type OrderItemGroup } from './order-reads.ts'; // reads kept apart

const orderColumns = sql.fragment`
  o.id, o.status, o.cart_id, o.email, o.currency, o.payment_method, o.shipping_address, o.access_token, o.cancel_reason, o.created_at, o.updated_at,
  json_build_object('amount', o.subtotal, 'currency', o.currency) AS subtotal,
  json_build_object('amount', o.discount_total, 'currency', o.currency) AS discount_total,
  json_build_object('amount', o.shipping_total, 'currency', o.currency) AS shipping_total,
  json_build_object('amount', o.tax_total, 'currency', o.currency) AS tax_total,
  json_build_object('amount', o.cod_fee, 'currency', o.currency) AS cod_fee,
  json_build_object('amount', o.total, 'currency', o.currency) AS total, o.prices_include_tax,
  (SELECT COALESCE(json_agg(json_build_object('code', d->>'code', 'amount', json_build_object('amount', (d->>'amount')::int8, 'currency', o.currency))), '[]')
    FROM jsonb_array_elements(o.discounts) d) AS discounts,
  (SELECT sm->>'shipping_method_id' FROM jsonb_array_elements(o.shipping_methods) sm WHERE sm->>'group_key' = '' LIMIT 1) AS shipping_method_id,
  (SELECT COALESCE(json_agg(json_build_object('vendor_id', NULLIF(sm->>'group_key', ''), 'shipping_method_id', sm->>'shipping_method_id')), '[]')
    FROM jsonb_array_elements(o.shipping_methods) sm) AS shipping_methods,
  (SELECT COALESCE(json_agg(json_build_object('rate_bps', (t->>'rate_bps')::int, 'taxable_amount', json_build_object('amount', (t->>'taxable_amount')::int8, 'currency', o.currency),
      'tax', json_build_object('amount', (t->>'tax')::int8, 'currency', o.currency))), '[]')
    FROM jsonb_array_elements(o.tax_breakdown) t) AS tax_breakdown,
  COALESCE((SELECT json_agg(json_build_object('id', i.id, 'variant_id', i.variant_id, 'product_id', i.product_id, 'vendor_id', i.vendor_id, 'sku', i.sku, 'title', i.title,
      'quantity', i.quantity, 'unit_price', json_build_object('amount', i.unit_price, 'currency', o.currency),
      'discount', json_build_object('amount', i.discount, 'currency', o.currency), 'total', json_build_object('amount', i.total, 'currency', o.currency), 'tax_rate_bps', i.tax_rate_bps) ORDER BY i.sku, i.id)
    FROM order_items i WHERE i.order_id = o.id), '[]') AS items,
  COALESCE((SELECT json_agg(json_build_object('id', p.id, 'method', p.method, 'status', p.status, 'amount', json_build_object('amount', p.amount, 'currency', p.currency),
      'received', json_build_object('amount', p.received_amount, 'currency', p.currency),
      'refunded', json_build_object('amount', p.refunded_amount, 'currency', p.currency), 'decline_code', p.decline_code,
      'capture_error', CASE WHEN p.capture_failed_at IS NOT NULL THEN COALESCE(p.capture_error, 'refused') END, 'due_at', to_char(p.payment_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY p.created_at)
    FROM payments p WHERE p.order_id = o.id), '[]') AS payments,
  COALESCE((SELECT json_agg(json_build_object('id', s.id, 'vendor_id', s.vendor_id, 'status', s.status, 'carrier', s.carrier, 'tracking_number', s.tracking_number,
      'cod_amount', CASE WHEN s.cod_amount IS NULL THEN NULL ELSE json_build_object('amount', s.cod_amount, 'currency', o.currency) END,
      'shipped_at', to_char(s.shipped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'delivered_at', to_char(s.delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'followed_by', s.followed_by) ORDER BY s.group_key)
    FROM shipments s WHERE s.order_id = o.id), '[]') AS shipments`;

/** Loads an order of the tenant, or NotFoundError. */
export async function getOrder(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<OrderView> {
  const row = await db.maybeOne(sql.type(orderView)`SELECT ${orderColumns} FROM orders o WHERE o.tenant_id = ${tenantId} AND o.id = ${orderId}`);
  if (!row) throw new NotFoundError('order', orderId);
  return row;
}

/** The order a cart became, if any. */
export async function findOrderByCart(db: CommonQueryMethods, tenantId: string, cartId: string): Promise<OrderView | null> {
  return db.maybeOne(sql.type(orderView)`SELECT ${orderColumns} FROM orders o WHERE o.tenant_id = ${tenantId} AND o.cart_id = ${cartId}`);
}

const orderListRow = orderView.extend({ cursor_at: z.string() });
/** An order of a list, with its creation time to the microsecond for the page cursor. */
export type OrderListRow = z.infer<typeof orderListRow>;

/** Lists a tenant's orders, newest first; `limit + 1` rows so the caller knows whether there is a next page. */
export async function listOrders(
  db: CommonQueryMethods,
  tenantId: string,
  f: { status?: string; customerId?: string; q?: string; after?: { createdAt: string; id: string }; limit: number },
): Promise<OrderListRow[]> {
  return [
    ...(await db.any(sql.type(orderListRow)`
    SELECT ${orderColumns}, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at FROM orders o
    WHERE o.tenant_id = ${tenantId} ${f.status ? sql.fragment`AND o.status = ${f.status}` : sql.fragment``}
      ${f.customerId ? sql.fragment`AND o.customer_id = ${f.customerId}` : sql.fragment``}
      ${f.q ? sql.fragment`AND (o.id = ${f.q} OR lower(o.email) = lower(${f.q}))` : sql.fragment``}
      ${f.after ? sql.fragment`AND (o.created_at, o.id) < (${f.after.createdAt}::timestamptz, ${f.after.id})` : sql.fragment``}
    ORDER BY o.created_at DESC, o.id DESC LIMIT ${f.limit + 1}`)),
  ];
}

/** Input of placing an order from a cart (checkout step 2). */
export type PlaceOrderInput = {
  tenantId: string;
  cartId: string;
  orderId: string;
  email: string;
  shippingAddress: Address;
  paymentMethod: PaymentMethod;
  paymentDueInMs: number | null;
  holdTtlMs: number;
  accessToken: string;
  /** The total the storefront showed; when given and the cart now costs something else, nothing is placed. */
  expectedTotal?: Money | null;
};

// A cart line as checkPlacement reads it (the query names its columns after PlacementLine's fields).
const flag = z.boolean();
const placementRow = z.object({ variantId: z.string(), quantity: z.number(), unitPrice: z.number(), sold: flag, subscription: flag, digital: flag });

const cartStateRow = z.object({
  status: z.string(),
  currency: z.string(),
  order_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  holds_over: z.boolean(),
});

/**
 * In one transaction: prices the lines as the catalog prices them now (PriceChangedError when that is not the
 * `expectedTotal`), re-holds any line whose hold expired, creates the order, its lines and payment,
 * turns the holds into allocations and marks the cart converted. A second call returns the same order.
 */
export async function placeOrder(pool: DatabasePool, input: PlaceOrderInput): Promise<{ order: OrderView; created: boolean }> {
  return pool.transaction(async (tx) => {
    const cart = await tx.maybeOne(sql.type(cartStateRow)`
      SELECT status, currency, order_id, customer_id, COALESCE(holds_end_at <= clock_timestamp(), false) AS holds_over
      FROM carts WHERE tenant_id = ${input.tenantId} AND id = ${input.cartId} FOR UPDATE`);
    if (!cart) throw new NotFoundError('cart', input.cartId);
    if (cart.status === 'converted') {
      const existing = await findOrderByCart(tx, input.tenantId, input.cartId);
      if (!existing) throw new ConflictError('this cart was already checked out');
      return { order: existing, created: false };
    }
    // Past its hold lifetime a cart is not re-held: checking it out would let holds outlive the limit.
    if (cart.holds_over) throw holdsOver();
    await repriceCartItems(tx, input.cartId, cart.currency);
    const items = await cartItems(tx, input.cartId);
    const lines = await tx.any(sql.type(placementRow)`
      SELECT v.id AS "variantId", ci.quantity, ci.unit_price AS "unitPrice",
        (p.deleted_at IS NULL AND p.status = 'published' AND ${vendorNotSuspended} AND EXISTS (SELECT 1 FROM prices pr WHERE pr.variant_id = v.id AND pr.currency = ${cart.currency})) AS sold,
        v.subscription_interval IS NOT NULL AS subscription, p.type = 'digital' AS digital
      FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
      WHERE ci.cart_id = ${input.cartId} ORDER BY v.id`);
    const [problem] = checkPlacement([...lines], input.paymentMethod);
    if (problem) throw problem;
    const { priced, input: pricing, shipping, now } = await cartPricing(tx, input.tenantId, input.cartId, { paymentMethod: input.paymentMethod });
    await assertShippingChosen(tx, input.tenantId, input.cartId, { address: input.shippingAddress });
    const total = money(priced.total, cart.currency);
    if (input.expectedTotal && !sameMoney(input.expectedTotal, total)) {
      throw new PriceChangedError(
        `the cart now costs ${total.amount} ${total.currency}, not the expected ${input.expectedTotal.amount} ${input.expectedTotal.currency}; review the cart and check out again`,
        { cart: await getCart(tx, input.tenantId, input.cartId), total, expected_total: input.expectedTotal },
      );
    }
    const held = await heldQuantities(tx, input.cartId);
    for (const item of items) {
      const missing = item.quantity - (held.get(item.id) ?? 0);
      if (missing > 0)
        await placeHold(tx, {
          tenantId: input.tenantId,
          cartId: input.cartId,
          cartItemId: item.id,
          variantId: item.variant_id,
          quantity: missing,
          ttlMs: input.holdTtlMs,
        });
    }
    const status = initialOrderStatus(input.paymentMethod);
    const taxBreakdown = priced.taxBreakdown.map((t) => ({ rate_bps: t.rateBps, taxable_amount: t.taxableAmount, tax: t.tax }));
    // What each group's shipping cost the customer (after free_over and a free-shipping code), as placed.
    const shippingMethods = shipping.map((s) => ({
      group_key: s.group_key,
      shipping_method_id: s.shipping_method_id,
      name: s.name,
      amount: priced.groups.find((g) => g.vendorId === (s.group_key === '' ? null : s.group_key))?.shipping ?? 0,
    }));
    await tx.query(sql.type(noRows)`
      INSERT INTO orders (id, tenant_id, cart_id, status, currency, subtotal, discount_total, shipping_total, tax_total, cod_fee, total, prices_include_tax,
        tax_breakdown, discounts, shipping_methods, email, shipping_address, payment_method, access_token, customer_id)
      VALUES (${input.orderId}, ${input.tenantId}, ${input.cartId}, ${status}, ${cart.currency}, ${priced.subtotal}, ${priced.discountTotal}, ${priced.shippingTotal},
        ${priced.taxTotal}, ${priced.codFee}, ${priced.total}, ${pricing.pricesIncludeTax}, ${sql.jsonb(taxBreakdown)}, ${sql.jsonb(priced.discounts)},
        ${sql.jsonb(shippingMethods)}, ${input.email}, ${sql.jsonb(input.shippingAddress)}, ${input.paymentMethod}, ${input.accessToken},
        (SELECT customer_id FROM carts WHERE id = ${input.cartId}))`);
    const pricedLines = priced.lines.map((l) => ({ key: l.key, discount: l.discount, net: l.net }));
    await tx.query(sql.type(noRows)`
      INSERT INTO order_items (id, tenant_id, order_id, variant_id, product_id, vendor_id, sku, title, quantity, unit_price, discount, total, tax_rate_bps)
      SELECT 'oi_' || md5(${input.orderId} || ci.id), ${input.tenantId}, ${input.orderId}, v.id, p.id, p.vendor_id, v.sku,
        CASE WHEN v.title = '' THEN p.title ELSE p.title || ' / ' || v.title END, ci.quantity, ci.unit_price, x.discount, x.net, v.tax_rate_bps
      FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
      JOIN jsonb_to_recordset(${sql.jsonb(pricedLines)}) AS x(key text, discount bigint, net bigint) ON x.key = ci.id
      WHERE ci.cart_id = ${input.cartId}`);
    // Each code takes one use here, its rules checked again against these lines; a refused code rolls the placement back.
    // At the instant the cart was priced, counted per customer by the key apply counts by (the cart's owner, else the e-mail).
    const customerKey = customerKeyOf(cart.customer_id, input.email) ?? `email:${input.email}`;
    await redeemCartPromotions(tx, { tenantId: input.tenantId, cartId: input.cartId, orderId: input.orderId, customerKey, now, amounts: priced.discounts });
    await createPayment(tx, {
      tenantId: input.tenantId,
      orderId: input.orderId,
      method: input.paymentMethod,
      amount: priced.total,
      currency: cart.currency,
      dueInMs: input.paymentDueInMs,
    });
    await allocateCartHolds(tx, input.cartId, input.orderId);
    await markCartConverted(tx, input.cartId, input.orderId, input.email);
    const order = await getOrder(tx, input.tenantId, input.orderId);
    await appendOutbox(tx, {
      tenantId: input.tenantId,
      type: 'order.placed',
      aggregateId: input.orderId,
      eventId: `order-placed:${input.orderId}`,
      payload: { order_id: input.orderId, email: input.email, total: order.total, payment_method: input.paymentMethod },
    });
    return { order, created: true };
  });
}

const lockedOrderRow = z.object({ status: z.string(), payment_method: z.string(), currency: z.string(), total: z.number() });

/** Locks an order row for a state change. */
export async function lockOrder(
  tx: CommonQueryMethods,
  tenantId: string,
  orderId: string,
): Promise<{ status: OrderStatus; payment_method: PaymentMethod; currency: string; total: number }> {
  const row = await tx.maybeOne(sql.type(lockedOrderRow)`
    SELECT status, payment_method, currency, total FROM orders WHERE tenant_id = ${tenantId} AND id = ${orderId} FOR UPDATE`);
  if (!row) throw new NotFoundError('order', orderId);
  return row as { status: OrderStatus; payment_method: PaymentMethod; currency: string; total: number };
}

/** Sets an order's status inside the caller's transaction, with an `order.status_changed` event. */
export async function setOrderStatus(tx: CommonQueryMethods, tenantId: string, orderId: string, from: OrderStatus, to: OrderStatus): Promise<void> {
  if (from === to) return;
  await tx.query(sql.type(noRows)`UPDATE orders SET status = ${to}, updated_at = now() WHERE id = ${orderId}`);
  await appendOutbox(tx, {
    tenantId,
    type: 'order.status_changed',
    aggregateId: orderId,
    eventId: `order-status:${orderId}:${to}`,
    payload: { order_id: orderId, from, to },
  });
}

/**
 * Cancels an order that has not shipped: status cancelled, allocations released, pending shipments
 * cancelled, open payments voided. Already cancelled → no-op; shipped → ConflictError. Asked by a person (`actor`),
 * the cancellation's audit entry is written with it (a compensation, by nobody, writes none).
 */
export async function cancelOrder(
  pool: DatabasePool,
  tenantId: string,
  orderId: string,
  reason: string,
  actor: Actor | null = null,
): Promise<{ cancelled: boolean; releasedHolds: number }> {
  return pool.transaction(async (tx) => {
    const order = await lockOrder(tx, tenantId, orderId);
    if (order.status === 'cancelled') return { cancelled: false, releasedHolds: 0 };
    const refusal = cancellationRefusal(order.status);
    if (refusal) throw new ConflictError(refusal);
    await tx.query(sql.type(noRows)`UPDATE orders SET cancel_reason = ${reason} WHERE id = ${orderId}`);
    await setOrderStatus(tx, tenantId, orderId, order.status, 'cancelled');
    const releasedHolds = await releaseOrderAllocations(tx, orderId);
    await cancelPendingShipments(tx, orderId);
    await voidOpenPayments(tx, orderId);
    await revokeOrderDeliveries(tx, orderId, 'order cancelled');
    // A cancelled order gives its discount codes' uses back (compensation and the back office's cancel alike).
    await releaseOrderRedemptions(tx, tenantId, orderId);
    if (actor) {
      const changes = changedFields({ status: order.status, cancel_reason: null }, { status: 'cancelled', cancel_reason: reason });
      await recordAudit(tx, { tenantId, actor, action: 'order.cancel', resourceType: 'order', resourceId: orderId, changes });
    }
    return { cancelled: true, releasedHolds };
  });
}

/**
 * Inserts a group-buy participation's order `pending_shipment` (its card was authorized at the join) with its one line;
 * false when the cart already has its order (a retried placement).
 */
export async function insertCampaignOrder(tx: CommonQueryMethods, o: CampaignOrder): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.type(idRow)`
    INSERT INTO orders (id, tenant_id, cart_id, status, currency, subtotal, discount_total, shipping_total, tax_total, cod_fee, total, prices_include_tax,
      tax_breakdown, discounts, shipping_methods, email, shipping_address, payment_method, access_token)
    VALUES (${o.orderId}, ${o.tenantId}, ${o.cartId}, 'pending_shipment', ${o.currency}, ${o.total}, 0, 0, ${o.taxTotal}, 0, ${o.total}, true,
      ${sql.jsonb(o.taxBreakdown)}, '[]', '[]', ${o.email}, ${sql.jsonb(o.shippingAddress)}, 'card', ${o.accessToken})
    ON CONFLICT (cart_id) DO NOTHING RETURNING id`);
  if (!inserted) return false;
  await tx.query(sql.type(noRows)`
    INSERT INTO order_items (id, tenant_id, order_id, variant_id, product_id, vendor_id, sku, title, quantity, unit_price, discount, total, tax_rate_bps)
    SELECT 'oi_' || md5(${o.orderId} || ${o.itemId}), ${o.tenantId}, ${o.orderId}, v.id, p.id, p.vendor_id, v.sku,
      CASE WHEN v.title = '' THEN p.title ELSE p.title || ' / ' || v.title END, 1, ${o.total}, 0, ${o.total}, v.tax_rate_bps
    FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = ${o.variantId} AND v.tenant_id = ${o.tenantId}`);
  return true;
}
