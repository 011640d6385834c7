// SQL owned by group_buys and group_buy_participations; a participation's cart, hold and order are written through
// their owners (carts.ts, holds.ts, orders.ts, payments.ts) inside these transactions.
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { idRow, noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { recordAudit } from './audit-log.ts';
import { createCampaignCart, markCartConverted } from './carts.ts';
import { allocateCartHolds, placeHold, releaseItemHolds } from './holds.ts';
import { insertCampaignOrder } from './orders.ts';
import { createPayment, markAuthorized } from './payments.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { participationIds } from '../../domain/ids.ts';
import { changedFields } from '../../domain/audit.ts';
import { participationPricing } from '../../domain/group-buys.ts';
import type { Actor } from '../../contracts/audit.ts';
import type { Address } from '../../contracts/workflows.ts';
import { groupBuyView, type GroupBuyView } from '../../contracts/group-buys.ts';

const viewColumns = sql.fragment`g.id, g.status, g.variant_id, g.min_participants, g.max_participants,
  to_char(g.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ends_at,
  json_build_object('amount', g.price, 'currency', g.currency) AS price,
  (SELECT count(*)::int FROM group_buy_participations p WHERE p.group_buy_id = g.id AND p.status IN ('joined', 'ordered')) AS participants`;

/** A campaign of the tenant as the API shows it (participants: joined, card authorized), or NotFoundError. */
export async function getGroupBuy(db: CommonQueryMethods, tenantId: string, id: string): Promise<GroupBuyView> {
  const row = await db.maybeOne(sql.type(groupBuyView)`SELECT ${viewColumns} FROM group_buys g WHERE g.tenant_id = ${tenantId} AND g.id = ${id}`);
  if (!row) throw new NotFoundError('group buy', id);
  return row;
}

/** A new campaign, as the back office asked for it (terms already checked by domain/group-buys.ts). */
export type NewGroupBuy = {
  id: string;
  variantId: string;
  price: number;
  currency: string;
  minParticipants: number;
  maxParticipants: number | null;
  endsAt: string;
};

/** Creates a campaign (status open) with its audit entry; `beforeCommit` runs inside the transaction (the workflow start). */
export async function createGroupBuy(
  pool: DatabasePool,
  tenantId: string,
  g: NewGroupBuy,
  actor: Actor | null,
  beforeCommit: () => Promise<void>,
): Promise<GroupBuyView> {
  return pool.transaction(async (tx) => {
    const variant = await tx.maybeOne(sql.type(idRow)`SELECT id FROM variants WHERE tenant_id = ${tenantId} AND id = ${g.variantId}`);
    if (!variant) throw new ValidationError(`variant_id ${g.variantId} names no variant of this store`);
    await tx.query(sql.type(noRows)`
      INSERT INTO group_buys (id, tenant_id, variant_id, price, currency, min_participants, max_participants, ends_at)
      VALUES (${g.id}, ${tenantId}, ${g.variantId}, ${g.price}, ${g.currency}, ${g.minParticipants}, ${g.maxParticipants}, ${g.endsAt})`);
    const created = await getGroupBuy(tx, tenantId, g.id);
    if (actor) {
      const { participants: _p, ...fields } = created;
      await recordAudit(tx, { tenantId, actor, action: 'group_buy.create', resourceType: 'group_buy', resourceId: g.id, changes: changedFields(null, fields) });
    }
    await beforeCommit();
    return created;
  });
}

const campaignRow = z.object({ variant_id: z.string(), price: z.number(), currency: z.string(), ends_in_ms: z.number() });
const participationRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  group_buy_id: z.string(),
  email: z.string(),
  shipping_address: z.record(z.string(), z.unknown()),
  status: z.string(),
  authorization_ref: z.string().nullable(),
  card_ref: z.string().nullable(),
  order_id: z.string().nullable(),
});
/** A participation as the campaign's activities see it. */
export type Participation = z.infer<typeof participationRow>;
const participationColumns = sql.fragment`id, tenant_id, group_buy_id, email, shipping_address, status, authorization_ref, card_ref, order_id`;

