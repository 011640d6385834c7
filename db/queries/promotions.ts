// SQL owned by promotions, cart_discounts and promotion_redemptions: the only module that writes them.
// A use of a code is taken by one conditional UPDATE (like a stock hold) and given back when its order is cancelled.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { countRow, idRow, noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { changedFields } from '../../domain/audit.ts';
import { MAX_CODES_PER_CART, promotionRefusal, type PromotionType } from '../../domain/promotions.ts';
import { promotionView, type PromotionView } from '../../contracts/promotions.ts';
import type { Actor } from '../../contracts/audit.ts';
import { recordAudit } from './audit-log.ts';
import { discountInvalid, liveRedemptionsOf, refusalNow, rulesColumns, rulesRow, type CustomerRef } from './promotion-rules.ts';

/** A new promotion, already normalized by the API: `value` is a whole percent or minor units of `currency`, times ISO strings. */
export type NewPromotion = {
  code: string;
  type: PromotionType;
  value: number;
  currency: string;
  min_subtotal: number | null;
  starts_at: string | null;
  ends_at: string | null;
  usage_limit: number | null;
  usage_limit_per_customer: number | null;
  vendor_id: string | null;
};

const viewColumns = sql.fragment`
  p.id, p.code, p.type,
  CASE p.type WHEN 'percentage' THEN to_jsonb(p.value) WHEN 'fixed' THEN jsonb_build_object('amount', p.value, 'currency', p.currency) END AS value,
  p.currency,
  CASE WHEN p.min_subtotal IS NULL THEN NULL ELSE json_build_object('amount', p.min_subtotal, 'currency', p.currency) END AS min_subtotal,
  p.starts_at, p.ends_at, p.usage_limit, p.usage_limit_per_customer, p.vendor_id, p.active, p.times_used, p.created_at, p.updated_at`;

const listRow = promotionView.extend({ cursor_at: z.string() });

/** Creates a promotion with its audit entry; a code the tenant already has (in any case) is a 409. */
export async function createPromotion(db: CommonQueryMethods, tenantId: string, input: NewPromotion, actor: Actor | null): Promise<PromotionView> {
  return db.transaction(async (tx) => {
    if (input.vendor_id !== null) await assertMallVendor(tx, tenantId, input.vendor_id);
    const id = await tx.maybeOneFirst(sql.type(idRow)`
      INSERT INTO promotions (id, tenant_id, code, type, value, currency, min_subtotal, starts_at, ends_at, usage_limit, usage_limit_per_customer, vendor_id)
      VALUES (${makeId('prm', randomUUID())}, ${tenantId}, ${input.code}, ${input.type}, ${input.value}, ${input.currency}, ${input.min_subtotal},
        ${input.starts_at}, ${input.ends_at}, ${input.usage_limit}, ${input.usage_limit_per_customer}, ${input.vendor_id})
      ON CONFLICT DO NOTHING RETURNING id`);
    if (!id) throw new ConflictError(`a promotion with code ${input.code} already exists (codes are case-insensitive)`);
    const created = await getPromotion(tx, tenantId, id);
    const { id: _id, created_at: _c, updated_at: _u, ...fields } = created;
    await recordAudit(tx, { tenantId, actor, action: 'promotion.create', resourceType: 'promotion', resourceId: id, changes: changedFields(null, fields) });
    return created;
  });
}

// Only a mall tenant's own vendors scope promotions.
async function assertMallVendor(tx: CommonQueryMethods, tenantId: string, vendorId: string): Promise<void> {
  const found = await tx.maybeOneFirst(sql.type(idRow)`
    SELECT v.id FROM vendors v JOIN tenants t ON t.id = v.tenant_id WHERE t.id = ${tenantId} AND t.mode = 'mall' AND v.id = ${vendorId}`);
  if (!found) throw new ValidationError('vendor_id must be a vendor of this store (vendor-scoped promotions exist in mall mode only)', { field: 'vendor_id' });
}

/** A promotion of the tenant, or NotFoundError. */
export async function getPromotion(db: CommonQueryMethods, tenantId: string, id: string): Promise<PromotionView> {
  const row = await db.maybeOne(sql.type(promotionView)`SELECT ${viewColumns} FROM promotions p WHERE p.tenant_id = ${tenantId} AND p.id = ${id}`);
  if (!row) throw new NotFoundError('promotion', id);
  return row;
}

