// SQL owned by holds and inventory_levels: stock is set, held, allocated, released, consumed.
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool, FragmentSqlToken } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { appendOutboxMany } from './outbox.ts';
import { InsufficientStockError } from '../../domain/errors.ts';
import type { ExpiryPass } from '../../contracts/activities.ts';

/** Stock of a variant at a location. */
const inventoryView = z.object({ variant_id: z.string(), location_id: z.string(), on_hand: z.number(), reserved: z.number(), available: z.number() });
export type InventoryView = z.infer<typeof inventoryView>;

/** Sets a variant's on_hand at a location (the CHECK refuses it below reserved); creates the level when new. */
export async function setOnHand(tx: CommonQueryMethods, tenantId: string, variantId: string, locationId: string, onHand: number): Promise<InventoryView> {
  return tx.one(sql.type(inventoryView)`
    INSERT INTO inventory_levels (tenant_id, variant_id, location_id, on_hand) VALUES (${tenantId}, ${variantId}, ${locationId}, ${onHand})
    ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now()
    RETURNING variant_id, location_id, on_hand::int8, reserved::int8, (on_hand - reserved)::int8 AS available`);
}

/** Sets many levels in one statement (bulk import; the caller locked and checked them against reserved); the changed ones. */
export async function setOnHandMany(
  tx: CommonQueryMethods,
  tenantId: string,
  levels: { variantId: string; locationId: string; onHand: number }[],
): Promise<InventoryView[]> {
  if (levels.length === 0) return [];
  const rows = levels.map((l) => [tenantId, l.variantId, l.locationId, l.onHand]);
  return [
    ...(await tx.any(sql.type(inventoryView)`
    INSERT INTO inventory_levels (tenant_id, variant_id, location_id, on_hand) SELECT * FROM ${sql.unnest(rows, ['text', 'text', 'text', 'int4'])}
    ON CONFLICT (variant_id, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = now() WHERE inventory_levels.on_hand <> EXCLUDED.on_hand
    RETURNING variant_id, location_id, on_hand::int8, reserved::int8, (on_hand - reserved)::int8 AS available`)),
  ];
}

/** Units reserved of each variant at a location, locked for a change of on_hand (variants without a level: absent). */
export async function reservedForUpdate(tx: CommonQueryMethods, tenantId: string, variantIds: string[], locationId: string): Promise<Map<string, number>> {
  if (variantIds.length === 0) return new Map();
  const rows = await tx.any(sql.type(z.object({ variant_id: z.string(), reserved: z.number() }))`
    SELECT variant_id, reserved::int8 FROM inventory_levels
    WHERE tenant_id = ${tenantId} AND variant_id = ANY(${sql.array(variantIds, 'text')}) AND location_id = ${locationId}
    ORDER BY variant_id FOR UPDATE`);
  return new Map(rows.map((r) => [r.variant_id, r.reserved]));
}

/** A variant's on_hand at a location, locked for a change (null: no level yet). */
export async function onHandForUpdate(tx: CommonQueryMethods, tenantId: string, variantId: string, locationId: string): Promise<number | null> {
  const row = await tx.maybeOne(sql.type(z.object({ on_hand: z.number() }))`
    SELECT on_hand::int8 FROM inventory_levels WHERE tenant_id = ${tenantId} AND variant_id = ${variantId} AND location_id = ${locationId} FOR UPDATE`);
  return row?.on_hand ?? null;
}

/** Stock of a variant per location. */
export async function getInventory(db: CommonQueryMethods, tenantId: string, variantId: string): Promise<InventoryView[]> {
  return [
    ...(await db.any(sql.type(inventoryView)`
    SELECT variant_id, location_id, on_hand::int8, reserved::int8, (on_hand - reserved)::int8 AS available
    FROM inventory_levels WHERE tenant_id = ${tenantId} AND variant_id = ${variantId} ORDER BY location_id`)),
  ];
}

const releasedRow = z.object({
  id: z.string(),
  cart_id: z.string(),
  tenant_id: z.string(),
  variant_id: z.string(),
  location_id: z.string(),
  quantity: z.number(),
});
type ReleasedHold = z.infer<typeof releasedRow>;

/** A hold to place; `groupBuyId` marks a group-buy participation's hold, which only its campaign releases. */
type NewHold = { tenantId: string; cartId: string; cartItemId: string; variantId: string; quantity: number; ttlMs: number; groupBuyId?: string };

const placedRow = z.object({ placed: z.boolean() });

/**
 * Holds `quantity` of a variant through place_hold (migration 1764880000000): the variant's stock rows are locked in
 * location order (no deadlocks), then it takes from the fullest location first — one hold when one location has enough,
 * else split across them; `reserved` never passes `on_hand` (the CHECK backs it). InsufficientStockError when the
 * locations together do not have it.
 */
