// A worker process is SIGKILLed between the two vendors' `shipped` events of a mall order; a new one takes over and
// the order still completes, with each vendor's payout line exactly once and the stock exactly accounted for.
import { z } from 'zod';
import { waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, outboxEvents, stockOf } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { patientAnswers, useCrashStack } from '../helpers/crash-stack.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { createVendorKey } from '../../db/queries/api-keys.ts';

// Calls that need the worker wait on a workflow update; give them far more than a worker restart.
const HTTP_TIMEOUT_MS = 120_000;
const STOCK = 10;

const log = (msg: string) => process.stderr.write(`[mall-worker-crash] ${msg}\n`);

describe('a worker process crashes between two vendors shipping', () => {
  let stack: TestStack;
  let mall: CreatedTenant;
  let taskQueue: string;
  let workers: WorkerProcess[];
  // Vendors wait through the crash on purpose: the 503 answer bound is tested elsewhere (bounded-input-and-answers).
  useCrashStack('mall-crash', { config: patientAnswers(HTTP_TIMEOUT_MS), mode: 'mall' }, (c) => ({ stack, tenant: mall, taskQueue, workers } = c));

  test("when the worker is killed after vendor 1 ships and vendor 2 ships while a new worker starts, then vendor 2's call is answered by the new worker, both deliver, the order completes, each vendor gets one payout line and stock adds up", async () => {
    const admin = backOffice(stack.http, mall.admin_api_key);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const vendors = [];
    for (const bps of [1000, 500]) {
      const id = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: bps });
      const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, id, { price: 1000, stock: STOCK });
      vendors.push({ id, variantId, portal: vendorPortal(stack.http, (await createVendorKey(stack.pool, mall.tenant_id, id)).api_key) });
    }
    const [v1, v2] = vendors;
    const { order } = await placeMallOrder(
      stack.http,
      mall,
      [
        { variantId: v1.variantId, quantity: 2 },
        { variantId: v2.variantId, quantity: 3 },
      ],
      'bank_transfer',
    );
    expect((await admin.confirmPayment(order.id, 5000)).status).toBe(200);
    const shipments = await waitFor(
      async () => {
        const { body } = await admin.order(order.id);
        return body.shipments?.length === 2 ? (body.shipments as { id: string; vendor_id: string }[]) : null;
      },
      { what: 'two shipments, one per vendor' },
    );
    const s1 = shipments.find((s) => s.vendor_id === v1.id)!.id;
    const s2 = shipments.find((s) => s.vendor_id === v2.id)!.id;

    expect((await v1.portal.ship(s1)).status).toBe(200);
    expect((await admin.order(order.id)).body.status).toBe('partially_shipped');

    await workers[0].kill();
    expect((await workers[0].exited).signal).toBe('SIGKILL');
    log(`SIGKILLed worker pid ${workers[0].pid} after vendor 1 shipped`);
    // Vendor 2 ships while no worker runs: the call waits on its workflow update until a new worker takes over.
    let answeredWithoutWorker = false;
    const shipping2 = Promise.resolve(v2.portal.ship(s2).timeout({ response: HTTP_TIMEOUT_MS, deadline: HTTP_TIMEOUT_MS })).then((res) => {
      answeredWithoutWorker = workers.length === 1;
      return res;
    });
    workers.push(await startWorkerProcess(taskQueue));
    log(`second worker pid ${workers[1].pid} polling`);

    const shipped2 = await shipping2;
    expect([shipped2.status, shipped2.body.status]).toEqual([200, 'shipped']);
    expect(answeredWithoutWorker).toBe(false);
    expect((await admin.order(order.id)).body.status).toBe('shipped');
    const delivered1 = await v1.portal.deliver(s1).timeout({ response: HTTP_TIMEOUT_MS, deadline: HTTP_TIMEOUT_MS });
    expect([delivered1.status, delivered1.body.status]).toEqual([200, 'delivered']);
    const delivered2 = await v2.portal.deliver(s2).timeout({ response: HTTP_TIMEOUT_MS, deadline: HTTP_TIMEOUT_MS });
    expect([delivered2.status, delivered2.body.status]).toEqual([200, 'delivered']);
    expect((await admin.order(order.id)).body.status).toBe('completed');

    // Every workflow of the order completed under the new worker; fulfillment recorded the payouts on its way out.
    const workflows = await waitFor(
      async () => {
        const wfs = (await admin.order(order.id)).body.workflows as { type: string; status: string }[];
        return wfs.length === 5 && wfs.every((w) => w.status === 'COMPLETED') ? wfs : null;
      },
      { timeoutMs: 60_000, what: 'every workflow of the order to complete' },
    );
    expect(workflows.map((w) => w.type).sort()).toEqual(['checkout', 'fulfillment', 'paymentConfirmation', 'shipment', 'shipment']);

    // Exactly one payout line per vendor (the rows and their events), nothing lost or doubled by the crash.
    const lines = await stack.pool.any(sql.type(z.object({ vendor_id: z.string(), gross: z.number(), commission: z.number(), net: z.number() }))`
      SELECT vendor_id, gross, commission, net FROM payouts WHERE order_id = ${order.id} ORDER BY vendor_id`);
    expect(lines).toEqual(
      [
        { vendor_id: v1.id, gross: 2000, commission: 200, net: 1800 },
        { vendor_id: v2.id, gross: 3000, commission: 150, net: 2850 },
      ].sort((a, b) => a.vendor_id.localeCompare(b.vendor_id)),
    );
    expect((await office.payouts(v1.id)).body.items).toEqual([
      expect.objectContaining({ order_id: order.id, status: 'pending', net: { amount: 1800, currency: 'JPY' } }),
    ]);
    expect((await office.payouts(v2.id)).body.items).toEqual([
      expect.objectContaining({ order_id: order.id, status: 'pending', net: { amount: 2850, currency: 'JPY' } }),
    ]);
    expect((await outboxEvents(stack.pool, 'payout.created', 'order_id', order.id)).map((e) => e.payload.vendor_id).sort()).toEqual([v1.id, v2.id].sort());

    // Stock: exactly the shipped quantities left on_hand, nothing still reserved or held.
    expect(await stockOf(stack.pool, v1.variantId)).toEqual({ on_hand: STOCK - 2, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, v2.variantId)).toEqual({ on_hand: STOCK - 3, reserved: 0, holds_total: 0 });
    const completedNotices = workers.flatMap((w) => w.logs).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('notification order_completed')).length;
    log(`${completedNotices} order_completed notification(s) logged`);
  }, 300_000);
});
