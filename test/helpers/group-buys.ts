// Group-buy fixtures: request bodies, API calls and what the database and the gateway's ledger say about a campaign.
import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { buildAddress } from './factories.ts';

/** Body of POST /admin/group-buys: ends `endsInMs` from now (default 1 h). */
export function buildGroupBuy(variantId: string, overrides: { price?: number; min_participants?: number; max_participants?: number; endsInMs?: number } = {}) {
  const { endsInMs = 3_600_000, price = 800, ...rest } = overrides;
  return {
    variant_id: variantId,
    price: { amount: price, currency: 'JPY' },
    min_participants: 2,
    ends_at: new Date(Date.now() + endsInMs).toISOString(),
    ...rest,
  };
}

/** Body of POST /store/group-buys/:id/join: a new e-mail and an approving card unless overridden. */
export function buildJoin(overrides: { email?: string; payment_token?: string } = {}) {
  return {
    email: overrides.email ?? `joiner-${randomUUID().slice(0, 8)}@example.jp`,
    payment_token: overrides.payment_token ?? 'tok_visa',
    shipping_address: buildAddress(),
  };
}

/** The group-buy routes with a tenant's admin and publishable keys. */
export function groupBuys(http: TestAgent, tenant: CreatedTenant) {
  const admin = { Authorization: `Bearer ${tenant.admin_api_key}` };
  const store = { 'X-Publishable-Key': tenant.publishable_key };
  return {
    create: (body: object) => http.post('/admin/group-buys').set(admin).send(body),
    adminGet: (id: string) => http.get(`/admin/group-buys/${id}`).set(admin),
    get: (id: string) => http.get(`/store/group-buys/${id}`).set(store),
    join: (id: string, body: object = buildJoin()) => http.post(`/store/group-buys/${id}/join`).set(store).send(body),
  };
}

const participationRow = z.object({
  id: z.string(),
  email: z.string(),
  status: z.string(),
  order_id: z.string().nullable(),
  order_status: z.string().nullable(),
  payment_status: z.string().nullable(),
  authorization_ref: z.string().nullable(),
});

/** A campaign's participations with their orders and payments, oldest first. */
export async function participationsOf(pool: DatabasePool, groupBuyId: string) {
  return [
    ...(await pool.any(sql.type(participationRow)`
    SELECT p.id, p.email, p.status, p.order_id, o.status AS order_status, pay.status AS payment_status, p.authorization_ref
    FROM group_buy_participations p LEFT JOIN orders o ON o.id = p.order_id LEFT JOIN payments pay ON pay.order_id = o.id
    WHERE p.group_buy_id = ${groupBuyId} ORDER BY p.created_at, p.id`)),
  ];
}

/** How many orders a campaign's participations became (the orders table itself, by the campaign's carts). */
export async function ordersOfCampaign(pool: DatabasePool, groupBuyId: string): Promise<number> {
  return pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int8 AS n FROM orders o JOIN carts c ON c.id = o.cart_id WHERE c.group_buy_id = ${groupBuyId}`);
}

const ledgerCount = z.object({ operation: z.string(), outcome: z.string(), n: z.number() });

/**
 * The test gateway's ledger for a campaign: operations (authorize, void, capture…) by outcome, counted over the
 * authorizations whose reference is one of its participations and everything done on them.
 */
export async function campaignLedger(pool: DatabasePool, groupBuyId: string): Promise<Record<string, number>> {
  const rows = await pool.any(sql.type(ledgerCount)`
    WITH auths AS (
      SELECT l.id FROM test_gateway_ledger l WHERE l.operation = 'authorize'
        AND l.reference IN (SELECT id FROM group_buy_participations WHERE group_buy_id = ${groupBuyId}))
    SELECT operation, outcome, count(*)::int8 AS n FROM test_gateway_ledger
    WHERE reference IN (SELECT id FROM group_buy_participations WHERE group_buy_id = ${groupBuyId}) OR parent_id IN (SELECT id FROM auths)
    GROUP BY operation, outcome ORDER BY operation, outcome`);
  return Object.fromEntries(rows.map((r) => [`${r.operation}:${r.outcome}`, r.n]));
}

/** Authorizations of a campaign that are neither voided nor belong to an order's payment: money held for nothing. */
export async function openAuthorizationsWithoutOrder(pool: DatabasePool, groupBuyId: string): Promise<string[]> {
  return [
    ...(await pool.anyFirst(sql.type(z.object({ id: z.string() }))`
    SELECT a.id FROM test_gateway_ledger a
    WHERE a.operation = 'authorize' AND a.outcome = 'succeeded'
      AND a.reference IN (SELECT id FROM group_buy_participations WHERE group_buy_id = ${groupBuyId})
      AND NOT EXISTS (SELECT 1 FROM test_gateway_ledger v WHERE v.parent_id = a.id AND v.operation = 'void' AND v.outcome = 'succeeded')
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.authorization_ref = a.id AND p.status IN ('authorized', 'captured'))`)),
  ];
}
