// SQL owned by carts and cart_items. Every item change places or releases holds in the same transaction.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { noRows, oneRow, sql } from '../sql.ts';
import { extendCartHolds, lockVariantStock, notEnoughStock, placeHold, releaseItemHolds } from './holds.ts';
import { makeId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { cartView, pricingFields, type CartView } from '../../contracts/views.ts';
import { priceContext, pricingContextColumns, pricingContextRow, pricingView } from './pricing.ts';
import { vendorNotSuspended } from './vendors.ts';

// The cart's own columns; its figures come from the pricing function.
const cartRow = cartView.omit(Object.fromEntries(Object.keys(pricingFields).map((k) => [k, true])) as { [K in keyof typeof pricingFields]: true });

const cartViewRow = cartRow.extend({ pricing_context: pricingContextRow });

/** Loads a cart of the tenant with its items and totals priced as the catalog prices them now, or NotFoundError. */
export async function getCart(db: CommonQueryMethods, tenantId: string, cartId: string): Promise<CartView> {
  // One prepared statement (planned once per connection) reads the view and what pricing needs: every cart change answers with it.
  const row = await db.maybeOne(sql.prepared('cart_view', cartViewRow)`
    SELECT c.id, c.status, c.currency, c.email, c.order_id,
      COALESCE(l.items, '[]') AS items,
      (SELECT min(h.expires_at) FROM holds h WHERE h.cart_id = c.id AND h.status = 'held') AS hold_expires_at, c.holds_end_at,
      (SELECT row_to_json(pc) FROM (SELECT ${pricingContextColumns} FROM tenants t WHERE t.id = c.tenant_id) pc) AS pricing_context
    FROM carts c
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('id', ci.id, 'variant_id', ci.variant_id, 'quantity', ci.quantity,
          'unit_price', CASE WHEN pr.amount IS NULL THEN NULL ELSE json_build_object('amount', pr.amount, 'currency', c.currency) END,
          'for_sale', pr.amount IS NOT NULL AND p.status = 'published' AND p.deleted_at IS NULL AND ${vendorNotSuspended},
          'held_quantity', COALESCE((SELECT sum(h.quantity) FROM holds h WHERE h.cart_item_id = ci.id AND h.status IN ('held', 'allocated')), 0))
        ORDER BY ci.created_at, ci.id) AS items
      FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
      LEFT JOIN prices pr ON pr.variant_id = ci.variant_id AND pr.currency = c.currency
      WHERE ci.cart_id = c.id
    ) l ON true
    WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}`);
  if (!row) throw new NotFoundError('cart', cartId);
  const { pricing_context: context, ...view } = row;
  return { ...view, ...pricingView(priceContext(context)) };
}

/** Creates an empty cart; with `customerId` it belongs to that customer. */
export async function createCart(
  pool: DatabasePool,
  tenantId: string,
  input: { currency: string; email?: string | null; customerId?: string | null },
): Promise<CartView> {
  const id = makeId('cart', randomUUID());
  await pool.query(sql.type(noRows)`
    INSERT INTO carts (id, tenant_id, currency, email, customer_id) VALUES (${id}, ${tenantId}, ${input.currency}, ${input.email ?? null}, ${input.customerId ?? null})`);
  return getCart(pool, tenantId, id);
}

/** A group-buy participation's cart: one unit of the campaign's variant at the campaign price (idempotent per cart id). */
export async function createCampaignCart(
  tx: CommonQueryMethods,
  c: { tenantId: string; cartId: string; itemId: string; groupBuyId: string; currency: string; email: string; variantId: string; unitPrice: number },
): Promise<void> {
  await tx.query(sql.type(noRows)`
    INSERT INTO carts (id, tenant_id, currency, email, group_buy_id) VALUES (${c.cartId}, ${c.tenantId}, ${c.currency}, ${c.email}, ${c.groupBuyId})
    ON CONFLICT (id) DO NOTHING`);
  await tx.query(sql.type(noRows)`
    INSERT INTO cart_items (id, tenant_id, cart_id, variant_id, quantity, unit_price) VALUES (${c.itemId}, ${c.tenantId}, ${c.cartId}, ${c.variantId}, 1, ${c.unitPrice})
    ON CONFLICT (id) DO NOTHING`);
}

const ownerRow = z.object({ customer_id: z.string().nullable() });

/** The customer a cart belongs to (null: a guest cart), or NotFoundError. */
export async function cartOwner(db: CommonQueryMethods, tenantId: string, cartId: string): Promise<string | null> {
  const row = await db.maybeOne(sql.type(ownerRow)`SELECT customer_id FROM carts WHERE tenant_id = ${tenantId} AND id = ${cartId}`);
  if (!row) throw new NotFoundError('cart', cartId);
  return row.customer_id;
}

/** A guest cart checked out with a customer token becomes the customer's (a cart already someone's stays theirs). */
export async function claimCart(db: CommonQueryMethods, tenantId: string, cartId: string, customerId: string): Promise<void> {
  await db.query(sql.type(noRows)`UPDATE carts SET customer_id = ${customerId} WHERE tenant_id = ${tenantId} AND id = ${cartId} AND customer_id IS NULL`);
}

/** What bounds a cart's holds: their TTL after the last change, the cart's hold lifetime, the units one line may hold. */
export type HoldRules = { ttlMs: number; maxLifetimeMs: number; maxLineQuantity: number };

const lockedCart = z.object({ id: z.string(), status: z.string(), currency: z.string(), holds_started: z.boolean(), holds_over: z.boolean() });

/** Locks an open cart for a change; converted carts are a conflict. `holds_over`: its hold lifetime has passed. */
async function lockOpenCart(tx: CommonQueryMethods, tenantId: string, cartId: string) {
  const cart = await tx.maybeOne(sql.type(lockedCart)`
    SELECT id, status, currency, holds_started_at IS NOT NULL AS holds_started, COALESCE(holds_end_at <= clock_timestamp(), false) AS holds_over
    FROM carts WHERE tenant_id = ${tenantId} AND id = ${cartId} FOR UPDATE`);
  if (!cart) throw new NotFoundError('cart', cartId);
  if (cart.status !== 'open') throw new ConflictError('this cart was already checked out');
  return cart;
}

const itemRow = z.object({ id: z.string(), variant_id: z.string(), quantity: z.number(), unit_price: z.number() });

/** Items of a cart, in a fixed order (holds are placed in this order). `unit_price` is the price last written to the line. */
export async function cartItems(tx: CommonQueryMethods, cartId: string) {
  return tx.any(sql.type(itemRow)`SELECT id, variant_id, quantity, unit_price FROM cart_items WHERE cart_id = ${cartId} ORDER BY variant_id`);
}

/** Writes the catalog's current price in the cart's currency onto each line that still has one (checkout charges these). */
export async function repriceCartItems(tx: CommonQueryMethods, cartId: string, currency: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE cart_items ci SET unit_price = pr.amount FROM prices pr
    WHERE ci.cart_id = ${cartId} AND pr.variant_id = ci.variant_id AND pr.currency = ${currency} AND ci.unit_price <> pr.amount`);
}

/**
 * A cart change: the cart after it, whether the cart now holds stock it did not hold before (then its
 * reservation-expiry workflow must be started; otherwise the running one already watches the cart), and whether the
 * changed line's variant is hot (then that workflow starts on the hot task queue).
 */
export type CartChange = { cart: CartView; holdsStarted: boolean; hot: boolean };

const addResult = z.object({
  outcome: z.enum(['ok', 'insufficient_stock', 'line_too_large']),
  line_quantity: z.number().optional(),
  had_live_holds: z.boolean(),
});

const cartForAddRow = z.object({
  status: z.string(),
  currency: z.string(),
  owner_ok: z.boolean(),
  holds_over: z.boolean(),
  variant_id: z.string().nullable(),
  product_status: z.string().nullable(),
  vendor_suspended: z.boolean(),
  price: z.number().nullable(),
  hot: z.boolean(),
  result: addResult.nullable(),
});

/**
 * Adds a variant (or more of it) to the cart of `customerId` (null: a guest; another customer's cart is not found),
 * holding the stock first; 409 when it is not available or the cart's hold lifetime is over, 400 when the line would hold
 * more than `maxLineQuantity` units in all.
 */
export async function addCartItem(
  pool: DatabasePool,
  tenantId: string,
  cartId: string,
  customerId: string | null,
  variantId: string,
  quantity: number,
  rules: HoldRules,
): Promise<CartChange> {
  if (quantity > rules.maxLineQuantity) throw lineTooLarge(rules.maxLineQuantity, variantId, 0, quantity);
  // One statement, one round trip, its own transaction: the hottest write of a sale. The cart is locked and checked first
  // (MATERIALIZED: the lock is taken before anything is written), then hold_cart_line (migration 1764880000000) writes,
  // only when every check passed.
  const row = await pool.maybeOne(sql.prepared('cart_add_item', cartForAddRow)`
    WITH c AS MATERIALIZED (
      SELECT c.status, c.currency, c.customer_id IS NULL OR COALESCE(c.customer_id = ${customerId}, false) AS owner_ok,
        COALESCE(c.holds_end_at <= clock_timestamp(), false) AS holds_over,
        v.id AS variant_id, p.status AS product_status, pr.amount AS price, NOT ${vendorNotSuspended} AS vendor_suspended,
        COALESCE(v.is_hot, false) AS hot
      FROM carts c
      LEFT JOIN variants v ON v.tenant_id = c.tenant_id AND v.id = ${variantId}
      LEFT JOIN products p ON p.id = v.product_id AND p.deleted_at IS NULL
      LEFT JOIN prices pr ON pr.variant_id = v.id AND pr.currency = c.currency
      WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}
      FOR UPDATE OF c
    )
    SELECT c.*, CASE
      WHEN c.owner_ok AND c.status = 'open' AND NOT c.holds_over AND c.variant_id IS NOT NULL AND c.product_status = 'published'
        AND NOT c.vendor_suspended AND c.price IS NOT NULL
      THEN hold_cart_line(${tenantId}, ${cartId}, ${variantId}, ${quantity}, c.price, ${makeId('item', randomUUID())},
        ${rules.ttlMs}, ${rules.maxLifetimeMs}, ${rules.maxLineQuantity})
    END AS result
    FROM c`);
  if (!row || !row.owner_ok) throw new NotFoundError('cart', cartId);
  if (row.status !== 'open') throw new ConflictError('this cart was already checked out');
  if (row.holds_over) throw holdsOver();
  if (!row.variant_id || row.product_status !== 'published' || row.vendor_suspended) throw new NotFoundError('variant', variantId);
  if (row.price === null || !row.result) throw new ValidationError(`variant ${variantId} has no price in ${row.currency}`);
  if (row.result.outcome === 'insufficient_stock') throw notEnoughStock(variantId, quantity);
  if (row.result.outcome === 'line_too_large') throw lineTooLarge(rules.maxLineQuantity, variantId, row.result.line_quantity ?? 0, quantity);
  return { cart: await getCart(pool, tenantId, cartId), holdsStarted: !row.result.had_live_holds, hot: row.hot };
}

/** Sets an item's quantity (0 removes it, also after the hold lifetime), re-holding stock for the new quantity. */
export async function setCartItemQuantity(
  pool: DatabasePool,
  tenantId: string,
  cartId: string,
  itemId: string,
  quantity: number,
  rules: HoldRules,
): Promise<CartChange> {
  const { holdsStarted, hot } = await pool.transaction(async (tx) => {
    const cart = await lockOpenCart(tx, tenantId, cartId);
    const hadLiveHolds = await hasLiveHolds(tx, cartId);
    const item = await tx.maybeOne(sql.type(itemRow.extend({ hot: z.boolean() }))`
      SELECT ci.id, ci.variant_id, ci.quantity, ci.unit_price, v.is_hot AS hot FROM cart_items ci JOIN variants v ON v.id = ci.variant_id
      WHERE ci.cart_id = ${cartId} AND ci.id = ${itemId}`);
    if (!item) throw new NotFoundError('cart item', itemId);
    if (quantity > 0 && cart.holds_over) throw holdsOver();
    if (quantity > rules.maxLineQuantity) throw lineTooLarge(rules.maxLineQuantity, item.variant_id, 0, quantity);
    // Only when holding again: a release alone locks its stock rows in the same order an add does.
    if (quantity > 0) await lockVariantStock(tx, tenantId, item.variant_id);
    await releaseItemHolds(tx, itemId);
    if (quantity === 0) {
      await tx.query(sql.type(noRows)`DELETE FROM cart_items WHERE id = ${itemId}`);
    } else {
      if (!cart.holds_started) {
        await tx.query(sql.type(noRows)`
          UPDATE carts SET holds_started_at = clock_timestamp(), holds_end_at = clock_timestamp() + ${rules.maxLifetimeMs} * interval '1 millisecond' WHERE id = ${cartId}`);
      }
      await tx.query(sql.type(noRows)`UPDATE cart_items SET quantity = ${quantity} WHERE id = ${itemId}`);
      await placeHold(tx, { tenantId, cartId, cartItemId: itemId, variantId: item.variant_id, quantity, ttlMs: rules.ttlMs });
    }
    await touchCart(tx, cartId, rules.ttlMs);
    return { holdsStarted: !hadLiveHolds && quantity > 0, hot: item.hot };
  });
  return { cart: await getCart(pool, tenantId, cartId), holdsStarted, hot };
}

/** The 409 of a cart whose hold lifetime (CART_HOLD_MAX_LIFETIME after its first hold) has passed. */
export function holdsOver(): ConflictError {
  return new ConflictError('this cart can no longer hold stock: its holds ended a fixed time after its first hold; start a new cart');
}

function lineTooLarge(max: number, variantId: string, inCart: number, adding: number): ValidationError {
  return new ValidationError(`a cart line holds at most ${max} units; the line of variant ${variantId} would hold ${inCart + adding}`, {
    max_line_quantity: max,
    variant_id: variantId,
    quantity_in_cart: inCart,
    quantity_requested: adding,
  });
}

// Expired-but-unreleased holds do not count: their workflow may be about to release them and end.
async function hasLiveHolds(tx: CommonQueryMethods, cartId: string): Promise<boolean> {
  return tx.exists(sql.type(oneRow)`
    SELECT 1 AS one FROM holds WHERE cart_id = ${cartId} AND status = 'held' AND expires_at > clock_timestamp()`);
}

async function touchCart(tx: CommonQueryMethods, cartId: string, ttlMs: number): Promise<void> {
  await extendCartHolds(tx, cartId, ttlMs, sql.fragment`UPDATE carts SET updated_at = now() WHERE id = ${cartId}`);
}

/** Whether the cart holds a line of a hot variant (its checkout then runs on the hot task queue). */
export async function cartHoldsHotVariant(db: CommonQueryMethods, cartId: string): Promise<boolean> {
  return db.exists(sql.type(oneRow)`
    SELECT 1 AS one FROM cart_items ci JOIN variants v ON v.id = ci.variant_id WHERE ci.cart_id = ${cartId} AND v.is_hot`);
}

/** Marks the cart converted into the order, inside the transaction that places the order. */
export async function markCartConverted(tx: CommonQueryMethods, cartId: string, orderId: string, email: string): Promise<void> {
  await tx.query(sql.type(noRows)`UPDATE carts SET status = 'converted', order_id = ${orderId}, email = ${email}, updated_at = now() WHERE id = ${cartId}`);
}

const shippingCartRow = z.object({ status: z.string(), shipping_region: z.string().nullable() });

/**
 * Locks an open cart for a shipping choice (NotFoundError, or 409 once converted) and records the region it ships to
 * when `region` is given; answers the region now in effect (null: none known yet).
 */
export async function setCartShippingRegion(tx: CommonQueryMethods, tenantId: string, cartId: string, region: string | undefined): Promise<string | null> {
  const cart = await tx.maybeOne(sql.type(shippingCartRow)`
    SELECT status, shipping_region FROM carts WHERE tenant_id = ${tenantId} AND id = ${cartId} FOR UPDATE`);
  if (!cart) throw new NotFoundError('cart', cartId);
  if (cart.status !== 'open') throw new ConflictError('this cart was already checked out');
  if (region === undefined || region === cart.shipping_region) return cart.shipping_region;
  await tx.query(sql.type(noRows)`UPDATE carts SET shipping_region = ${region}, updated_at = now() WHERE tenant_id = ${tenantId} AND id = ${cartId}`);
  return region;
}
