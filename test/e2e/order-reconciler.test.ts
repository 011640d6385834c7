// Operators cannot strand an order: a checkout terminated as the Temporal UI does is found by the order-reconciler Schedule
// and resumed from the database (or, when it cannot resume, cancelled with its stock released); POST …/resume repairs at once.
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, orderOfCart, placeTestOrder, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import { ensureOrderReconcilerSchedule } from '../../workers/setup.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId, orderResumeWorkflowId } from '../../domain/ids.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import type { WorkflowSignatures } from '../../contracts/workflows.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let scheduleId: string;
// Reconciler runs every 2 s over orders older than 1 s: "within one interval" is interval + grace + a pass, with slack for this busy machine.
const WITHIN_ONE_INTERVAL = { timeoutMs: 15_000 };

type Wf = { id: string; type: string; status: string };

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({
    config: { CHECKOUT_ANSWER_TIMEOUT: '5s' },
    // A card gateway that never answers: the order waits in pending_payment until its checkout is lost.
    activityOverrides: {
      authorizeCardPayment: () =>
        Context.current()
          .sleep(120_000)
          .then(() => ({ orderStatus: 'pending_payment', cardRef: null })),
    },
  }));
  scheduleId = await ensureOrderReconcilerSchedule(stack.temporal, {
    taskQueue: stack.taskQueue,
    everyMs: 2_000,
    graceMs: 1_000,
    tenantIds: [tenant.tenant_id],
    scheduleId: `order-reconciler-${stack.taskQueue}`,
  });
});
afterAll(async () => {
  await stack?.temporal.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await stack?.stop();
});

/** Terminates the order's checkout as an operator does in the Temporal UI (its children go with it unless abandoned). */
async function terminateCheckout(tenantId: string, cartId: string): Promise<void> {
  await stack.temporal.workflow.getHandle(checkoutWorkflowId(tenantId, cartId)).terminate('terminated by an operator in the UI');
}

/** The admin order view once `accept` holds for it. */
function orderOnce(
  apiKey: string,
  orderId: string,
  accept: (o: { status: string; needs_attention: boolean; workflows: Wf[]; shipments: { id: string }[] }) => boolean,
  what: string,
  opts = {},
) {
  return waitFor(
    async () => {
      const body = (await backOffice(stack.http, apiKey).order(orderId)).body;
      return accept(body) ? (body as { status: string; needs_attention: boolean; workflows: Wf[]; shipments: { id: string }[] }) : null;
    },
    { what, ...opts },
  );
}
const resumeAs = (apiKey: string, orderId: string) => stack.http.post(`/admin/orders/${orderId}/resume`).set('Authorization', `Bearer ${apiKey}`).send({});
const running = (wfs: Wf[], type: string) => wfs.filter((w) => w.type === type && w.status === 'RUNNING').length;
// A single brand's parcel is followed by the fulfillment itself: it takes the ship update once the parcel's row exists.
const parcelFollowed = (o: { workflows: Wf[]; shipments: { id: string }[] }) => running(o.workflows, 'fulfillment') === 1 && o.shipments.length === 1;