export async function placeHold(tx: CommonQueryMethods, h: NewHold): Promise<void> {
  const placed = await tx.oneFirst(sql.type(placedRow)`
    SELECT place_hold(${h.tenantId}, ${h.cartId}, ${h.cartItemId}, ${h.variantId}, ${h.quantity}, ${h.ttlMs}, ${h.groupBuyId ?? null}) AS placed`);
  if (!placed) throw notEnoughStock(h.variantId, h.quantity);
}

/**
 * Locks a variant's stock rows in location order, the order every hold takes them in (lock_available_stock): a change
 * that releases a line's holds before holding again must take them first, or it and an add of the same variant could
 * each hold a row the other waits for.
 */
export async function lockVariantStock(tx: CommonQueryMethods, tenantId: string, variantId: string): Promise<void> {
  await tx.query(sql.type(z.object({ available: z.number() }))`SELECT lock_available_stock(${tenantId}, ${variantId}) AS available`);
}

/** The 409 of a hold the stock cannot cover. */
export function notEnoughStock(variantId: string, quantity: number): InsufficientStockError {
  return new InsufficientStockError(`not enough stock to hold ${quantity} of variant ${variantId}`, { variant_id: variantId, requested: quantity });
}

/** When a hold placed or extended now expires (hold_expiry: `ttlMs` from now, never after the cart's `holds_end_at`). */
function holdExpiry(cartId: string, ttlMs: number): FragmentSqlToken {
  return sql.fragment`hold_expiry(${cartId}, ${ttlMs})`;
}

/** Moves every still-held hold of the cart to expire `ttlMs` from now (within its lifetime); `alongWith` runs in the same statement. */
export async function extendCartHolds(tx: CommonQueryMethods, cartId: string, ttlMs: number, alongWith?: FragmentSqlToken): Promise<void> {
  await tx.query(sql.type(noRows)`
    WITH extended AS (
      UPDATE holds SET expires_at = ${holdExpiry(cartId, ttlMs)} WHERE cart_id = ${cartId} AND status = 'held'
    ) ${alongWith ?? sql.fragment`SELECT 1 WHERE false`}`);
}

/** Gives back reserved stock for released holds, locking inventory rows in a fixed order (no deadlocks). */
async function unreserve(tx: CommonQueryMethods, released: readonly ReleasedHold[], consume: boolean): Promise<void> {
  const sums = new Map<string, { variant_id: string; location_id: string; quantity: number }>();
  for (const h of released) {
    const key = `${h.variant_id}\u0000${h.location_id}`;
    const entry = sums.get(key) ?? { variant_id: h.variant_id, location_id: h.location_id, quantity: 0 };
    entry.quantity += h.quantity;
    sums.set(key, entry);
  }
  const ordered = [...sums.values()].sort((a, b) => (a.variant_id + a.location_id).localeCompare(b.variant_id + b.location_id));
  for (const s of ordered) {
    await tx.query(sql.type(noRows)`
      UPDATE inventory_levels SET reserved = reserved - ${s.quantity},
        on_hand = on_hand - ${consume ? s.quantity : 0}, updated_at = now()
      WHERE variant_id = ${s.variant_id} AND location_id = ${s.location_id}`);
  }
}

/** Releases the still-held holds of one cart item (the item was removed or resized). */
export async function releaseItemHolds(tx: CommonQueryMethods, cartItemId: string): Promise<void> {
  const released = await tx.any(sql.type(releasedRow)`
    UPDATE holds SET status = 'released', released_at = now() WHERE cart_item_id = ${cartItemId} AND status = 'held'
    RETURNING id, cart_id, tenant_id, variant_id, location_id, quantity`);
  await unreserve(tx, released, false);
}

const heldRow = z.object({ cart_item_id: z.string().nullable(), quantity: z.number() });

/**
 * Quantity currently held per cart item. Locks the holds, so an expiry pass running at the same time
 * either releases them first (and checkout re-holds) or waits until they are allocated.
 */
export async function heldQuantities(tx: CommonQueryMethods, cartId: string): Promise<Map<string, number>> {
  const rows = await tx.any(sql.type(heldRow)`
    SELECT cart_item_id, quantity FROM holds WHERE cart_id = ${cartId} AND status = 'held' ORDER BY id FOR UPDATE`);
  const held = new Map<string, number>();
  for (const r of rows) if (r.cart_item_id) held.set(r.cart_item_id, (held.get(r.cart_item_id) ?? 0) + r.quantity);
  return held;
}

