// Staff upload the bank's statement; a workflow confirms each transfer that names a pending bank-transfer order (issue 18 scope 3).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder } from '../helpers/factories.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant()));
afterAll(async () => stack?.stop());

type StatementLine = { date?: string; amount: number | string; currency?: string; reference: string; payer?: string };

/** A statement CSV as a bank exports it (header, then one line per transfer). */
function buildStatementCsv(lines: StatementLine[]): string {
  const rows = lines.map((l) => [l.date ?? '2025-12-01', l.amount, l.currency ?? 'JPY', l.reference, l.payer ?? 'YAMADA TARO']);
  return stringify([['date', 'amount', 'currency', 'reference', 'payer'], ...rows]);
}

const upload = (content: string, requestId: string = randomUUID()) =>
  stack.http
    .post('/admin/bank-statements')
    .set('Authorization', `Bearer ${tenant.admin_api_key}`)
    .set('X-Request-Id', requestId)
    .send({ format: 'csv', content });
const statement = (id: string) => stack.http.get(`/admin/bank-statements/${id}`).set('Authorization', `Bearer ${tenant.admin_api_key}`);

/** Uploads a statement and waits until its workflow has applied every line; returns the statement. */
async function uploadAndMatch(content: string, requestId?: string) {
  const res = await upload(content, requestId);
  expect(res.status).toBe(202);
  return waitFor(async () => ((await statement(res.body.id)).body.status === 'completed' ? (await statement(res.body.id)).body : null), {
    what: 'the statement matched',
    timeoutMs: 60_000,
  });
}

/** A bank-transfer order of `price` awaiting payment. */
const unpaidOrder = async (price: number) => (await placeTestOrder(stack.http, tenant, { price, stock: 5 })).order;

const moneyRow = z.object({ receipts: z.number(), received: z.number(), audits: z.number() });
/** What the database holds about an order's money: receipts, amount received, payment.confirm audit entries. */
const ledgerOf = (orderId: string) =>
  stack.pool.one(sql.type(moneyRow)`
    SELECT (SELECT count(*)::int FROM payment_receipts r WHERE r.payment_id = p.id) AS receipts, p.received_amount::int AS received,
      (SELECT count(*)::int FROM audit_log a WHERE a.resource_id = p.order_id AND a.action = 'payment.confirm') AS audits
    FROM payments p WHERE p.order_id = ${orderId} AND p.method = 'bank_transfer'`);

