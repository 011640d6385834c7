// Group buying end to end (issue 17 scope 4): real PostgreSQL, Temporal and worker; the test card gateway's own ledger.
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, holdsOfCart, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import { buildGroupBuy, buildJoin, campaignLedger, groupBuys, ordersOfCampaign, participationsOf } from '../helpers/group-buys.ts';
import { releaseExpiredCartHolds, releaseExpiredHoldsBatch } from '../../db/queries/holds.ts';
import { sql } from '../../db/sql.ts';
import { participationIds } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const SETTLED_MS = 60_000;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()), 60_000);
afterAll(async () => stack?.stop());

const api = () => groupBuys(stack.http, tenant);
const newVariant = async (stock = 10) => (await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock })).variantId;
const settled = (id: string, status: string) =>
  waitFor(async () => ((await api().get(id)).body.status === status ? true : null), { timeoutMs: SETTLED_MS, what: `group buy ${id} to be ${status}` });
async function campaign(variantId: string, overrides: Parameters<typeof buildGroupBuy>[1] = {}): Promise<string> {
  const res = await api().create(buildGroupBuy(variantId, overrides));
  expect(res.status).toBe(201);
  return res.body.id;
}
const sentTo = (template: string, groupBuyId: string) =>
  stack.notifier.sent.filter((n) => n.template === template && n.data.group_buy_id === groupBuyId).map((n) => n.to);

test('when three join a campaign of minimum 3, then at its deadline each becomes a card order pending_shipment, the gateway shows three authorizations, everyone is e-mailed, and a shipped one is captured', async () => {
  const variantId = await newVariant();
  const id = await campaign(variantId, { min_participants: 3, endsInMs: 6_000 });
  const joins = [buildJoin(), buildJoin(), buildJoin()];
  for (const body of joins) {
    const res = await api().join(id, body);
    expect([res.status, res.body.status]).toEqual([201, 'pending']);
    expect(res.body.participation_id).toMatch(/^gbp_/);
  }
  expect((await api().get(id)).body).toMatchObject({
    id,
    status: 'open',
    participants: 3,
    min_participants: 3,
    max_participants: null,
    price: { amount: 800, currency: 'JPY' },
  });
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 3, holds_total: 3 });

  await settled(id, 'succeeded');
  const participations = await participationsOf(stack.pool, id);
  expect(participations.map((p) => [p.status, p.order_status, p.payment_status])).toEqual(Array(3).fill(['ordered', 'pending_shipment', 'authorized']));
  expect(await ordersOfCampaign(stack.pool, id)).toBe(3);
  expect(await campaignLedger(stack.pool, id)).toEqual({ 'authorize:succeeded': 3 });
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 3, holds_total: 3 });
  await waitFor(async () => sentTo('group_buy_succeeded', id).length === 3 || null, { what: 'three success e-mails' });
  expect(sentTo('group_buy_succeeded', id).sort()).toEqual(joins.map((j) => j.email).sort());

  // The order flows through the normal fulfillment: shipped, its authorization is captured (the campaign price, once).
  const admin = backOffice(stack.http, tenant.admin_api_key);
  const orderId = participations[0].order_id!;
  const order = (await admin.order(orderId)).body;
  expect([order.total, order.payments[0].method]).toEqual([{ amount: 800, currency: 'JPY' }, 'card']);
  const shipment = await waitFor(async () => (await admin.order(orderId)).body.shipments?.[0] as { id: string } | undefined, { what: 'the shipment' });
  expect((await admin.ship(shipment.id)).status).toBe(200);
  await waitFor(async () => ((await admin.order(orderId)).body.payments[0].status === 'captured' ? true : null), { what: 'the capture' });
  expect(await campaignLedger(stack.pool, id)).toEqual({ 'authorize:succeeded': 3, 'capture:succeeded': 1 });
}, 120_000);

test('when two join a campaign of minimum 3, then at its deadline it fails: no order, both authorizations voided, the stock back, both e-mailed; a later join is 409', async () => {
  const variantId = await newVariant();
  const id = await campaign(variantId, { min_participants: 3, endsInMs: 5_000 });
  const joins = [buildJoin(), buildJoin()];
  for (const body of joins) expect((await api().join(id, body)).status).toBe(201);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 2, holds_total: 2 });

  await settled(id, 'failed');
  expect(await ordersOfCampaign(stack.pool, id)).toBe(0);
  expect(await campaignLedger(stack.pool, id)).toEqual({ 'authorize:succeeded': 2, 'void:succeeded': 2 });
  expect((await participationsOf(stack.pool, id)).map((p) => p.status)).toEqual(['voided', 'voided']);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });
  await waitFor(async () => sentTo('group_buy_failed', id).length === 2 || null, { what: 'two failure e-mails' });
  expect(sentTo('group_buy_failed', id).sort()).toEqual(joins.map((j) => j.email).sort());

  const late = await api().join(id);
  expect([late.status, late.body.code]).toEqual([409, 'conflict']);
  expect(late.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });
}, 120_000);