describe('order reconciler', () => {
  test('when an order’s process is live, then a reconciler pass counts it live and starts no resume run beside it', async () => {
    const { order } = await placeTestOrder(stack.http, tenant, { price: 900, stock: 2 });
    const pastGrace = Date.now() + 1_500;
    const report = await waitFor(
      async () => {
        const { info } = await stack.temporal.schedule.getHandle(scheduleId).describe();
        const pass = info.recentActions.filter((a) => a.takenAt.getTime() > pastGrace).at(-1);
        if (!pass) return null;
        const { workflowId, firstExecutionRunId } = pass.action.workflow;
        return stack.temporal.workflow.getHandle<WorkflowSignatures['orderReconciler']>(workflowId, firstExecutionRunId).result();
      },
      { what: 'a reconciler pass after the grace period', ...WITHIN_ONE_INTERVAL },
    );
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(report.live).toBeGreaterThanOrEqual(1);
    const view = (await backOffice(stack.http, tenant.admin_api_key).order(order.id)).body;
    expect(view.needs_attention).toBe(false);
    expect(view.workflows.map((w: Wf) => w.type)).toEqual(['checkout', 'paymentConfirmation']);
  });

  test('when the checkout of a bank-transfer order is terminated, then within one interval the order resumes, and confirming its payment ships it to completion', async () => {
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1500, stock: 5, quantity: 2 });
    await terminateCheckout(tenant.tenant_id, cartId);

    const resumed = await orderOnce(
      tenant.admin_api_key,
      order.id,
      (o) => !o.needs_attention && running(o.workflows, 'orderResume') === 1 && running(o.workflows, 'paymentConfirmation') === 1,
      'the reconciler to resume the order',
      WITHIN_ONE_INTERVAL,
    );
    expect(resumed.status).toBe('pending_payment');
    expect(resumed.workflows.find((w) => w.type === 'checkout')?.status).toBe('TERMINATED');

    const admin = backOffice(stack.http, tenant.admin_api_key);
    const paid = await admin.confirmPayment(order.id, 3000);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('pending_shipment');
    const shipment = (await orderOnce(tenant.admin_api_key, order.id, parcelFollowed, 'the fulfillment following the parcel')).shipments[0]!;
    // The resume run starts the same fulfillment a checkoutV2 would (patch `resume-starts-fulfillment-v2`).
    expect((await stack.temporal.workflow.getHandle(fulfillmentWorkflowId(tenant.tenant_id, order.id)).describe()).type).toBe('fulfillmentV2');
    expect((await admin.ship(shipment.id)).status).toBe(200);
    expect((await admin.deliver(shipment.id)).status).toBe(200);
    const done = await orderOnce(tenant.admin_api_key, order.id, (o) => o.status === 'completed' && running(o.workflows, 'orderResume') === 0, 'completion');
    expect(done.needs_attention).toBe(false);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });

  test('when the checkout of a paid order awaiting shipment is terminated, then it resumes and shipping and delivery work', async () => {
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 4, quantity: 1 });
    const admin = backOffice(stack.http, tenant.admin_api_key);
    expect((await admin.confirmPayment(order.id, 1000)).status).toBe(200);
    await orderOnce(tenant.admin_api_key, order.id, parcelFollowed, 'the fulfillment following the parcel');
    await terminateCheckout(tenant.tenant_id, cartId);

    const resumed = await orderOnce(
      tenant.admin_api_key,
      order.id,
      (o) => !o.needs_attention && parcelFollowed(o) && o.workflows.find((w) => w.type === 'checkout')?.status === 'TERMINATED',
      'the order to have a live fulfillment again',
      WITHIN_ONE_INTERVAL,
    );
    expect(resumed.status).toBe('pending_shipment');
    const shipment = resumed.shipments[0]!;
    const shipped = await admin.ship(shipment.id);
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('shipped');
    expect((await admin.deliver(shipment.id)).status).toBe(200);
    await orderOnce(tenant.admin_api_key, order.id, (o) => o.status === 'completed', 'completion');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });

  test('when the checkout of a paid order awaiting shipment is terminated, then the resume run follows its fulfillment and the back office can still cancel it', async () => {
    const { order, cartId, variantId } = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 4, quantity: 1 });
    const admin = backOffice(stack.http, tenant.admin_api_key);
    expect((await admin.confirmPayment(order.id, 1000)).status).toBe(200);
    await orderOnce(tenant.admin_api_key, order.id, parcelFollowed, 'the fulfillment following the parcel');
    const fulfillmentRun = (await stack.temporal.workflow.getHandle(`fulfillment:${tenant.tenant_id}:${order.id}`).describe()).runId;
    await terminateCheckout(tenant.tenant_id, cartId);

    await orderOnce(
      tenant.admin_api_key,
      order.id,
      (o) => !o.needs_attention && running(o.workflows, 'orderResume') === 1,
      'the resume run',
      WITHIN_ONE_INTERVAL,
    );
    // Followed, not replaced: the fulfillment the checkout abandoned is the one still running.
    expect((await stack.temporal.workflow.getHandle(`fulfillment:${tenant.tenant_id}:${order.id}`).describe()).runId).toBe(fulfillmentRun);
    const cancelled = await admin.cancel(order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 4, reserved: 0, holds_total: 0 });
    await orderOnce(tenant.admin_api_key, order.id, (o) => running(o.workflows, 'fulfillment') === 0, 'the fulfillment to stop');
  });

  test('when a card order whose authorization never answered loses its checkout, then it is cancelled as process lost and its stock released', async () => {
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 2000, stock: 3 });
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = (await store.createCart()).body;
    await store.addItem(cart.id, variantId, 2);
    const checkout = await store.checkout(cart.id, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa' }));
    expect(checkout.status).toBe(503);
    const placed = await waitFor(() => orderOfCart(stack.pool, cart.id), { what: 'the order' });
    expect(placed.status).toBe('pending_payment');
    expect((await stockOf(stack.pool, variantId)).reserved).toBe(2);
    await terminateCheckout(tenant.tenant_id, cart.id);

    const cancelled = await orderOnce(tenant.admin_api_key, placed.id, (o) => o.status === 'cancelled', 'the order to be cancelled', WITHIN_ONE_INTERVAL);
    expect(cancelled.needs_attention).toBe(false);
    const reason = await stack.pool.oneFirst(sql.type(z.object({ cancel_reason: z.string() }))`SELECT cancel_reason FROM orders WHERE id = ${placed.id}`);
    expect(reason).toBe('reconciled: process lost');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 3, reserved: 0, holds_total: 0 });
  });
});