describe('bank statements', () => {
  test('when a statement of 6 lines is matched, then 3 orders are paid, 1 partially, 2 lines unmatched; uploaded again, nothing changes', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const [a, b, c, over, under] = await Promise.all([unpaidOrder(1500), unpaidOrder(2500), unpaidOrder(3500), unpaidOrder(1000), unpaidOrder(4000)]);
    const csv = buildStatementCsv([
      { amount: 1500, reference: a.id },
      { amount: '2,500', reference: ` ${b.id.toUpperCase()} ` },
      { amount: 3500, reference: `Payment ${c.id}`, payer: 'SATO HANAKO' },
      { amount: 1200, reference: over.id },
      { amount: 9999, reference: `ord_${randomUUID().replaceAll('-', '')}` },
      { amount: 1000, reference: under.id },
    ]);
    const requestId = randomUUID();
    const first = await uploadAndMatch(csv, requestId);

    expect(first).toMatchObject({ lines: 6, processed: 6, workflow_id: `bankStatement:${tenant.tenant_id}:${first.id}` });
    expect(first.matched).toEqual([
      { line: 2, order_id: a.id, outcome: 'paid', amount: { amount: 1500, currency: 'JPY' } },
      { line: 3, order_id: b.id, outcome: 'paid', amount: { amount: 2500, currency: 'JPY' } },
      { line: 4, order_id: c.id, outcome: 'paid', amount: { amount: 3500, currency: 'JPY' } },
      { line: 7, order_id: under.id, outcome: 'partially_paid', amount: { amount: 1000, currency: 'JPY' } },
    ]);
    expect(first.unmatched).toEqual([
      expect.objectContaining({ line: 5, reason: 'over_payment', order_id: over.id }),
      expect.objectContaining({ line: 6, reason: 'no_such_order', order_id: null }),
    ]);
    for (const paid of [a, b, c]) {
      const view = (await admin.order(paid.id)).body;
      expect([view.status, view.payments[0].status, view.payments[0].received.amount]).toEqual(['pending_shipment', 'captured', paid.total.amount]);
    }
    expect((await admin.order(under.id)).body).toMatchObject({ status: 'pending_payment', payments: [{ status: 'pending', received: { amount: 1000 } }] });
    expect((await admin.order(over.id)).body).toMatchObject({ status: 'pending_payment', payments: [{ received: { amount: 0 } }] });
    // Each confirmation names the person who uploaded the statement and the upload request, like a hand confirmation.
    const confirmers = await stack.pool.any(sql.type(z.object({ actor_key_id: z.string().nullable(), request_id: z.string().nullable() }))`
      SELECT actor_key_id, request_id FROM audit_log WHERE action = 'payment.confirm' AND resource_id IN (${sql.join([a.id, b.id, c.id, under.id], sql.fragment`, `)})`);
    expect(confirmers).toHaveLength(4);
    expect(new Set(confirmers.map((r) => r.request_id))).toEqual(new Set([requestId]));
    expect(confirmers.every((r) => r.actor_key_id !== null)).toBe(true);

    const before = await Promise.all([a, b, c, over, under].map((o) => ledgerOf(o.id)));
    const again = await uploadAndMatch(csv);
    expect(again.id).not.toBe(first.id);
    expect(again.matched.map((m: { line: number; outcome: string }) => [m.line, m.outcome])).toEqual([
      [2, 'already_applied'],
      [3, 'already_applied'],
      [4, 'already_applied'],
      [7, 'already_applied'],
    ]);
    expect(again.unmatched.map((u: { reason: string }) => u.reason)).toEqual(['over_payment', 'no_such_order']);
    expect(await Promise.all([a, b, c, over, under].map((o) => ledgerOf(o.id)))).toEqual(before);
    expect((await admin.order(under.id)).body.status).toBe('pending_payment');

    // The next statement overlaps the first and carries the rest of the partial payment: only the new line counts.
    const overlapping = await uploadAndMatch(
      buildStatementCsv([
        { amount: 1000, reference: under.id },
        { amount: 3000, date: '2025-12-02', reference: under.id },
      ]),
    );
    expect(overlapping.matched.map((m: { outcome: string }) => m.outcome)).toEqual(['already_applied', 'paid']);
    expect(await ledgerOf(under.id)).toEqual({ receipts: 2, received: 4000, audits: 2 });
    expect((await admin.order(under.id)).body.status).toBe('pending_shipment');
  });

  test('when a line is a debit, unreadable, in another currency, or names a cancelled, paid or card order, then it is unmatched with that reason', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const [cancelled, paid, usd] = await Promise.all([unpaidOrder(1000), unpaidOrder(1000), unpaidOrder(1000)]);
    const card = (await placeTestOrder(stack.http, tenant, { price: 1000, payment_method: 'card', payment_token: 'tok_visa' })).order;
    expect((await admin.cancel(cancelled.id)).status).toBe(200);
    expect((await admin.confirmPayment(paid.id, 1000)).status).toBe(200);
    const result = await uploadAndMatch(
      buildStatementCsv([
        { amount: -1000, reference: usd.id },
        { amount: '10.5', reference: usd.id },
        { amount: 1000, currency: 'USD', reference: usd.id },
        { amount: 1000, reference: cancelled.id },
        { amount: 1000, reference: paid.id },
        { amount: 1000, reference: card.id },
        { amount: 1000, reference: 'no order quoted' },
      ]),
    );
    expect(result.matched).toEqual([]);
    expect(result.unmatched.map((u: { line: number; reason: string }) => [u.line, u.reason])).toEqual([
      [2, 'not_a_credit'],
      [3, 'unparsable_line'],
      [4, 'currency_mismatch'],
      [5, 'order_cancelled'],
      [6, 'not_awaiting_payment'],
      [7, 'not_bank_transfer'],
      [8, 'no_such_order'],
    ]);
    expect((await ledgerOf(usd.id)).received).toBe(0);
    expect((await admin.order(cancelled.id)).body.status).toBe('cancelled');
  });

  test('when the CSV is malformed or lacks a column, then it is 400 problem+json and nothing is stored or started', async () => {
    const count = () =>
      stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM bank_statements WHERE tenant_id = ${tenant.tenant_id}`);
    const before = await count();
    for (const content of [
      'date,amount,currency,reference,payer\n2025-12-01,"1000,JPY,x,y\n',
      'date,amount,reference\n2025-12-01,1,x\n',
      'date,amount,currency,reference,payer\n',
    ]) {
      const res = await upload(content);
      expect([res.status, res.type, res.body.code]).toEqual([400, 'application/problem+json', 'validation_failed']);
    }
    const wrongFormat = await stack.http
      .post('/admin/bank-statements')
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({ format: 'xlsx', content: 'x' });
    expect([wrongFormat.status, wrongFormat.body.code]).toEqual([400, 'validation_failed']);
    expect(await count()).toBe(before);
    expect((await statement('bst_missing')).status).toBe(404);
  });

  test('when an upload is retried with its Idempotency-Key, then it is the same statement and one audit entry', async () => {
    const order = await unpaidOrder(1200);
    const csv = buildStatementCsv([{ amount: 1200, reference: order.id }]);
    const key = randomUUID();
    const send = (content: string) =>
      stack.http
        .post('/admin/bank-statements')
        .set('Authorization', `Bearer ${tenant.admin_api_key}`)
        .set('Idempotency-Key', key)
        .send({ format: 'csv', content });
    const [one, two] = [await send(csv), await send(csv)];
    expect([one.status, two.status, two.body.id]).toEqual([202, 202, one.body.id]);
    expect((await send(csv.replace('1200', '1100'))).status).toBe(409);
    const uploads = await stack.pool.oneFirst(
      sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM audit_log WHERE action = 'bank_statement.upload' AND resource_id = ${one.body.id}`,
    );
    expect(uploads).toBe(1);
    await waitFor(async () => (await statement(one.body.id)).body.status === 'completed' || null, { what: 'the statement matched' });
    expect(await ledgerOf(order.id)).toEqual({ receipts: 1, received: 1200, audits: 1 });
  });
});