test('when a campaign of at most 2 has two participants, then a third join is 409 and the campaign closes before its deadline', async () => {
  const variantId = await newVariant();
  const id = await campaign(variantId, { min_participants: 2, max_participants: 2, endsInMs: 3_600_000 });
  expect((await api().join(id)).status).toBe(201);
  expect((await api().join(id)).status).toBe(201);
  const third = await api().join(id);
  expect([third.status, third.body.code]).toEqual([409, 'conflict']);
  await settled(id, 'succeeded');
  expect(await ordersOfCampaign(stack.pool, id)).toBe(2);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 2, holds_total: 2 });
}, 120_000);

test('when the card is declined, then the join is 402 card_declined and nothing stays held; the same e-mail may join with another card', async () => {
  const variantId = await newVariant(5);
  const id = await campaign(variantId);
  const body = buildJoin({ payment_token: 'tok_declined' });
  const declined = await api().join(id, body);
  expect([declined.status, declined.body.code]).toEqual([402, 'card_declined']);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 0, holds_total: 0 });
  const [attempt] = await participationsOf(stack.pool, id);
  expect(attempt.status).toBe('declined');
  expect(await holdsOfCart(stack.pool, participationIds(attempt.id).cartId)).toEqual({ released: 1 });
  expect((await api().get(id)).body.participants).toBe(0);

  expect((await api().join(id, { ...body, payment_token: 'tok_visa' })).status).toBe(201);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 1, holds_total: 1 });
}, 60_000);

test('when the same e-mail joins twice (in any case), then the second is 409 and holds nothing more', async () => {
  const variantId = await newVariant(5);
  const id = await campaign(variantId);
  const body = buildJoin();
  expect((await api().join(id, body)).status).toBe(201);
  const again = await api().join(id, { ...buildJoin(), email: body.email.toUpperCase() });
  expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  expect(again.body.detail).toMatch(/already joined/);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 1, holds_total: 1 });
  expect((await api().get(id)).body.participants).toBe(1);
}, 60_000);

test('when the last unit is taken, then a join is 409 insufficient_stock and nothing is authorized', async () => {
  const variantId = await newVariant(1);
  const id = await campaign(variantId);
  expect((await api().join(id)).status).toBe(201);
  const none = await api().join(id);
  expect([none.status, none.body.code]).toEqual([409, 'insufficient_stock']);
  expect(await campaignLedger(stack.pool, id)).toEqual({ 'authorize:succeeded': 1 });
}, 60_000);

test('when ends_at lies beyond the card authorization lifetime, then creation is 422 authorization_window_exceeded naming the limit, and nothing is created', async () => {
  const variantId = await newVariant();
  const count = () => stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM group_buys WHERE variant_id = ${variantId}`);
  const res = await api().create(buildGroupBuy(variantId, { endsInMs: 8 * 86_400_000 }));
  expect([res.status, res.body.code]).toEqual([422, 'authorization_window_exceeded']);
  expect(res.body.detail).toMatch(/168 h \(CARD_AUTHORIZATION_VALIDITY\)/);
  expect(await count()).toBe(0);
}, 30_000);

test('when a request is malformed or names nothing, then it is a 4xx problem and changes nothing', async () => {
  const variantId = await newVariant();
  const cases = [
    [{ ...buildGroupBuy(variantId), ends_at: new Date(Date.now() - 1000).toISOString() }, 400],
    [{ ...buildGroupBuy(variantId), min_participants: 3, max_participants: 2 }, 400],
    [{ ...buildGroupBuy(variantId), variant_id: 'var_nope' }, 400],
    [{ ...buildGroupBuy(variantId), price: { amount: 800, currency: 'USD' } }, 400],
    [{ ...buildGroupBuy(variantId), min_participants: 0 }, 400],
  ] as const;
  for (const [body, status] of cases) {
    const res = await api().create(body);
    expect([res.status, res.body.code]).toEqual([status, 'validation_failed']);
  }
  expect((await api().get('gb_nope')).status).toBe(404);
  expect((await api().join('gb_nope')).status).toBe(404);
  const id = await campaign(variantId);
  const bad = await api().join(id, { email: 'not-an-email', payment_token: 'tok_visa', shipping_address: {} });
  expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });
}, 30_000);

test("when a campaign's hold is past its expiry time, then neither the sweeper nor the cart's expiry releases it, while an ordinary expired hold is released", async () => {
  const variantId = await newVariant(5);
  const id = await campaign(variantId);
  expect((await api().join(id)).status).toBe(201);
  const [p] = await participationsOf(stack.pool, id);
  const campaignCart = participationIds(p.id).cartId;
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  const expire = (cartId: string) =>
    stack.pool.query(sql.type(z.object({}))`UPDATE holds SET expires_at = now() - interval '1 minute' WHERE cart_id = ${cartId} AND status = 'held'`);
  await expire(campaignCart);
  await expire(cart.id);

  await releaseExpiredHoldsBatch(stack.pool, 1000);
  await releaseExpiredCartHolds(stack.pool, tenant.tenant_id, campaignCart);
  expect(await holdsOfCart(stack.pool, campaignCart)).toEqual({ held: 1 });
  expect(await holdsOfCart(stack.pool, cart.id)).toEqual({ released: 1 });
  expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 5, reserved: 1, holds_total: 1 });
}, 30_000);
