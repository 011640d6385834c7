// SQL owned by subscriptions and subscription_charges: renewals, dunning state and the back-office view.
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { parseBillingInterval, periodEnd } from '../../domain/billing-interval.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../domain/subscription-status.ts';
import type { BillingState } from '../../contracts/activities.ts';
import { isSubscriptionEnded } from '../../domain/subscription.ts';
import { subscriptionView, type SubscriptionView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

// A stored interval was accepted under the config of its day: bill short ones too; one beyond a year throws (non-retryable).
const STORED = { allowShort: true };

const iso = (column: ReturnType<typeof sql.identifier>) => sql.fragment`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const billingRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  period: z.number(),
  amount: z.number(),
  currency: z.string(),
  card_ref: z.string(),
  customer_email: z.string(),
  billing_interval: z.string(),
  anchor_at: z.string(),
  current_period_end: z.string(),
  failed_attempts: z.number(),
  next_attempt_at: z.string().nullable(),
}) satisfies z.ZodType<BillingState>;

const billingColumns = sql.fragment`id, tenant_id, status, period, amount, currency, card_ref, customer_email, billing_interval,
  ${iso(sql.identifier(['anchor_at']))} AS anchor_at, ${iso(sql.identifier(['current_period_end']))} AS current_period_end, failed_attempts,
  ${iso(sql.identifier(['next_attempt_at']))} AS next_attempt_at`;

const orderItemRow = z.object({
  id: z.string(),
  variant_id: z.string(),
  total: z.number(),
  interval: z.string(),
  email: z.string(),
  currency: z.string(),
  created_at: z.string(),
});

/**
 * Creates one subscription per subscription line of an order paid by card (id derived from the line, so a retry
 * creates nothing new). Period 1 is the order itself and ends one interval after the order was placed.
 */
export async function createOrderSubscriptions(pool: DatabasePool, s: { tenantId: string; orderId: string; cardRef: string }): Promise<string[]> {
  return pool.transaction(async (tx) => {
    const order = await tx.maybeOne(
      sql.type(z.object({ status: z.string() }))`SELECT status FROM orders WHERE tenant_id = ${s.tenantId} AND id = ${s.orderId} FOR UPDATE`,
    );
    if (!order || order.status === 'cancelled') return [];
    const lines = await tx.any(sql.type(orderItemRow)`
      SELECT i.id, i.variant_id, i.total, v.subscription_interval AS interval, o.email, o.currency, ${iso(sql.identifier(['o', 'created_at']))} AS created_at
      FROM order_items i JOIN variants v ON v.id = i.variant_id JOIN orders o ON o.id = i.order_id
      WHERE i.order_id = ${s.orderId} AND o.tenant_id = ${s.tenantId} AND v.subscription_interval IS NOT NULL ORDER BY i.id`);
    const ids: string[] = [];
    for (const line of lines) {
      const id = `sub_${line.id.replace(/^oi_/, '')}`;
      const anchor = new Date(line.created_at);
      const end = periodEnd(anchor, parseBillingInterval(line.interval, STORED), 1);
      const created = await tx.maybeOne(sql.type(z.object({ id: z.string() }))`
        INSERT INTO subscriptions (id, tenant_id, order_id, order_item_id, variant_id, customer_email, status, billing_interval, amount, currency, card_ref, anchor_at, current_period_end)
        VALUES (${id}, ${s.tenantId}, ${s.orderId}, ${line.id}, ${line.variant_id}, ${line.email}, 'active', ${line.interval}, ${line.total}, ${line.currency}, ${s.cardRef},
          ${anchor.toISOString()}, ${end.toISOString()})
        ON CONFLICT DO NOTHING RETURNING id`);
      if (created)
        await appendOutbox(tx, {
          tenantId: s.tenantId,
          type: 'subscription.created',
          aggregateId: id,
          eventId: `subscription-created:${id}`,
          payload: { subscription_id: id, order_id: s.orderId },
        });
      ids.push(id);
    }
    return ids;
  });
}

/** The subscription's billing state (of that tenant only, when given). */
export async function getBillingState(db: CommonQueryMethods, subscriptionId: string, tenantId?: string): Promise<BillingState> {
  const row = await db.maybeOne(sql.type(billingRow)`
    SELECT ${billingColumns} FROM subscriptions WHERE id = ${subscriptionId} ${tenantId ? sql.fragment`AND tenant_id = ${tenantId}` : sql.fragment``}`);
  if (!row) throw new NotFoundError('subscription', subscriptionId);
  return row;
}

const chargeRow = z.object({ id: z.string(), status: z.enum(['pending', 'succeeded', 'failed']), decline_code: z.string().nullable() });
/** A renewal attempt as recorded. */
export type ChargeAttempt = z.infer<typeof chargeRow>;

/** Records the start of a renewal attempt (idempotent per subscription, period and attempt). */
export async function beginCharge(
  pool: DatabasePool,
  c: { tenantId: string; subscriptionId: string; period: number; attempt: number; amount: number; currency: string },
): Promise<ChargeAttempt> {
  const id = `chg_${c.subscriptionId.replace(/^sub_/, '')}_${c.period}_${c.attempt}`;
  // The row has two unique keys (its id and (subscription, period, attempt)). DO NOTHING without a target makes both
  // arbiters, so a racing retry waits for the first insert instead of failing on whichever index it reaches first;
  // it then reads that row in a second statement, whose snapshot sees the first insert's commit.
  const inserted = await pool.maybeOne(sql.type(chargeRow)`
    INSERT INTO subscription_charges (id, tenant_id, subscription_id, period, attempt, status, amount, currency)
    VALUES (${id}, ${c.tenantId}, ${c.subscriptionId}, ${c.period}, ${c.attempt}, 'pending', ${c.amount}, ${c.currency})
    ON CONFLICT DO NOTHING
    RETURNING id, status, decline_code`);
  return inserted ?? pool.one(sql.type(chargeRow)`SELECT id, status, decline_code FROM subscription_charges WHERE id = ${id}`);
}

/**
 * A renewal went through: the charge succeeds and, in the same transaction, the subscription is active for
 * the next period (its end computed from the anchor, so calendar months never drift).
 */
export async function completeRenewal(
  pool: DatabasePool,
  r: { chargeId: string; gatewayRef: string; subscriptionId: string; period: number; actor?: Actor },
): Promise<BillingState> {
  return pool.transaction(async (tx) => {
    const sub = await tx.one(sql.type(billingRow)`SELECT ${billingColumns} FROM subscriptions WHERE id = ${r.subscriptionId} FOR UPDATE`);
    await tx.query(sql.type(noRows)`UPDATE subscription_charges SET status = 'succeeded', gateway_ref = ${r.gatewayRef} WHERE id = ${r.chargeId}`);
    if (sub.period !== r.period) return sub; // a retried activity: already advanced
    const nextEnd = periodEnd(new Date(sub.anchor_at), parseBillingInterval(sub.billing_interval, STORED), r.period + 1);
    const next = await tx.one(sql.type(billingRow)`
      UPDATE subscriptions SET period = period + 1, current_period_end = ${nextEnd.toISOString()}, failed_attempts = 0, next_attempt_at = NULL,
        status = CASE WHEN status IN ('active', 'past_due') THEN 'active' ELSE status END, updated_at = now()
      WHERE id = ${r.subscriptionId} RETURNING ${billingColumns}`);
    await appendOutbox(tx, {
      tenantId: sub.tenant_id,
      type: 'subscription.renewed',
      aggregateId: sub.id,
      eventId: `subscription-renewed:${sub.id}:${r.period}`,
      payload: { subscription_id: sub.id, period: r.period + 1, amount: sub.amount, currency: sub.currency },
    });
    await auditRetry(tx, r.actor, sub, next);
    return next;
  });
}

/** A renewal attempt was declined: the subscription is past due until the next attempt, due in `retryInMs` (null: none scheduled). */
export async function recordFailedRenewal(
  pool: DatabasePool,
  f: { chargeId: string; declineCode: string; gatewayRef: string; subscriptionId: string; retryInMs: number | null; actor?: Actor },
): Promise<BillingState> {
  return pool.transaction(async (tx) => {
    const before = await tx.one(sql.type(billingRow)`SELECT ${billingColumns} FROM subscriptions WHERE id = ${f.subscriptionId} FOR UPDATE`);
    const changed = await tx.maybeOne(sql.type(z.object({ id: z.string() }))`
      UPDATE subscription_charges SET status = 'failed', decline_code = ${f.declineCode}, gateway_ref = ${f.gatewayRef} WHERE id = ${f.chargeId} AND status = 'pending' RETURNING id`);
    const sub = await tx.one(sql.type(billingRow)`
      UPDATE subscriptions SET status = CASE WHEN status IN ('active', 'past_due') THEN 'past_due' ELSE status END,
        failed_attempts = failed_attempts + ${changed ? 1 : 0},
        next_attempt_at = ${f.retryInMs === null ? null : sql.fragment`now() + ${f.retryInMs} * interval '1 millisecond'`}, updated_at = now()
      WHERE id = ${f.subscriptionId} RETURNING ${billingColumns}`);
    if (changed) {
      await appendOutbox(tx, {
        tenantId: sub.tenant_id,
        type: 'subscription.payment_failed',
        aggregateId: sub.id,
        eventId: `subscription-failed:${f.chargeId}`,
        payload: { subscription_id: sub.id, charge_id: f.chargeId, decline_code: f.declineCode },
      });
      await auditRetry(tx, f.actor, before, sub);
    }
    return sub;
  });
}

/** Ends a subscription (`cancelled` by request or after dunning, or `unpaid`); no charge follows. Idempotent. */
export async function endSubscription(
  pool: DatabasePool,
  e: { subscriptionId: string; status: 'cancelled' | 'unpaid'; reason: string; actor?: Actor },
): Promise<BillingState> {
  return pool.transaction(async (tx) => {
    const sub = await tx.one(sql.type(billingRow)`SELECT ${billingColumns} FROM subscriptions WHERE id = ${e.subscriptionId} FOR UPDATE`);
    if (isSubscriptionEnded(sub.status)) return sub;
    const ended = await tx.one(sql.type(billingRow)`
      UPDATE subscriptions SET status = ${e.status}, cancel_reason = ${e.reason}, next_attempt_at = NULL, updated_at = now()
      WHERE id = ${e.subscriptionId} RETURNING ${billingColumns}`);
    await appendOutbox(tx, {
      tenantId: sub.tenant_id,
      type: `subscription.${e.status}`,
      aggregateId: sub.id,
      eventId: `subscription-ended:${sub.id}`,
      payload: { subscription_id: sub.id, reason: e.reason },
    });
    if (e.actor) {
      const changes = changedFields({ status: sub.status, cancel_reason: null }, { status: ended.status, cancel_reason: e.reason });
      await recordAudit(tx, {
        tenantId: sub.tenant_id,
        actor: e.actor,
        action: 'subscription.cancel',
        resourceType: 'subscription',
        resourceId: sub.id,
        changes,
      });
    }
    return ended;
  });
}

/** Replaces the saved card future charges use; a retry that finds the card already saved changes (and audits) nothing. */
export async function setSubscriptionCard(pool: DatabasePool, subscriptionId: string, cardRef: string, actor: Actor | null): Promise<void> {
  await pool.transaction(async (tx) => {
    const changed = await tx.maybeOne(sql.type(z.object({ tenant_id: z.string() }))`
      UPDATE subscriptions SET card_ref = ${cardRef}, updated_at = now() WHERE id = ${subscriptionId} AND card_ref IS DISTINCT FROM ${cardRef} RETURNING tenant_id`);
    if (!changed || !actor) return;
    // The card reference is a payment credential: recorded as changed, never its value.
    const changes = changedFields({ card_ref: 'old' }, { card_ref: 'new' }, ['card_ref']);
    await recordAudit(tx, {
      tenantId: changed.tenant_id,
      actor,
      action: 'subscription.payment_method',
      resourceType: 'subscription',
      resourceId: subscriptionId,
      changes,
    });
  });
}

/** The entry of an attempt someone asked for now (retryNow), written with the attempt's outcome. */
async function auditRetry(tx: CommonQueryMethods, actor: Actor | undefined, before: BillingState, after: BillingState): Promise<void> {
  if (!actor) return;
  const fields = (s: BillingState) => ({ status: s.status, period: s.period, failed_attempts: s.failed_attempts, next_attempt_at: s.next_attempt_at });
  const changes = changedFields(fields(before), fields(after));
  await recordAudit(tx, { tenantId: after.tenant_id, actor, action: 'subscription.retry', resourceType: 'subscription', resourceId: after.id, changes });
}

const subscriptionColumns = sql.fragment`
  s.id, s.status, s.customer_email, s.order_id, s.variant_id, s.billing_interval, json_build_object('amount', s.amount, 'currency', s.currency) AS amount, s.period,
  ${iso(sql.identifier(['s', 'current_period_end']))} AS current_period_end, ${iso(sql.identifier(['s', 'next_attempt_at']))} AS next_attempt_at, s.cancel_reason,
  ${iso(sql.identifier(['s', 'created_at']))} AS created_at,
  COALESCE((SELECT json_agg(json_build_object('id', c.id, 'period', c.period, 'attempt', c.attempt, 'status', c.status,
      'amount', json_build_object('amount', c.amount, 'currency', c.currency), 'decline_code', c.decline_code,
      'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY c.period, c.attempt)
    FROM subscription_charges c WHERE c.subscription_id = s.id), '[]') AS charges`;

/** One subscription with its charges. */
export async function getSubscription(db: CommonQueryMethods, tenantId: string, id: string): Promise<SubscriptionView> {
  const row = await db.maybeOne(
    sql.type(subscriptionView)`SELECT ${subscriptionColumns} FROM subscriptions s WHERE s.tenant_id = ${tenantId} AND s.id = ${id}`,
  );
  if (!row) throw new NotFoundError('subscription', id);
  return row;
}

/** One subscription of a customer (bought in one of their orders); another customer's is NotFoundError. */
export async function getCustomerSubscription(db: CommonQueryMethods, tenantId: string, customerId: string, id: string): Promise<SubscriptionView> {
  const row = await db.maybeOne(sql.type(subscriptionView)`
    SELECT ${subscriptionColumns} FROM subscriptions s JOIN orders o ON o.id = s.order_id AND o.tenant_id = s.tenant_id
    WHERE s.tenant_id = ${tenantId} AND s.id = ${id} AND o.customer_id = ${customerId}`);
  if (!row) throw new NotFoundError('subscription', id);
  return row;
}

const subscriptionListRow = subscriptionView.extend({ cursor_at: z.string() });

/** Subscriptions newest first, optionally of one status, after a (created_at, id) cursor. */
export async function listSubscriptions(
  db: CommonQueryMethods,
  tenantId: string,
  f: { status?: SubscriptionStatus; customerId?: string; after?: { createdAt: string; id: string }; limit: number },
) {
  return [
    ...(await db.any(sql.type(subscriptionListRow)`
    SELECT ${subscriptionColumns}, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at FROM subscriptions s
    WHERE s.tenant_id = ${tenantId} ${f.status ? sql.fragment`AND s.status = ${f.status}` : sql.fragment``}
      ${f.customerId ? sql.fragment`AND s.order_id IN (SELECT o.id FROM orders o WHERE o.tenant_id = ${tenantId} AND o.customer_id = ${f.customerId})` : sql.fragment``}
      ${f.after ? sql.fragment`AND (s.created_at, s.id) < (${f.after.createdAt}::timestamptz, ${f.after.id})` : sql.fragment``}
    ORDER BY s.created_at DESC, s.id DESC LIMIT ${f.limit + 1}`)),
  ];
}

/** How many of the order's lines are subscription variants. */
export async function countSubscriptionLines(db: CommonQueryMethods, orderId: string): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int8 AS n FROM order_items i JOIN variants v ON v.id = i.variant_id WHERE i.order_id = ${orderId} AND v.subscription_interval IS NOT NULL`);
}

/** The subscriptions an order created (its cancellation ends them). */
export async function subscriptionsOfOrder(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<string[]> {
  return (
    await db.any(sql.type(z.object({ id: z.string() }))`SELECT id FROM subscriptions WHERE tenant_id = ${tenantId} AND order_id = ${orderId} ORDER BY id`)
  ).map((r) => r.id);
}