const nextExpiryRow = z.object({ remaining: z.number(), next_ms: z.number().nullable() });

/** Releases a cart's expired holds and tells when the next one expires. Safe to run twice. */
export async function releaseExpiredCartHolds(pool: DatabasePool, tenantId: string, cartId: string): Promise<ExpiryPass> {
  return pool.transaction(async (tx) => {
    // Cart first, like every cart change (cart → inventory → holds): the same lock order, so no deadlock.
    await tx.query(sql.type(noRows)`SELECT 1 FROM carts WHERE id = ${cartId} FOR UPDATE`);
    const released = await tx.any(sql.type(releasedRow)`
      UPDATE holds SET status = 'released', released_at = now()
      WHERE tenant_id = ${tenantId} AND cart_id = ${cartId} AND status = 'held' AND expires_at <= clock_timestamp() AND group_buy_id IS NULL
      RETURNING id, cart_id, tenant_id, variant_id, location_id, quantity`);
    await unreserve(tx, released, false);
    await recordExpiries(tx, released);
    const next = await tx.one(sql.type(nextExpiryRow)`
      SELECT count(*)::int8 AS remaining, ceil(extract(epoch FROM min(expires_at) - clock_timestamp()) * 1000)::int8 AS next_ms
      FROM holds WHERE cart_id = ${cartId} AND status = 'held' AND group_buy_id IS NULL`);
    return { released: released.length, remaining: next.remaining, nextExpiryInMs: next.next_ms === null ? null : Math.max(0, next.next_ms) };
  });
}

/** Releases expired holds of any cart (the sweeper's safety net), up to `limit` carts at a time; a campaign's holds are its own. */
export async function releaseExpiredHoldsBatch(pool: DatabasePool, limit: number): Promise<number> {
  return pool.transaction(async (tx) => {
    // Carts are locked first (skipping busy ones), in the lock order of cart changes.
    const released = await tx.any(sql.type(releasedRow)`
      WITH due AS (
        SELECT c.id FROM carts c
        WHERE c.id IN (SELECT DISTINCT cart_id FROM holds WHERE status = 'held' AND expires_at <= clock_timestamp() AND group_buy_id IS NULL LIMIT ${limit})
        ORDER BY c.id FOR UPDATE OF c SKIP LOCKED
      )
      UPDATE holds SET status = 'released', released_at = now()
      WHERE cart_id IN (SELECT id FROM due) AND status = 'held' AND expires_at <= clock_timestamp() AND group_buy_id IS NULL
      RETURNING id, cart_id, tenant_id, variant_id, location_id, quantity`);
    await unreserve(tx, released, false);
    await recordExpiries(tx, released);
    return released.length;
  });
}

async function recordExpiries(tx: CommonQueryMethods, released: readonly ReleasedHold[]): Promise<void> {
  await appendOutboxMany(
    tx,
    released.map((h) => ({
      tenantId: h.tenant_id,
      type: 'inventory.reservation.expired',
      aggregateId: h.variant_id,
      eventId: `hold-expired:${h.id}`,
      payload: { hold_id: h.id, cart_id: h.cart_id, variant_id: h.variant_id, location_id: h.location_id, quantity: h.quantity },
    })),
  );
}

/** Turns a cart's held holds into allocations of the order. */
export async function allocateCartHolds(tx: CommonQueryMethods, cartId: string, orderId: string): Promise<void> {
  await tx.query(sql.type(noRows)`UPDATE holds SET status = 'allocated', order_id = ${orderId} WHERE cart_id = ${cartId} AND status = 'held'`);
}

/** Gives an order's allocated stock back (cancellation). Safe to run twice. */
export async function releaseOrderAllocations(tx: CommonQueryMethods, orderId: string): Promise<number> {
  const released = await tx.any(sql.type(releasedRow)`
    UPDATE holds SET status = 'released', released_at = now() WHERE order_id = ${orderId} AND status = 'allocated'
    RETURNING id, cart_id, tenant_id, variant_id, location_id, quantity`);
  await unreserve(tx, released, false);
  return released.length;
}

/** Takes shipped stock off the shelf: allocations of these variants become consumed, on_hand and reserved drop. */
export async function consumeOrderAllocations(tx: CommonQueryMethods, orderId: string, variantIds: string[]): Promise<void> {
  const consumed = await tx.any(sql.type(releasedRow)`
    UPDATE holds SET status = 'consumed', released_at = now()
    WHERE order_id = ${orderId} AND status = 'allocated' AND variant_id = ANY(${sql.array(variantIds, 'text')})
    RETURNING id, cart_id, tenant_id, variant_id, location_id, quantity`);
  await unreserve(tx, consumed, true);
}