describe('POST /admin/orders/:id/resume (a tenant the reconciler does not watch)', () => {
  test('when the process is live, then resume is a no-op; once the checkout is terminated, needs_attention is true until resume repairs it, and a repeat joins the same run', async () => {
    const other = await createTestTenant(stack.pool);
    const admin = backOffice(stack.http, other.admin_api_key);
    const resume = (orderId: string) => resumeAs(other.admin_api_key, orderId);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, other, { price: 1000, stock: 2, quantity: 1 });

    const live = await resume(order.id);
    expect(live.status).toBe(200);
    expect(live.body.needs_attention).toBe(false);
    expect(live.body.workflows.map((w: Wf) => w.type)).not.toContain('orderResume');

    await terminateCheckout(other.tenant_id, cartId);
    const stranded = (await admin.order(order.id)).body;
    expect(stranded).toMatchObject({ status: 'pending_payment', needs_attention: true });

    const repaired = await resume(order.id);
    expect(repaired.status).toBe(200);
    expect(repaired.body.needs_attention).toBe(false);
    const runId = (await stack.temporal.workflow.getHandle(orderResumeWorkflowId(other.tenant_id, order.id)).describe()).runId;
    expect((await resume(order.id)).status).toBe(200);
    expect((await stack.temporal.workflow.getHandle(orderResumeWorkflowId(other.tenant_id, order.id)).describe()).runId).toBe(runId);
    const audited = await stack.pool.oneFirst(
      sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${order.id} AND action = 'order.resume'`,
    );
    expect(audited).toBe(3);

    // The resumed order answers the back office's cancellation like its checkout did.
    await orderOnce(other.admin_api_key, order.id, (o) => running(o.workflows, 'paymentConfirmation') === 1, 'the resumed payment workflow');
    const cancelled = await admin.cancel(order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });
    const closed = await resume(order.id);
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('conflict');
  });

  test('when a stranded bank transfer’s payment deadline has passed, then resuming cancels it as the deadline would have and releases its stock', async () => {
    const other = await createTestTenant(stack.pool);
    const { order, cartId, variantId } = await placeTestOrder(stack.http, other, { price: 1000, stock: 2, quantity: 1 });
    await terminateCheckout(other.tenant_id, cartId);
    // Time passes while nobody watches the order.
    await stack.pool.query(sql.type(z.object({}))`UPDATE payments SET payment_due_at = now() - interval '1 minute' WHERE order_id = ${order.id}`);

    expect((await resumeAs(other.admin_api_key, order.id)).status).toBe(200);
    const cancelled = await orderOnce(other.admin_api_key, order.id, (o) => o.status === 'cancelled', 'the order to be cancelled');
    // No new payment run: the one the lost checkout took with it is the last.
    expect(cancelled.workflows.find((w) => w.type === 'paymentConfirmation')?.status).toBe('TERMINATED');
    const reason = await stack.pool.oneFirst(sql.type(z.object({ cancel_reason: z.string() }))`SELECT cancel_reason FROM orders WHERE id = ${order.id}`);
    expect(reason).toBe('payment deadline passed');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 2, reserved: 0, holds_total: 0 });
    const notice = await waitFor(async () => stack.notifier.sent.find((n) => n.template === 'order_cancelled' && n.data.order_id === order.id), {
      what: 'the cancellation notice',
    });
    expect(notice.data.reason).toBe('payment_timeout');
  });
});