/** A tenant's promotions, newest first, `limit + 1` rows (the extra one says there is a next page). */
export async function listPromotions(
  db: CommonQueryMethods,
  tenantId: string,
  page: { after?: { createdAt: string; id: string }; limit: number },
): Promise<(PromotionView & { cursor_at: string })[]> {
  return [
    ...(await db.any(sql.type(listRow)`
    SELECT ${viewColumns}, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM promotions p WHERE p.tenant_id = ${tenantId}
      ${page.after ? sql.fragment`AND (p.created_at, p.id) < (${page.after.createdAt}::timestamptz, ${page.after.id})` : sql.fragment``}
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${page.limit + 1}`)),
  ];
}

const windowRow = z.object({ starts_at: z.string().nullable(), ends_at: z.string().nullable() });

/** Switches a promotion on or off and moves its end; one audit entry with what changed. */
export async function updatePromotion(
  db: CommonQueryMethods,
  tenantId: string,
  id: string,
  patch: { active?: boolean; ends_at?: string | null },
  actor: Actor | null,
): Promise<PromotionView> {
  return db.transaction(async (tx) => {
    const window = await tx.maybeOne(sql.type(windowRow)`SELECT starts_at, ends_at FROM promotions WHERE tenant_id = ${tenantId} AND id = ${id} FOR UPDATE`);
    if (!window) throw new NotFoundError('promotion', id);
    if (patch.ends_at && window.starts_at && Date.parse(patch.ends_at) <= Date.parse(window.starts_at)) {
      throw new ValidationError('ends_at must be after starts_at', { field: 'ends_at' });
    }
    const before = await getPromotion(tx, tenantId, id);
    await tx.query(sql.type(noRows)`
      UPDATE promotions SET updated_at = now(),
        active = COALESCE(${patch.active ?? null}::boolean, active),
        ends_at = ${patch.ends_at === undefined ? sql.fragment`ends_at` : sql.fragment`${patch.ends_at}::timestamptz`}
      WHERE tenant_id = ${tenantId} AND id = ${id}`);
    const after = await getPromotion(tx, tenantId, id);
    const pick = (p: PromotionView) => ({ active: p.active, ends_at: p.ends_at });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: 'promotion.update',
      resourceType: 'promotion',
      resourceId: id,
      changes: changedFields(pick(before), pick(after)),
    });
    return after;
  });
}

const cartCodeRow = z.object({ status: z.string(), currency: z.string(), promotion_id: z.string().nullable(), applied: z.boolean(), codes: z.number() });
const scopeRow = rulesRow.extend({ subtotalInScope: z.number(), vendorIds: z.array(z.string().nullable()) });

/**
 * Applies a code to an open cart (locked meanwhile): 422 `discount_invalid` with the reason it cannot apply; a code the
 * cart already carries is left as it is (a retried request answers the same cart). `customer` (customerKeyOf's key and
 * the e-mail) counts the per-customer limit; without one that check waits for checkout.
 */
