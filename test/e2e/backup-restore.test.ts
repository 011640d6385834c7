// The README's backup-and-restore runbook, end to end: the database is dumped with pg_dump and restored into a fresh
// database; Temporal (restored from an older backup) lacks the orders' workflows; the reconciler resumes them.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startStackWithTenant, startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder } from '../helpers/factories.ts';
import { ensureOrderReconcilerSchedule } from '../../workers/setup.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, paymentWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const run = promisify(execFile);
let original: TestStack;
let restored: TestStack | undefined;
let tenant: CreatedTenant;
let dir: string;
const restoredName = `restored_${Date.now()}_${process.pid}`;
const withDatabase = (url: string, name: string) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

/** Runs one statement on the server's maintenance database. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(process.env.DATABASE_URL!, 'postgres') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ({ stack: original, tenant } = await startStackWithTenant());
  dir = await mkdtemp(path.join(tmpdir(), 'commerce-backup-'));
});
afterAll(async () => {
  await restored?.temporal.schedule
    .getHandle(`order-reconciler-${restored.taskQueue}`)
    .delete()
    .catch(() => undefined);
  await restored?.stop();
  await original?.stop();
  await admin(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  test('when the database is restored from a pg_dump and Temporal lacks the orders’ workflows, then the reconciler resumes them and they can be paid and shipped', async () => {
    const unpaid = await placeTestOrder(original.http, tenant, { price: 1200, stock: 3 });
    const cod = await placeTestOrder(original.http, tenant, { price: 800, stock: 3, payment_method: 'cod' });
    const ownerOriginal = backOffice(original.http, tenant.admin_api_key);
    await waitFor(async () => (await ownerOriginal.order(cod.order.id)).body.shipments[0], { what: 'the COD shipment' });

    // Back up, then restore into a fresh database (the runbook's commands).
    const dump = path.join(dir, 'commerce.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', '--file', dump, process.env.DATABASE_URL!]);
    await admin(`CREATE DATABASE "${restoredName}"`);
    const restoredUrl = withDatabase(process.env.DATABASE_URL!, restoredName);
    await run('pg_restore', ['--no-owner', '--no-acl', '--dbname', restoredUrl, dump]);

    // The Temporal store was backed up before these orders: their workflows are not there.
    for (const id of [
      checkoutWorkflowId(tenant.tenant_id, unpaid.cartId),
      paymentWorkflowId(tenant.tenant_id, unpaid.order.id),
      checkoutWorkflowId(tenant.tenant_id, cod.cartId),
      fulfillmentWorkflowId(tenant.tenant_id, cod.order.id),
    ]) {
      await original.temporal.workflow
        .getHandle(id)
        .terminate('not in the restored Temporal backup')
        .catch(() => undefined);
    }
    await original.stopWorker();

    // The restored deployment: worker and API on the restored database, the order-reconciler Schedule as the worker creates it.
    restored = await startTestStack({ config: { DATABASE_URL: restoredUrl } });
    const owner = backOffice(restored.http, tenant.admin_api_key);
    expect((await owner.order(unpaid.order.id)).body).toMatchObject({ status: 'pending_payment', needs_attention: true });
    await ensureOrderReconcilerSchedule(restored.temporal, {
      taskQueue: restored.taskQueue,
      everyMs: 2_000,
      graceMs: 1_000,
      tenantIds: [tenant.tenant_id],
      scheduleId: `order-reconciler-${restored.taskQueue}`,
    });

    type View = { status: string; needs_attention: boolean; workflows: { type: string; status: string }[]; shipments: { id: string }[] };
    const live = (orderId: string, type: string, ready: (body: View) => boolean = () => true) =>
      waitFor(
        async () => {
          const body = (await owner.order(orderId)).body as View;
          return !body.needs_attention && body.workflows.some((w) => w.type === type && w.status === 'RUNNING') && ready(body) ? body : null;
        },
        { what: `${orderId} resumed with a running ${type}`, timeoutMs: 20_000 },
      );
    await live(unpaid.order.id, 'paymentConfirmation');
    const paid = await owner.confirmPayment(unpaid.order.id, 1200);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('pending_shipment');

    // The single brand's parcel is followed by the fulfillment itself, once the resumed fulfillment has created it.
    const codView = await live(cod.order.id, 'fulfillment', (body) => body.shipments.length > 0);
    const shipment = codView.shipments[0]!;
    expect((await owner.ship(shipment.id)).status).toBe(200);
    expect((await owner.deliver(shipment.id, { amount: cod.order.total.amount, currency: 'JPY' })).status).toBe(200);
    await waitFor(async () => (await owner.order(cod.order.id)).body.status === 'completed', { what: 'the COD order to complete' });
  });
});
