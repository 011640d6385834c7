// A worker process is SIGKILLed while a statement's lines are being applied; a new one takes over and every transfer is
// counted exactly once: one receipt, the order's total received, one payment.confirm audit entry per order.
import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { waitFor, type TestStack } from '../helpers/harness.ts';
import { placeTestOrder } from '../helpers/factories.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { patientAnswers, useCrashStack } from '../helpers/crash-stack.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const ORDERS = 20;
const HTTP_TIMEOUT_MS = 120_000;
const log = (msg: string) => process.stderr.write(`[bank-statement-crash] ${msg}\n`);

describe('a worker process crashes while a statement is matched', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let taskQueue: string;
  let workers: WorkerProcess[];
  useCrashStack('statement-crash', { config: patientAnswers(HTTP_TIMEOUT_MS) }, (c) => ({ stack, tenant, taskQueue, workers } = c));

  test('when the worker is killed midway through the lines and a new one starts, then every order is paid exactly once', async () => {
    const orders: { id: string; total: { amount: number } }[] = [];
    for (let i = 0; i < ORDERS; i += 5) {
      const batch = await Promise.all(Array.from({ length: 5 }, (_, j) => placeTestOrder(stack.http, tenant, { price: 1000 + (i + j) * 10, stock: 2 })));
      orders.push(...batch.map((b) => b.order));
    }
    const content = stringify([
      ['date', 'amount', 'currency', 'reference', 'payer'],
      ...orders.map((o, i) => ['2025-12-01', o.total.amount, 'JPY', o.id, `PAYER ${i}`]),
    ]);
    const uploaded = await stack.http
      .post('/admin/bank-statements')
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .set('X-Request-Id', randomUUID())
      .send({ format: 'csv', content });
    expect(uploaded.status).toBe(202);
    const statementId: string = uploaded.body.id;
    const decided = () =>
      stack.pool.oneFirst(
        sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM bank_statement_lines WHERE statement_id = ${statementId} AND outcome IS NOT NULL`,
      );

    await waitFor(async () => (await decided()) >= 3 || null, { intervalMs: 20, what: 'a few lines applied', timeoutMs: 60_000 });
    await workers[0].kill();
    expect((await workers[0].exited).signal).toBe('SIGKILL');
    const atKill = await decided();
    log(`SIGKILLed worker pid ${workers[0].pid} with ${atKill} of ${ORDERS} lines decided`);
    expect(atKill).toBeLessThan(ORDERS);

    workers.push(await startWorkerProcess(taskQueue));
    const view = await waitFor(
      async () => {
        const res = await stack.http.get(`/admin/bank-statements/${statementId}`).set('Authorization', `Bearer ${tenant.admin_api_key}`);
        return res.body.status === 'completed' ? res.body : null;
      },
      { what: 'the statement completed by the new worker', timeoutMs: 120_000 },
    );
    expect(view.unmatched).toEqual([]);
    expect(view.matched.map((m: { order_id: string; outcome: string }) => [m.order_id, m.outcome])).toEqual(orders.map((o) => [o.id, 'paid']));

    const ledger = await stack.pool.any(sql.type(
      z.object({ order_id: z.string(), status: z.string(), receipts: z.number(), received: z.number(), audits: z.number() }),
    )`
      SELECT o.id AS order_id, o.status, (SELECT count(*)::int FROM payment_receipts r WHERE r.payment_id = p.id) AS receipts,
        p.received_amount::int AS received,
        (SELECT count(*)::int FROM audit_log a WHERE a.resource_id = o.id AND a.action = 'payment.confirm') AS audits
      FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.tenant_id = ${tenant.tenant_id} ORDER BY o.created_at`);
    expect(ledger).toHaveLength(ORDERS);
    const wrong = ledger.filter(
      (l) => l.status !== 'pending_shipment' || l.receipts !== 1 || l.audits !== 1 || l.received !== orders.find((o) => o.id === l.order_id)!.total.amount,
    );
    expect(wrong).toEqual([]);
  }, 300_000);
});
