// Webhooks: registered by the back office, fed by the outbox relay, signed, retried with backoff by Temporal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { startStackWithTenant, startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, createTestTenant } from '../helpers/factories.ts';
import { verifyWebhook } from '../../providers/webhooks/signature.ts';
import { webhookDeliveryWorkflowId } from '../../domain/relay.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

type Received = { eventId: string; headerId: string; attempt: string; signed: boolean; answered: number; body: Record<string, unknown> };

let stack: TestStack;
let tenant: CreatedTenant;
let receiver: Server;
let receiverUrl: string;
let secret = '';
const received: Received[] = [];
const FAILURES_BEFORE_SUCCESS = 3;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({
    relay: true,
    config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '1s' },
  }));
  // A receiver as a merchant would write it: verify the signature over the raw body, answer 500 three times, then 200.
  receiver = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw);
      const earlier = received.filter((r) => r.eventId === body.id).length;
      const answered = earlier < FAILURES_BEFORE_SUCCESS ? 500 : 200;
      received.push({
        eventId: body.id,
        headerId: String(req.headers['webhook-id']),
        attempt: String(req.headers['webhook-attempt']),
        signed: verifyWebhook(secret, req.headers['webhook-signature'] as string, raw),
        answered,
        body,
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

const bearer = (key = tenant.admin_api_key) => ({ Authorization: `Bearer ${key}` });

describe('webhooks', () => {
  test('when the receiver answers 500 three times then 200, then the event is delivered on the 4th attempt, signed, with the same event id every time', async () => {
    const created = await stack.http
      .post('/admin/webhooks')
      .set(bearer())
      .send({ url: receiverUrl, events: ['product.updated'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      url: receiverUrl,
      events: ['product.updated'],
      status: 'active',
      secret: expect.stringMatching(/^whsec_/),
    });
    secret = created.body.secret;
    const webhookId = created.body.id as string;
    // The secret is shown once: never in later reads.
    const listed = await stack.http.get('/admin/webhooks').set(bearer());
    expect(listed.body.items).toEqual([expect.objectContaining({ id: webhookId, url: receiverUrl })]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify((await stack.http.get(`/admin/webhooks/${webhookId}`).set(bearer())).body)).not.toContain(secret);

    const product = await backOffice(stack.http, tenant.admin_api_key).createProduct(buildProduct({ title: 'Webhook kettle', stock: 2 }));
    expect(product.status).toBe(201);
    // Not subscribed: inventory.updated is never sent to this webhook.
    expect((await backOffice(stack.http, tenant.admin_api_key).setStock(product.body.variants[0].id, 5)).status).toBe(200);

    const deliveries = await waitFor(
      async () => {
        const res = await stack.http.get(`/admin/webhooks/${webhookId}/deliveries`).set(bearer());
        return res.body.items?.[0]?.delivered_at && res.body;
      },
      { what: 'the delivery to succeed', timeoutMs: 30_000 },
    );
    expect(deliveries).toEqual({
      items: [
        {
          event_id: expect.any(String),
          event_type: 'product.updated',
          status: 'delivered',
          attempts: 4,
          last_status: 200,
          last_error: null,
          delivered_at: expect.any(String),
          gave_up_at: null,
          created_at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    const eventId = deliveries.items[0].event_id as string;

    expect(received.map((r) => r.answered)).toEqual([500, 500, 500, 200]);
    expect(received.map((r) => r.attempt)).toEqual(['1', '2', '3', '4']);
    for (const r of received) {
      expect(r).toMatchObject({ eventId, headerId: eventId, signed: true });
      expect(r.body).toMatchObject({
        id: eventId,
        type: 'product.updated',
        tenant_id: tenant.tenant_id,
        data: { product: { id: product.body.id, title: 'Webhook kettle' } },
      });
    }
    expect(verifyWebhook('whsec_wrong', `t=${Math.floor(Date.now() / 1000)},v1=00`, '{}')).toBe(false);

    // The delivery is its own workflow; a second start for the same webhook and event (a re-relayed batch) is rejected.
    const workflowId = webhookDeliveryWorkflowId(webhookId, eventId);
    const handle = stack.temporal.workflow.getHandle(workflowId);
    expect(await handle.result()).toEqual({ status: 200, attempts: 4 });
    const again = stack.temporal.workflow.start('webhookDelivery', {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [{}],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await expect(again).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(received).toHaveLength(4);
    // Every attempt carries the event's outbox sequence, so a receiver can drop an older event arriving late.
    expect(received[0].body.sequence).toEqual(expect.any(Number));
    expect(new Set(received.map((r) => r.body.sequence)).size).toBe(1);
  }, 60_000);

  test('when another tenant reads this webhook or its deliveries, then it is 404', async () => {
    const other = await createTestTenant(stack.pool);
    const mine = (await stack.http.get('/admin/webhooks').set(bearer())).body.items[0].id as string;
    expect((await stack.http.get(`/admin/webhooks/${mine}`).set(bearer(other.admin_api_key))).status).toBe(404);
    expect((await stack.http.get(`/admin/webhooks/${mine}/deliveries`).set(bearer(other.admin_api_key))).status).toBe(404);
    expect((await stack.http.get('/admin/webhooks').set(bearer(other.admin_api_key))).body.items).toEqual([]);
  });
});

describe('webhook URL checks', () => {
  let strict: TestStack;
  beforeAll(async () => (strict = await startTestStack({ worker: false, config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } })));
  afterAll(async () => strict?.stop());

  test('when a URL resolves to a loopback or private address, or is not http(s), then it is 400 and nothing is stored', async () => {
    const shop = await createTestTenant(strict.pool);
    const post = (body: object) =>
      strict.http
        .post('/admin/webhooks')
        .set({ Authorization: `Bearer ${shop.admin_api_key}` })
        .send(body);
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://10.1.2.3/x',
      'http://192.168.0.10/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'ftp://example.com/x',
      'not a url',
    ]) {
      const res = await post({ url, events: ['order.placed'] });
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 400, code: 'validation_failed' });
    }
    expect((await post({ url: 'https://93.184.215.14/hooks', events: [] })).status).toBe(400);
    expect((await post({ url: 'https://93.184.215.14/hooks', events: ['Order Placed'] })).status).toBe(400);
    expect((await strict.http.get('/admin/webhooks').set({ Authorization: `Bearer ${shop.admin_api_key}` })).body.items).toEqual([]);
    const accepted = await post({ url: 'https://93.184.215.14/hooks', events: ['order.placed', 'order.status_changed'] });
    expect(accepted.status).toBe(201);
  });
});

describe('a webhook whose receiver never accepts', () => {
  let short: TestStack;
  let shop: CreatedTenant;
  let failing: Server;
  let hits = 0;
  beforeAll(async () => {
    ({ stack: short, tenant: shop } = await startStackWithTenant({
      relay: true,
      config: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '500ms', WEBHOOK_RETRY_FOR: '3s' },
    }));
    failing = createServer((_req, res) => {
      hits++;
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await short?.stop();
    await new Promise((resolve) => failing?.close(resolve));
  });

  test('when the retry window (WEBHOOK_RETRY_FOR) passes without a 2xx, then the delivery log says failed and no attempt follows', async () => {
    const auth = { Authorization: `Bearer ${shop.admin_api_key}` };
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hooks`;
    const hook = await short.http
      .post('/admin/webhooks')
      .set(auth)
      .send({ url, events: ['product.updated'] });
    expect(hook.status).toBe(201);
    expect((await backOffice(short.http, shop.admin_api_key).createProduct(buildProduct({ title: 'Undeliverable teapot' }))).status).toBe(201);
    const retrying = await waitFor(async () => (await short.http.get(`/admin/webhooks/${hook.body.id}/deliveries`).set(auth)).body.items[0], {
      what: 'the first attempt',
    });
    expect(retrying).toMatchObject({ event_type: 'product.updated', status: 'retrying', gave_up_at: null, last_status: 503 });
    const failed = await waitFor(
      async () => {
        const item = (await short.http.get(`/admin/webhooks/${hook.body.id}/deliveries`).set(auth)).body.items[0];
        return item?.status === 'failed' ? item : null;
      },
      { what: 'the delivery to be given up', timeoutMs: 30_000 },
    );
    expect(failed).toMatchObject({ delivered_at: null, last_status: 503, gave_up_at: expect.any(String) });
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    const attemptsWhenGivenUp = hits;
    const workflow = short.temporal.workflow.getHandle(webhookDeliveryWorkflowId(hook.body.id, failed.event_id));
    await expect(workflow.result()).rejects.toThrow();
    expect((await workflow.describe()).status.name).toBe('FAILED');
    expect(hits).toBe(attemptsWhenGivenUp);
  });
});
