// Issue 17 scope 3: a refund of a mall order takes each vendor's share back; statements pay a vendor's lines once.
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';

type Line = { id: string; order_id: string; kind: string; status: string; statement_id: string | null; reference: string | null; net: { amount: number } };

let stack: TestStack;
let mall: CreatedTenant;

beforeAll(async () => ({ stack, tenant: mall } = await startStackWithTenant({ mode: 'mall' })));
afterAll(async () => stack?.stop());

/** A vendor with a key and one product (1000 JPY). */
async function newVendor(commission_rate_bps: number) {
  const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps });
  const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price: 1000, stock: 50 });
  const key = (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key;
  return { id, variantId, key, portal: vendorPortal(stack.http, key) };
}

/** The vendor's payout lines as its own portal lists them. */
const linesOf = async (key: string) => (await stack.http.get('/vendor/payouts?limit=100').set('Authorization', `Bearer ${key}`)).body.items as Line[];

/** Places an order of `lines`, ships and delivers every shipment (COD with its cash), and waits for its sale payout lines. */
async function completedOrder(lines: { variantId: string; quantity: number }[], payment = 'cod', overrides: object = {}) {
  const admin = backOffice(stack.http, mall.admin_api_key);
  const { order } = await placeMallOrder(stack.http, mall, lines, payment, overrides);
  const shipments = await waitFor(
    async () => {
      const { body } = await admin.order(order.id);
      const all = (body.shipments ?? []) as { id: string; cod_amount: { amount: number; currency: string } | null }[];
      return all.length === new Set(lines.map((l) => l.variantId)).size ? all : null;
    },
    { what: 'the shipments' },
  );
  for (const s of shipments) expect((await admin.ship(s.id)).status).toBe(200);
  for (const s of shipments) expect((await admin.deliver(s.id, s.cod_amount ?? undefined)).status).toBe(200);
  await waitFor(async () => (await admin.order(order.id)).body.status === 'completed', { what: 'the order to complete' });
  return order;
}

const auditCount = (resourceId: string, action: string) =>
  stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${resourceId} AND action = ${action}`);

describe('refunds and payouts', () => {
  test('when a two-vendor card order is partly refunded, then each vendor gets a negative refund line of its share with commission returned pro rata, and a retry adds nothing', async () => {
    const [v1, v2] = [await newVendor(1000), await newVendor(500)];
    const order = await completedOrder(
      [
        { variantId: v1.variantId, quantity: 2 },
        { variantId: v2.variantId, quantity: 1 },
      ],
      'card',
      { payment_token: 'tok_visa' },
    );
    expect(order.total).toEqual({ amount: 3000, currency: 'JPY' });
    await waitFor(async () => (await linesOf(v1.key)).length === 1 && (await linesOf(v2.key)).length === 1, { what: 'the sale lines' });

    const refund = () =>
      stack.http
        .post(`/admin/orders/${order.id}/refunds`)
        .set('Authorization', `Bearer ${mall.admin_api_key}`)
        .set('Idempotency-Key', `refund-${order.id}`)
        .send({ amount: { amount: 1500, currency: 'JPY' }, reason: 'one cup arrived broken' });
    const res = await refund();
    expect(res.status).toBe(200);
    expect((await refund()).status).toBe(200);

    // 1500 of 3000 refunded: v1 sold 2000 → gives back 1000 (commission 10 % → 100), v2 sold 1000 → gives back 500 (5 % → 25).
    const l1 = await linesOf(v1.key);
    expect(l1).toHaveLength(2);
    expect(l1.find((l) => l.kind === 'refund')).toMatchObject({
      order_id: order.id,
      status: 'pending',
      gross: { amount: -1000, currency: 'JPY' },
      commission: { amount: -100, currency: 'JPY' },
      net: { amount: -900, currency: 'JPY' },
    });
    expect(l1.reduce((sum, l) => sum + l.net.amount, 0)).toBe(1800 - 900);
    const l2 = await linesOf(v2.key);
    expect(l2.find((l) => l.kind === 'refund')).toMatchObject({ gross: { amount: -500 }, commission: { amount: -25 }, net: { amount: -475 } });
    expect(l2.reduce((sum, l) => sum + l.net.amount, 0)).toBe(950 - 475);
  });

  test('when a statement is made up to a time and paid, then it holds exactly the unpaid lines up to then, pays each once, and its lines cannot be paid again', async () => {
    const v = await newVendor(1000);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const first = await completedOrder([{ variantId: v.variantId, quantity: 1 }]);
    await waitFor(async () => (await linesOf(v.key)).length === 1, { what: 'the first line' });
    const between = new Date().toISOString();
    const second = await completedOrder([{ variantId: v.variantId, quantity: 2 }]);
    const lines = await waitFor(async () => ((await linesOf(v.key)).length === 2 ? await linesOf(v.key) : null), { what: 'the second line' });
    const lineOf = (orderId: string) => lines.find((l) => l.order_id === orderId)!;

    const early = await office.createStatement(v.id, between);
    expect(early.status).toBe(201);
    expect(early.body).toMatchObject({
      vendor_id: v.id,
      status: 'pending',
      line_count: 1,
      net: { amount: 900, currency: 'JPY' },
      payout_ids: [lineOf(first.id).id],
    });
    const rest = await office.createStatement(v.id, new Date().toISOString());
    expect(rest.body).toMatchObject({ line_count: 1, net: { amount: 1800, currency: 'JPY' }, payout_ids: [lineOf(second.id).id] });
    const none = await office.createStatement(v.id, new Date().toISOString());
    expect([none.status, none.body.code]).toEqual([409, 'conflict']);

    // A line in a statement is paid with it, never on its own.
    expect((await office.pay(lineOf(first.id).id)).status).toBe(409);
    const paid = await office.payStatement(early.body.id, 'wire-2026-11');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: early.body.id, status: 'paid', reference: 'wire-2026-11', paid_at: expect.any(String) });
    const again = await office.payStatement(early.body.id, 'wire-twice');
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
    expect((await office.payStatement('pst_unknown')).status).toBe(404);

    const after = await linesOf(v.key);
    expect(after.find((l) => l.order_id === first.id)).toMatchObject({ status: 'paid', reference: 'wire-2026-11', statement_id: early.body.id });
    expect(after.find((l) => l.order_id === second.id)).toMatchObject({ status: 'pending', reference: null, statement_id: rest.body.id });
    expect(await auditCount(early.body.id, 'payout_statement.create')).toBe(1);
    expect(await auditCount(early.body.id, 'payout_statement.pay')).toBe(1);

    const bad = await office.createStatement(v.id, 'yesterday');
    expect(bad.status).toBe(400);
    expect((await office.createStatement('ven_unknown', new Date().toISOString())).status).toBe(404);
  });
});
