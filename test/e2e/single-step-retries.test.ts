// Retrying one step (API.md "Operations: repair"): resend a notification, retry a refused capture, redeliver a webhook.
// Each works once and is a no-op when repeated: the recording notifier, the gateway ledger and the receiver show one
// extra send, never two.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, createTestStaffKey, createTestTenant, gatewayLedger, placeTestOrder } from '../helpers/factories.ts';
import { verifyWebhook } from '../../providers/webhooks/signature.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { mallOffice, placeMallOrder, seedVendor, seedVendorProduct } from '../helpers/mall.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let other: CreatedTenant;
let receiver: Server;
let receiverUrl: string;
let secret = '';
// The receiver answers 503 while `failing`, so a delivery can be made to give up first.
let failing = true;
const received: { eventId: string; attempt: string; signed: boolean; answered: number }[] = [];

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({
    relay: true,
    config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '500ms', WEBHOOK_RETRY_FOR: '3s' },
  }));
  other = await createTestTenant(stack.pool);
  receiver = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const answered = failing ? 503 : 200;
      received.push({
        eventId: String(JSON.parse(raw).id),
        attempt: String(req.headers['webhook-attempt']),
        signed: verifyWebhook(secret, req.headers['webhook-signature'] as string, raw),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const post = (path: string, key = tenant.admin_api_key, idempotencyKey?: string) => {
  const req = stack.http.post(path).set({ Authorization: `Bearer ${key}` });
  return (idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req).send({});
};
const auditOf = async (action: string, resourceId: string) =>
  (await stack.http.get(`/admin/audit-log?action=${action}&resource_id=${resourceId}`).set({ Authorization: `Bearer ${tenant.admin_api_key}` })).body.items as {
    actor: { key_id: string; role: string };
  }[];
const workflowDone = (workflowId: string) => stack.temporal.workflow.getHandle(workflowId).result();
const ops = (ledger: { operation: string; outcome: string; amount: number }[]) => ledger.map((l) => `${l.operation}:${l.outcome}:${l.amount}`);

describe('resending a notification', () => {
  test('when staff resend an order notice twice under one Idempotency-Key, then the customer gets it once more, with the same content; a request without a key is a new resend', async () => {
    const email = 'resend@example.jp';
    const { order } = await placeTestOrder(stack.http, tenant, { price: 1200, email });
    const placedNotices = () => stack.notifier.sent.filter((n) => n.to === email && n.template === 'order_placed');
    const [original] = await waitFor(async () => (placedNotices().length === 1 ? placedNotices() : null), { what: 'the order_placed notice' });
    const staff = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');

    const first = await post(`/admin/orders/${order.id}/notifications/order_placed/resend`, staff, 'resend-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: expect.stringMatching(/^rsd_/), order_id: order.id, template: 'order_placed' });
    await workflowDone(first.body.workflow_id);
    const repeated = await post(`/admin/orders/${order.id}/notifications/order_placed/resend`, staff, 'resend-1');
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(first.body);
    await workflowDone(repeated.body.workflow_id);

    expect(placedNotices()).toHaveLength(2);
    const { resend_id: resendId, ...data } = placedNotices()[1].data;
    expect(resendId).toBe(first.body.id);
    expect(data).toEqual(original.data);
    expect(await auditOf('notification.resend', order.id)).toEqual([expect.objectContaining({ actor: expect.objectContaining({ role: 'staff' }) })]);

    // Without an Idempotency-Key a request is a new resend (documented, as with refunds): one more notice, one more entry.
    const unkeyed = await post(`/admin/orders/${order.id}/notifications/order_placed/resend`, staff);
    expect(unkeyed.status).toBe(200);
    expect(unkeyed.body.id).not.toBe(first.body.id);
    await workflowDone(unkeyed.body.workflow_id);
    expect(placedNotices()).toHaveLength(3);
    expect(await auditOf('notification.resend', order.id)).toHaveLength(2);
  });

  test("when the template is unknown, the order never had it, or the order is another store's, then 404 and nothing is sent", async () => {
    const email = 'never@example.jp';
    const { order } = await placeTestOrder(stack.http, tenant, { email });
    await waitFor(async () => stack.notifier.sent.some((n) => n.to === email) || null, { what: 'the order_placed notice' });
    const unknown = await post(`/admin/orders/${order.id}/notifications/payment_received/resend`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    // Unpaid and unshipped: it was never shipped, completed or cancelled.
    for (const template of ['order_shipped', 'order_completed', 'order_cancelled']) {
      expect((await post(`/admin/orders/${order.id}/notifications/${template}/resend`)).status).toBe(404);
    }
    expect((await post(`/admin/orders/${order.id}/notifications/order_placed/resend`, other.admin_api_key)).status).toBe(404);
    expect(stack.notifier.sent.filter((n) => n.to === email)).toHaveLength(1);
    expect(await auditOf('notification.resend', order.id)).toEqual([]);
  });
});

describe('retrying a refused capture', () => {
  test('when the gateway refused the capture at shipping, then the order still completes, and one retry captures once however often it is asked', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order } = await placeTestOrder(stack.http, tenant, { price: 2500, payment_method: 'card', payment_token: 'tok_capture_fails' });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0] as { id: string } | undefined, { what: 'the shipment' });
    const payment = (await admin.order(order.id)).body.payments[0] as { id: string };

    const early = await post(`/admin/orders/${order.id}/payments/${payment.id}/capture`);
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('only a capture the gateway refused can be retried');

    expect((await admin.ship(shipment.id)).status).toBe(200);
    const refused = await waitFor(
      async () => ((await admin.order(order.id)).body.payments[0].capture_failed ? (await admin.order(order.id)).body.payments[0] : null),
      { what: 'the refused capture' },
    );
    expect(refused).toMatchObject({ status: 'authorized', capture_failed: true, capture_error: expect.stringContaining('processing_error') });
    // The parcel has left: the refusal does not hold up the order.
    expect((await admin.deliver(shipment.id)).status).toBe(200);
    await waitFor(async () => (await admin.order(order.id)).body.status === 'completed' || null, { what: 'the completed order' });
    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:2500', 'capture:declined:0']);

    const staff = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    const retried = await post(`/admin/orders/${order.id}/payments/${payment.id}/capture`, staff);
    expect(retried.status).toBe(200);
    expect(retried.body.payments[0]).toMatchObject({ id: payment.id, status: 'captured', received: { amount: 2500 }, capture_failed: false });
    const repeated = await post(`/admin/orders/${order.id}/payments/${payment.id}/capture`, staff);
    expect(repeated.status).toBe(200);
    expect(repeated.body.payments[0]).toMatchObject({ status: 'captured' });

    expect(ops(await gatewayLedger(stack.pool, { orderId: order.id }))).toEqual(['authorize:succeeded:2500', 'capture:declined:0', 'capture:succeeded:2500']);
    expect(await auditOf('payment.capture_retry', order.id)).toEqual([expect.objectContaining({ actor: expect.objectContaining({ role: 'staff' }) })]);
  });

  test('when a mall order’s capture was refused, then its vendor is owed nothing until the retry captures the money', async () => {
    const mall = await createTestTenant(stack.pool, { mode: 'mall' });
    const admin = backOffice(stack.http, mall.admin_api_key);
    const vendorId = await seedVendor(stack.http, mall.admin_api_key);
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendorId, { price: 2000, stock: 3 });
    const { order } = await placeMallOrder(stack.http, mall, [{ variantId, quantity: 1 }], 'card', { payment_token: 'tok_capture_fails' });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0] as { id: string } | undefined, { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    expect((await admin.deliver(shipment.id)).status).toBe(200);
    const completed = await waitFor(async () => ((await admin.order(order.id)).body.status === 'completed' ? (await admin.order(order.id)).body : null), {
      what: 'the completed order',
    });
    expect(completed.payments[0]).toMatchObject({ capture_failed: true });
    const payouts = () => mallOffice(stack.http, mall.admin_api_key).payouts(vendorId);
    expect((await payouts()).body.items).toEqual([]);

    const retried = await post(`/admin/orders/${order.id}/payments/${completed.payments[0].id}/capture`, mall.admin_api_key);
    expect(retried.status).toBe(200);
    expect((await payouts()).body.items).toEqual([expect.objectContaining({ order_id: order.id, gross: { amount: 2000, currency: 'JPY' } })]);
  });

  test('when the payment is not a card capture the gateway refused, or belongs to another store, then 409 or 404', async () => {
    const { order } = await placeTestOrder(stack.http, tenant, {});
    const payment = (await backOffice(stack.http, tenant.admin_api_key).order(order.id)).body.payments[0] as { id: string };
    const bankTransfer = await post(`/admin/orders/${order.id}/payments/${payment.id}/capture`);
    expect(bankTransfer.status).toBe(409);
    expect(bankTransfer.body.code).toBe('conflict');
    expect((await post(`/admin/orders/${order.id}/payments/pay_unknown/capture`)).status).toBe(404);
    expect((await post(`/admin/orders/${order.id}/payments/${payment.id}/capture`, other.admin_api_key)).status).toBe(404);
  });
});