export async function applyCartDiscount(pool: DatabasePool, tenantId: string, cartId: string, code: string, customer: CustomerRef | null): Promise<void> {
  await pool.transaction(async (tx) => {
    const cart = await tx.maybeOne(sql.type(cartCodeRow)`
      SELECT c.status, c.currency, p.id AS promotion_id,
        EXISTS (SELECT 1 FROM cart_discounts d WHERE d.tenant_id = c.tenant_id AND d.cart_id = c.id AND d.promotion_id = p.id) AS applied,
        (SELECT count(*) FROM cart_discounts d WHERE d.tenant_id = c.tenant_id AND d.cart_id = c.id)::int8 AS codes
      FROM carts c LEFT JOIN promotions p ON p.tenant_id = c.tenant_id AND upper(p.code) = upper(${code})
      WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}
      FOR UPDATE OF c`);
    if (!cart) throw new NotFoundError('cart', cartId);
    if (cart.status !== 'open') throw new ConflictError('this cart was already checked out');
    if (!cart.promotion_id) throw discountInvalid('unknown', code);
    if (cart.applied) return;
    // The cart's lines at current prices (what the cart shows), only the promotion's vendor's when it is vendor-scoped.
    const p = await tx.one(sql.type(scopeRow)`
      SELECT ${rulesColumns},
        (SELECT COALESCE(sum(ci.quantity * pr.amount), 0) FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products pd ON pd.id = v.product_id
          JOIN prices pr ON pr.variant_id = ci.variant_id AND pr.currency = ${cart.currency}
          WHERE ci.cart_id = ${cartId} AND (p.vendor_id IS NULL OR pd.vendor_id = p.vendor_id))::int8 AS "subtotalInScope",
        COALESCE((SELECT array_agg(DISTINCT pd.vendor_id) FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products pd ON pd.id = v.product_id
          JOIN prices pr ON pr.variant_id = ci.variant_id AND pr.currency = ${cart.currency}
          WHERE ci.cart_id = ${cartId}), '{}') AS "vendorIds"
      FROM promotions p WHERE p.tenant_id = ${tenantId} AND p.id = ${cart.promotion_id}`);
    const usedByCustomer = customer ? await liveRedemptionsOf(tx, tenantId, p.promotionId, customer, null) : null;
    const refusal = promotionRefusal(p, {
      now: p.nowMs,
      currency: cart.currency,
      subtotalInScope: p.subtotalInScope,
      usedByCustomer,
      vendorIdsInCart: p.vendorIds,
    });
    if (refusal) throw discountInvalid(refusal, p.code);
    if (cart.codes >= MAX_CODES_PER_CART) throw new ValidationError(`a cart carries at most ${MAX_CODES_PER_CART} discount codes`);
    await tx.query(sql.type(noRows)`
      INSERT INTO cart_discounts (cart_id, tenant_id, promotion_id) VALUES (${cartId}, ${tenantId}, ${p.promotionId}) ON CONFLICT DO NOTHING`);
  });
}

const cartStatusRow = z.object({ status: z.string() });

/** Takes a code off an open cart; 404 when the cart does not carry it. */
export async function removeCartDiscount(pool: DatabasePool, tenantId: string, cartId: string, code: string): Promise<void> {
  await pool.transaction(async (tx) => {
    const cart = await tx.maybeOne(sql.type(cartStatusRow)`SELECT status FROM carts WHERE tenant_id = ${tenantId} AND id = ${cartId} FOR UPDATE`);
    if (!cart) throw new NotFoundError('cart', cartId);
    if (cart.status !== 'open') throw new ConflictError('this cart was already checked out');
    const removed = await tx.maybeOneFirst(sql.type(z.object({ promotion_id: z.string() }))`
      DELETE FROM cart_discounts d USING promotions p
      WHERE d.tenant_id = ${tenantId} AND d.cart_id = ${cartId} AND p.id = d.promotion_id AND p.tenant_id = ${tenantId} AND upper(p.code) = upper(${code})
      RETURNING d.promotion_id`);
    if (!removed) throw new NotFoundError('discount code on this cart', code);
  });
}

const redeemRow = rulesRow.extend({ orderCurrency: z.string(), email: z.string(), subtotalInScope: z.number(), vendorIds: z.array(z.string().nullable()) });

/**
 * What redeeming needs: the cart's codes go to the order, each with the amount it took off (the pricing function's
 * discounts). `customerKey`: customerKeyOf(the cart's customer id, the order's e-mail). `now`: the instant (epoch ms)
 * the cart was priced at (CartPricing.now), so pricing and redemption judge every window by one clock.
 */
export type Redemption = {
  tenantId: string;
  cartId: string;
  orderId: string;
  customerKey: string;
  now: number;
  amounts: readonly { code: string; amount: number }[];
};

/**
 * Inside placeOrder's transaction, after the order and its items exist: checks each code the cart carries again against
 * the order (promotionRefusal: window, active, minimum subtotal of the lines in scope, per-customer count) and takes one
 * use of each code that took something off. A code whose amount is 0 (free shipping on a cart shipping free, a vendor
 * code whose lines cost nothing) is not redeemed: no row, no use, no per-customer use. The use is one conditional UPDATE,
 * so exactly `usage_limit` orders redeem a code however many check out at once; a refusal throws 422 `discount_invalid`
 * and the caller's transaction rolls back (nothing placed). Redeeming again for the same order takes nothing more.
 */