/** The participation, locked for a change when `lock`; NotFoundError when there is none. */
export async function getParticipation(db: CommonQueryMethods, tenantId: string, id: string, lock = false): Promise<Participation> {
  const row = await db.maybeOne(sql.type(participationRow)`
    SELECT ${participationColumns} FROM group_buy_participations WHERE tenant_id = ${tenantId} AND id = ${id} ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
  if (!row) throw new NotFoundError('participation', id);
  return row;
}

/**
 * A join's first step, in one transaction: the participation (`holding`), its cart and one unit held for the campaign
 * (InsufficientStockError rolls it all back). Idempotent per participation id; returns what the card must authorize.
 */
export async function holdParticipation(
  pool: DatabasePool,
  p: { tenantId: string; groupBuyId: string; participationId: string; email: string; shippingAddress: Address },
): Promise<{ amount: number; currency: string }> {
  return pool.transaction(async (tx) => {
    const g = await tx.maybeOne(sql.type(campaignRow)`
      SELECT variant_id, price, currency, ceil(extract(epoch FROM ends_at - clock_timestamp()) * 1000)::int8 AS ends_in_ms
      FROM group_buys WHERE tenant_id = ${p.tenantId} AND id = ${p.groupBuyId}`);
    if (!g) throw new NotFoundError('group buy', p.groupBuyId);
    const ids = participationIds(p.participationId);
    const inserted = await tx.maybeOne(sql.type(idRow)`
      INSERT INTO group_buy_participations (id, tenant_id, group_buy_id, email, shipping_address, cart_id, status)
      VALUES (${p.participationId}, ${p.tenantId}, ${p.groupBuyId}, ${p.email}, ${sql.jsonb(p.shippingAddress)}, ${ids.cartId}, 'holding')
      ON CONFLICT DO NOTHING RETURNING id`);
    if (!inserted) {
      // A retry finds its own row; another live participation of the same e-mail is the conflict the workflow prevents.
      await getParticipation(tx, p.tenantId, p.participationId).catch(() => {
        throw new ConflictError(`${p.email} has already joined this group buy`);
      });
      return { amount: g.price, currency: g.currency };
    }
    await createCampaignCart(tx, {
      ...ids,
      tenantId: p.tenantId,
      groupBuyId: p.groupBuyId,
      currency: g.currency,
      email: p.email,
      variantId: g.variant_id,
      unitPrice: g.price,
    });
    // The hold's expiry only informs: campaign holds are released by their campaign, never by expiry or the sweeper.
    const ttlMs = Math.max(0, g.ends_in_ms) + 86_400_000;
    await placeHold(tx, {
      tenantId: p.tenantId,
      cartId: ids.cartId,
      cartItemId: ids.itemId,
      variantId: g.variant_id,
      quantity: 1,
      ttlMs,
      groupBuyId: p.groupBuyId,
    });
    return { amount: g.price, currency: g.currency };
  });
}

/** Records the card authorization of a holding participation (it counts as joined from now on); returns its status after. */
export async function recordParticipationAuthorization(
  pool: DatabasePool,
  a: { tenantId: string; participationId: string; authorizationRef: string; cardRef: string | null },
): Promise<string> {
  await pool.query(sql.type(noRows)`
    UPDATE group_buy_participations SET status = 'joined', authorization_ref = ${a.authorizationRef}, card_ref = ${a.cardRef}, updated_at = now()
    WHERE tenant_id = ${a.tenantId} AND id = ${a.participationId} AND status = 'holding'`);
  return (await getParticipation(pool, a.tenantId, a.participationId)).status;
}

/**
 * Ends a participation that will not become an order (declined card, failed join, failed campaign): its unit goes back
 * to stock in the same transaction. Idempotent: an ended participation is left as it is; an ordered one is refused.
 */
export async function endParticipation(
  pool: DatabasePool,
  e: { tenantId: string; participationId: string; status: 'declined' | 'withdrawn' | 'voided'; declineCode?: string },
): Promise<void> {
  await pool.transaction(async (tx) => {
    const p = await getParticipation(tx, e.tenantId, e.participationId, true).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null; // the hold step never committed: nothing to give back
      throw err;
    });
    if (!p || ['declined', 'withdrawn', 'voided'].includes(p.status)) return;
    if (p.status === 'ordered') throw new ConflictError(`participation ${p.id} already became order ${p.order_id}`);
    await releaseItemHolds(tx, participationIds(p.id).itemId);
    await tx.query(sql.type(noRows)`
      UPDATE group_buy_participations SET status = ${e.status}, decline_code = ${e.declineCode ?? null}, updated_at = now() WHERE id = ${p.id}`);
  });
}

const taxRow = z.object({ tax_rate_bps: z.number(), price: z.number(), currency: z.string(), variant_id: z.string() });

/**
 * Turns a joined participation into its card order in one transaction: the order (`pending_shipment`, one unit at the
 * campaign price), its card payment `authorized` with the join's authorization, the held unit allocated to it, the cart
 * converted. Idempotent: a retry returns the order the first attempt placed.
 */
export async function placeParticipationOrder(
  pool: DatabasePool,
  o: { tenantId: string; participationId: string; provider: string; accessToken: string },
): Promise<{ orderId: string; email: string; created: boolean }> {
  return pool.transaction(async (tx) => {
    const p = await getParticipation(tx, o.tenantId, o.participationId, true);
    if (p.status === 'ordered' && p.order_id) return { orderId: p.order_id, email: p.email, created: false };
    if (p.status !== 'joined' || !p.authorization_ref) throw new ConflictError(`participation ${p.id} is ${p.status}; only a joined one becomes an order`);
    const g = await tx.one(sql.type(taxRow)`
      SELECT v.tax_rate_bps, g.price, g.currency, g.variant_id FROM group_buys g JOIN variants v ON v.id = g.variant_id WHERE g.id = ${p.group_buy_id}`);
    const ids = participationIds(p.id);
    const pricing = participationPricing(g.price, g.tax_rate_bps);
    const taxBreakdown = pricing.taxBreakdown.map((t) => ({ rate_bps: t.rateBps, taxable_amount: t.taxableAmount, tax: t.tax }));
    const order = { tenantId: o.tenantId, orderId: ids.orderId, cartId: ids.cartId, itemId: ids.itemId, currency: g.currency, email: p.email };
    await insertCampaignOrder(tx, {
      ...order,
      shippingAddress: p.shipping_address as Address,
      variantId: g.variant_id,
      total: pricing.total,
      taxTotal: pricing.taxTotal,
      taxBreakdown,
      accessToken: o.accessToken,
    });
    await createPayment(tx, { tenantId: o.tenantId, orderId: ids.orderId, method: 'card', amount: pricing.total, currency: g.currency, dueInMs: null });
    await markAuthorized(tx, { orderId: ids.orderId, provider: o.provider, authorizationRef: p.authorization_ref, cardRef: p.card_ref });
    await allocateCartHolds(tx, ids.cartId, ids.orderId);
    await markCartConverted(tx, ids.cartId, ids.orderId, p.email);
    await tx.query(sql.type(noRows)`UPDATE group_buy_participations SET status = 'ordered', order_id = ${ids.orderId}, updated_at = now() WHERE id = ${p.id}`);
    const total = { amount: pricing.total, currency: g.currency };
    await appendOutbox(tx, {
      tenantId: o.tenantId,
      type: 'order.placed',
      aggregateId: ids.orderId,
      eventId: `order-placed:${ids.orderId}`,
      payload: { order_id: ids.orderId, email: p.email, total, payment_method: 'card', group_buy_id: p.group_buy_id },
    });
    return { orderId: ids.orderId, email: p.email, created: true };
  });
}

/** Records how the campaign ended (once: a repeated call changes nothing), with a `group_buy.<outcome>` event. */
export async function closeGroupBuy(pool: DatabasePool, c: { tenantId: string; groupBuyId: string; outcome: 'succeeded' | 'failed' }): Promise<void> {
  await pool.transaction(async (tx) => {
    const closed = await tx.maybeOne(sql.type(idRow)`
      UPDATE group_buys SET status = ${c.outcome}, closed_at = now() WHERE tenant_id = ${c.tenantId} AND id = ${c.groupBuyId} AND status = 'open' RETURNING id`);
    if (!closed) return;
    await appendOutbox(tx, {
      tenantId: c.tenantId,
      type: `group_buy.${c.outcome}`,
      aggregateId: c.groupBuyId,
      eventId: `group-buy-${c.outcome}:${c.groupBuyId}`,
      payload: { group_buy_id: c.groupBuyId },
    });
  });
}

/** The participations of a campaign by status (tests and the admin view count them). */
export async function participationStatuses(db: CommonQueryMethods, tenantId: string, groupBuyId: string): Promise<Participation[]> {
  return [
    ...(await db.any(sql.type(participationRow)`
    SELECT ${participationColumns} FROM group_buy_participations WHERE tenant_id = ${tenantId} AND group_buy_id = ${groupBuyId} ORDER BY created_at, id`)),
  ];
}