describe('redelivering a webhook', () => {
  test('when a delivery gave up, then a redelivery sends the same signed event again as a new series, once per Idempotency-Key', async () => {
    const created = await stack.http
      .post('/admin/webhooks')
      .set({ Authorization: `Bearer ${tenant.admin_api_key}` })
      .send({ url: receiverUrl, events: ['product.updated'] });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    const webhookId = created.body.id as string;
    expect((await backOffice(stack.http, tenant.admin_api_key).createProduct(buildProduct({ title: 'Redelivered kettle' }))).status).toBe(201);
    const deliveries = async () =>
      (await stack.http.get(`/admin/webhooks/${webhookId}/deliveries`).set({ Authorization: `Bearer ${tenant.admin_api_key}` })).body.items;
    const failed = await waitFor(async () => ((await deliveries())[0]?.status === 'failed' ? (await deliveries())[0] : null), {
      what: 'the delivery to give up',
      timeoutMs: 30_000,
    });
    const eventId = failed.event_id as string;
    const attemptsBefore = failed.attempts as number;
    expect(received.filter((r) => r.eventId === eventId).every((r) => r.answered === 503)).toBe(true);

    // Admin only: a staff key is refused before anything happens.
    const staff = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    expect((await post(`/admin/webhooks/${webhookId}/deliveries/${eventId}/redeliver`, staff, 'again-1')).status).toBe(403);

    failing = false;
    const redelivered = await post(`/admin/webhooks/${webhookId}/deliveries/${eventId}/redeliver`, tenant.admin_api_key, 'again-1');
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toMatchObject({ id: expect.stringMatching(/^rdl_/), webhook_id: webhookId, event_id: eventId });
    await workflowDone(redelivered.body.workflow_id);
    const repeated = await post(`/admin/webhooks/${webhookId}/deliveries/${eventId}/redeliver`, tenant.admin_api_key, 'again-1');
    expect(repeated.status).toBe(200);
    expect(repeated.body.workflow_id).toBe(redelivered.body.workflow_id);
    await workflowDone(repeated.body.workflow_id);

    const accepted = received.filter((r) => r.eventId === eventId && r.answered === 200);
    expect(accepted).toEqual([{ eventId, attempt: String(attemptsBefore + 1), signed: true, answered: 200 }]);
    expect((await deliveries())[0]).toMatchObject({ event_id: eventId, status: 'delivered', attempts: attemptsBefore + 1, last_status: 200, gave_up_at: null });
    expect(await auditOf('webhook.redeliver', webhookId)).toHaveLength(1);
  });

  test("when the delivery is unknown or the webhook is another store's, then 404", async () => {
    const created = await stack.http
      .post('/admin/webhooks')
      .set({ Authorization: `Bearer ${tenant.admin_api_key}` })
      .send({ url: receiverUrl, events: ['order.placed'] });
    expect((await post(`/admin/webhooks/${created.body.id}/deliveries/evt_unknown/redeliver`)).status).toBe(404);
    expect((await post(`/admin/webhooks/${created.body.id}/deliveries/evt_unknown/redeliver`, other.admin_api_key)).status).toBe(404);
  });
});