export async function redeemCartPromotions(tx: CommonQueryMethods, r: Redemption): Promise<void> {
  // Promotion rows are locked in id order, so concurrent checkouts carrying several codes never deadlock.
  const rows = await tx.any(sql.type(redeemRow)`
    SELECT ${rulesColumns}, o.currency AS "orderCurrency", o.email,
      (SELECT COALESCE(sum(i.quantity * i.unit_price), 0) FROM order_items i WHERE i.order_id = o.id AND (p.vendor_id IS NULL OR i.vendor_id = p.vendor_id))::int8
        AS "subtotalInScope",
      COALESCE((SELECT array_agg(DISTINCT i.vendor_id) FROM order_items i WHERE i.order_id = o.id), '{}') AS "vendorIds"
    FROM cart_discounts d JOIN promotions p ON p.id = d.promotion_id AND p.tenant_id = d.tenant_id JOIN orders o ON o.tenant_id = d.tenant_id AND o.id = ${r.orderId}
    WHERE d.tenant_id = ${r.tenantId} AND d.cart_id = ${r.cartId}
    ORDER BY p.id`);
  for (const row of rows) {
    const customer = { key: r.customerKey, email: row.email };
    const context = { now: r.now, currency: row.orderCurrency, subtotalInScope: row.subtotalInScope, vendorIdsInCart: row.vendorIds };
    const early = promotionRefusal(row, { ...context, usedByCustomer: await liveRedemptionsOf(tx, r.tenantId, row.promotionId, customer, r.orderId) });
    if (early) throw discountInvalid(early, row.code);
    const amount = r.amounts.find((a) => a.code.toUpperCase() === row.code.toUpperCase())?.amount ?? 0;
    if (amount === 0) continue;
    const inserted = await tx.maybeOneFirst(sql.type(idRow)`
      INSERT INTO promotion_redemptions (id, tenant_id, promotion_id, order_id, customer_key, amount)
      VALUES (${makeId('rdm', randomUUID())}, ${r.tenantId}, ${row.promotionId}, ${r.orderId}, ${r.customerKey}, ${amount})
      ON CONFLICT (promotion_id, order_id) DO NOTHING RETURNING id`);
    if (!inserted) continue;
    // The window is judged at the placement's instant, in milliseconds as promotionRefusal judges it.
    const taken = await tx.maybeOneFirst(sql.type(idRow)`
      UPDATE promotions SET times_used = times_used + 1, updated_at = now()
      WHERE tenant_id = ${r.tenantId} AND id = ${row.promotionId} AND active AND (usage_limit IS NULL OR times_used < usage_limit)
        AND (starts_at IS NULL OR (extract(epoch FROM starts_at) * 1000)::int8 <= ${r.now})
        AND (ends_at IS NULL OR (extract(epoch FROM ends_at) * 1000)::int8 > ${r.now})
      RETURNING id`);
    if (!taken) throw discountInvalid(await refusalNow(tx, r.tenantId, row.promotionId, context), row.code);
    // Counted again under the row lock the conditional UPDATE took: concurrent checkouts of one customer are serialized here.
    const used = await liveRedemptionsOf(tx, r.tenantId, row.promotionId, customer, r.orderId);
    if (row.usageLimitPerCustomer !== null && used >= row.usageLimitPerCustomer) throw discountInvalid('per_customer_limit', row.code);
  }
}

/**
 * Gives back the uses of a cancelled order (or a failed checkout's): its live redemptions are marked released and each
 * promotion's `times_used` goes down by one. Idempotent: a second call releases nothing. Returns how many were released.
 */
export async function releaseOrderRedemptions(tx: CommonQueryMethods, tenantId: string, orderId: string): Promise<number> {
  return tx.oneFirst(sql.type(countRow)`
    WITH released AS (
      UPDATE promotion_redemptions SET released_at = clock_timestamp()
      WHERE tenant_id = ${tenantId} AND order_id = ${orderId} AND released_at IS NULL
      RETURNING promotion_id
    ), given_back AS (
      UPDATE promotions p SET times_used = p.times_used - 1, updated_at = now() FROM released r
      WHERE p.tenant_id = ${tenantId} AND p.id = r.promotion_id RETURNING p.id
    )
    SELECT count(*)::int8 AS n FROM given_back`);
}
