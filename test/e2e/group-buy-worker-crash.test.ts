// A worker process is SIGKILLed at a group buy's deadline; a new one takes over: still exactly one order per participant
// of the campaign that succeeded, and no authorization left open by the one that failed (issue 17 scope 4).
import { waitFor, type TestStack } from '../helpers/harness.ts';
import { seedProduct, stockOf } from '../helpers/factories.ts';
import {
  buildGroupBuy,
  buildJoin,
  campaignLedger,
  groupBuys,
  openAuthorizationsWithoutOrder,
  ordersOfCampaign,
  participationsOf,
} from '../helpers/group-buys.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { patientAnswers, useCrashStack } from '../helpers/crash-stack.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const HTTP_TIMEOUT_MS = 120_000;
const log = (msg: string) => process.stderr.write(`[group-buy-crash] ${msg}\n`);

describe('a worker process crashes at the deadline of two group buys', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let taskQueue: string;
  let workers: WorkerProcess[];
  useCrashStack('groupbuy-crash', { config: patientAnswers(HTTP_TIMEOUT_MS) }, (c) => ({ stack, tenant, taskQueue, workers } = c));

  test('when the worker is SIGKILLed as the deadline passes and a new worker starts, then the campaign of 6 joiners (min 3) has exactly one order per participant and the one of 2 (min 3) has every authorization voided and its stock back', async () => {
    const api = groupBuys(stack.http, tenant);
    const winner = (await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 10 })).variantId;
    const loser = (await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 10 })).variantId;
    // Both end at the same instant, far enough ahead for eight joins through the worker.
    const endsInMs = 12_000;
    const created = await Promise.all([winner, loser].map((v) => api.create(buildGroupBuy(v, { min_participants: 3, endsInMs }))));
    expect(created.map((r) => r.status)).toEqual([201, 201]);
    const [won, lost] = created.map((r) => r.body as { id: string; ends_at: string });
    for (let i = 0; i < 6; i++) expect((await api.join(won.id, buildJoin())).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await api.join(lost.id, buildJoin())).status).toBe(201);

    // The kill lands once settling has begun (the first order placed or the first authorization voided), before it is done.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(won.ends_at) - Date.now())));
    const settling = async () =>
      (await ordersOfCampaign(stack.pool, won.id)) > 0 || (await participationsOf(stack.pool, lost.id)).some((p) => p.status === 'voided') || null;
    await waitFor(settling, { intervalMs: 5, timeoutMs: 30_000, what: 'settling to begin' });
    await workers[0].kill();
    expect((await workers[0].exited).signal).toBe('SIGKILL');
    const ordersAtKill = await ordersOfCampaign(stack.pool, won.id);
    const voidedAtKill = (await participationsOf(stack.pool, lost.id)).filter((p) => p.status === 'voided').length;
    const statusesAtKill = [(await api.get(won.id)).body.status, (await api.get(lost.id)).body.status];
    log(`SIGKILLed worker pid ${workers[0].pid} while settling: ${ordersAtKill} of 6 orders placed, ${voidedAtKill} of 2 voided, rows ${statusesAtKill}`);
    workers.push(await startWorkerProcess(taskQueue));

    const settled = (id: string, status: string) =>
      waitFor(async () => ((await api.get(id)).body.status === status ? true : null), { timeoutMs: 90_000, what: `${id} ${status}` });
    await Promise.all([settled(won.id, 'succeeded'), settled(lost.id, 'failed')]);

    const participations = await participationsOf(stack.pool, won.id);
    expect(participations.map((p) => [p.status, p.order_status, p.payment_status])).toEqual(Array(6).fill(['ordered', 'pending_shipment', 'authorized']));
    expect(new Set(participations.map((p) => p.order_id)).size).toBe(6);
    expect(await ordersOfCampaign(stack.pool, won.id)).toBe(6);
    expect(await campaignLedger(stack.pool, won.id)).toEqual({ 'authorize:succeeded': 6 });
    expect(await openAuthorizationsWithoutOrder(stack.pool, won.id)).toEqual([]);
    expect(await stockOf(stack.pool, winner)).toEqual({ on_hand: 10, reserved: 6, holds_total: 6 });

    expect(await ordersOfCampaign(stack.pool, lost.id)).toBe(0);
    expect(await campaignLedger(stack.pool, lost.id)).toEqual({ 'authorize:succeeded': 2, 'void:succeeded': 2 });
    expect(await openAuthorizationsWithoutOrder(stack.pool, lost.id)).toEqual([]);
    expect(await stockOf(stack.pool, loser)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });

    // Each order is driven by its own orderResume run, which the back office's cancellation reaches.
    const described = await stack.temporal.workflow.getHandle(`order-resume:${tenant.tenant_id}:${participations[0].order_id}`).describe();
    expect(described.status.name).toBe('RUNNING');
  }, 300_000);
});
