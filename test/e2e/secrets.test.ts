// Secrets stay secret: histories hold encrypted payloads, the codec endpoint decodes them for owner/admin staff only
// (Bearer key or staff session cookie, CORS for the Web UI's origin), and a checkout's logs carry no key, token or query string.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { findTemporalBinary } from '../../scripts/temporal-binary.ts';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { createLogger } from '../../config/logger.ts';
import { hashSecret } from '../../domain/secrets.ts';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { connectTemporal, uniqueTaskQueue, workflowBundle } from '../helpers/stack.ts';
import { createTestStaffKey, createTestTenant, placeTestOrder } from '../helpers/factories.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const UI_ORIGIN = 'http://localhost:8233';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

type JsonPayload = { metadata?: Record<string, string>; data?: string };

/**
 * Every payload of a history (proto JSON: base64 metadata and data, the codec wire format). Search attributes stay plain
 * (they must stay searchable), and so does what the SDK itself writes into markers (patch ids; a local activity's type,
 * attempt and times). A local activity's result is business data: it is checked like any other payload.
 */
function payloadsOf(node: unknown, underSearchAttributes = false, out: { payload: JsonPayload; searchAttribute: boolean }[] = []) {
  if (Array.isArray(node)) node.forEach((n) => payloadsOf(n, underSearchAttributes, out));
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (obj.metadata && typeof obj.metadata === 'object' && ('data' in obj || 'encoding' in (obj.metadata as object))) {
      out.push({ payload: obj as JsonPayload, searchAttribute: underSearchAttributes });
      return out;
    }
    const marker = obj.markerRecordedEventAttributes as { markerName?: string; details?: Record<string, unknown> } | undefined;
    if (marker) {
      for (const [k, v] of Object.entries(marker.details ?? {}))
        payloadsOf(v, underSearchAttributes || marker.markerName !== 'core_local_activity' || k !== 'result', out);
      return out;
    }
    for (const [k, v] of Object.entries(obj)) payloadsOf(v, underSearchAttributes || k === 'searchAttributes' || k === 'indexedFields', out);
  }
  return out;
}

const apiLog: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    apiLog.push(String(chunk));
    done();
  },
});

let stack: TestStack;
let tenant: CreatedTenant;
let raw: Client;
let worker: WorkerProcess;
let card: Awaited<ReturnType<typeof placeTestOrder>>;
let bank: Awaited<ReturnType<typeof placeTestOrder>>;
let cardHistory: string;

beforeAll(async () => {
  const taskQueue = uniqueTaskQueue('secrets');
  stack = await startTestStack({ worker: false, taskQueue, logger: createLogger('debug', 'api', sink) });
  tenant = await createTestTenant(stack.pool);
  // The real worker entry point at debug, e-mails to its log: what an operator's log would hold.
  worker = await startWorkerProcess(taskQueue, { env: { LOG_LEVEL: 'debug', EMAIL_TRANSPORT: 'log', WORKFLOW_BUNDLE_PATH: workflowBundle().codePath } });
  raw = await connectTemporal({ codec: false });
  card = await placeTestOrder(stack.http, tenant, { payment_method: 'card', payment_token: 'tok_visa' });
  bank = await placeTestOrder(stack.http, tenant, { payment_method: 'bank_transfer' });
  cardHistory = historyToJSON(await raw.workflow.getHandle(`checkout:${tenant.tenant_id}:${card.cartId}`).fetchHistory());
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await raw?.connection.close();
  await stack?.stop();
});

const decode = (payloads: JsonPayload[]) =>
  stack.http.post('/codec/decode').set('Content-Type', 'application/json').set('X-Namespace', 'default').send({ payloads });

test('when a card and a bank-transfer checkout ran, then their histories read without the codec hold only encrypted payloads and no token, address or card token', async () => {
  const bankHistory = historyToJSON(await raw.workflow.getHandle(`checkout:${tenant.tenant_id}:${bank.cartId}`).fetchHistory());
  for (const [history, order] of [
    [cardHistory, card.order],
    [bankHistory, bank.order],
  ] as const) {
    const payloads = payloadsOf(JSON.parse(history));
    const data = payloads.filter((p) => !p.searchAttribute);
    expect(data.length).toBeGreaterThan(2);
    const plain = data.filter((p) => unb64(p.payload.metadata?.encoding ?? '') !== 'binary/encrypted');
    // placeOrder runs as a local activity: its result (the placed order) is in a marker and is checked with the rest.
    expect(JSON.parse(history).events.filter((e: any) => e.markerRecordedEventAttributes?.details?.result).length).toBeGreaterThan(0);
    expect(plain.map((p) => ({ ...p, data: unb64(p.payload.data ?? '') }))).toEqual([]);
    // Whatever a reader of the raw history can see: the JSON itself and every payload's bytes.
    const visible = history + payloads.map((p) => unb64(p.payload.data ?? '')).join('\n');
    for (const secret of [order.access_token, 'tok_visa', '1-2-3 Marunouchi', tenant.admin_api_key, tenant.publishable_key])
      expect(visible).not.toContain(secret);
  }
});

test('when an admin key posts the history payloads to /codec/decode, then they come back readable with the order token and address', async () => {
  const payloads = payloadsOf(JSON.parse(cardHistory))
    .filter((p) => !p.searchAttribute)
    .map((p) => p.payload);
  const res = await decode(payloads).set('Authorization', `Bearer ${tenant.admin_api_key}`);
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body.payloads).toHaveLength(payloads.length);
  const decoded = (res.body.payloads as JsonPayload[]).map((p) => unb64(p.data ?? '')).join('\n');
  expect(decoded).toContain(card.order.access_token);
  expect(decoded).toContain('tok_visa');
  expect(decoded).toContain('1-2-3 Marunouchi');
  expect(unb64((res.body.payloads as JsonPayload[])[0].metadata!.encoding)).not.toBe('binary/encrypted');
});

test('when /codec/decode is called without an owner or admin credential, then it answers 401 or 403 and decodes nothing', async () => {
  const [payload] = payloadsOf(JSON.parse(cardHistory))
    .filter((p) => !p.searchAttribute)
    .map((p) => p.payload);
  const none = await decode([payload]);
  expect(none.status).toBe(401);
  expect(none.type).toBe('application/problem+json');
  expect((await decode([payload]).set('Authorization', `Bearer ${tenant.publishable_key}`)).status).toBe(401);
  const staff = await decode([payload]).set('Authorization', `Bearer ${await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff')}`);
  expect(staff.status).toBe(403);
  expect(JSON.stringify(staff.body)).not.toContain(card.order.access_token);
  expect((await decode([payload]).set('Authorization', `Bearer ${await createTestStaffKey(stack.pool, tenant.tenant_id, 'admin')}`)).status).toBe(200);
});

test('when the Temporal CLI shows the history with --codec-endpoint and --codec-auth, then it prints the decoded order token; without them it cannot', async () => {
  const binary = await findTemporalBinary();
  if (!binary) throw new Error('no temporal binary (global setup found one to start the dev server)');
  const { port } = stack.server.address() as AddressInfo;
  const show = (extra: string[]) =>
    promisify(execFile)(
      binary,
      ['workflow', 'show', '-w', `checkout:${tenant.tenant_id}:${card.cartId}`, '--address', process.env.TEMPORAL_ADDRESS!, '-o', 'json', ...extra],
      { maxBuffer: 20_000_000 },
    );
  const decoded = await show(['--codec-endpoint', `http://127.0.0.1:${port}/codec`, '--codec-auth', `Bearer ${tenant.admin_api_key}`]);
  // `-o json` prints payloads in the codec's wire format: base64 metadata and data.
  const dataOf = (out: string) => [...out.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => unb64(m[1])).join('\n');
  expect(decoded.stdout).toContain(b64('json/plain'));
  expect(dataOf(decoded.stdout)).toContain(card.order.access_token);
  const plain = await show([]);
  expect(plain.stdout).toContain(b64('binary/encrypted'));
  expect(dataOf(plain.stdout)).not.toContain(card.order.access_token);
});

test('when payloads are encoded then decoded through the endpoints, then they round-trip, and malformed payloads are a 400', async () => {
  const auth = { Authorization: `Bearer ${tenant.admin_api_key}` };
  const original = { metadata: { encoding: b64('json/plain') }, data: b64('{"hello":"world"}') };
  const encoded = await stack.http
    .post('/codec/encode')
    .set(auth)
    .send({ payloads: [original] });
  expect(encoded.status).toBe(200);
  expect(unb64(encoded.body.payloads[0].metadata.encoding)).toBe('binary/encrypted');
  expect(unb64(encoded.body.payloads[0].data)).not.toContain('world');
  const decoded = await stack.http.post('/codec/decode').set(auth).send({ payloads: encoded.body.payloads });
  expect(decoded.body.payloads).toEqual([original]);
  const garbage = await stack.http
    .post('/codec/decode')
    .set(auth)
    .send({ payloads: [{ metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('nobody') }, data: b64('x') }] });
  expect(garbage.status).toBe(400);
  expect((await stack.http.post('/codec/decode').set(auth).send({ payloads: 'nope' })).status).toBe(400);
});

test('when an owner signs in with POST /admin/session, then the HttpOnly cookie decodes from the UI origin until the key is revoked or the session is tampered with', async () => {
  expect((await stack.http.post('/admin/session').send({ api_key: 'sk_unknown' })).status).toBe(401);
  expect((await stack.http.post('/admin/session').send({ api_key: await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff') })).status).toBe(403);
  expect((await stack.http.post('/admin/session').send({})).status).toBe(400);

  const adminKey = await createTestStaffKey(stack.pool, tenant.tenant_id, 'admin');
  const signIn = await stack.http.post('/admin/session').send({ api_key: adminKey });
  expect(signIn.status).toBe(200);
  expect(signIn.body).toMatchObject({ role: 'admin', tenant_id: tenant.tenant_id });
  const setCookie = String(signIn.headers['set-cookie']);
  expect(setCookie).toMatch(/codec_session=v1\./);
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=None', 'Path=/codec', 'Max-Age=28800']) expect(setCookie).toContain(attribute);
  const cookie = setCookie.split(';')[0];
  const [payload] = payloadsOf(JSON.parse(cardHistory))
    .filter((p) => !p.searchAttribute)
    .map((p) => p.payload);

  expect((await decode([payload]).set('Cookie', cookie).set('Origin', UI_ORIGIN)).status).toBe(200);
  expect((await decode([payload]).set('Cookie', cookie)).status).toBe(200);
  expect((await decode([payload]).set('Cookie', cookie).set('Origin', 'https://evil.example')).status).toBe(403);
  const tampered = cookie.replace(/\.([^.]*)$/, (_m, sig: string) => `.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
  expect((await decode([payload]).set('Cookie', tampered).set('Origin', UI_ORIGIN)).status).toBe(401);
  // A cookie with a malformed escape is no session: 401, never a server error.
  expect((await decode([payload]).set('Cookie', 'codec_session=%E0%A4%A').set('Origin', UI_ORIGIN)).status).toBe(401);

  await stack.pool.query(sql.type(z.object({}))`UPDATE api_keys SET revoked_at = now() WHERE key_hash = ${hashSecret(adminKey)}`);
  expect((await decode([payload]).set('Cookie', cookie).set('Origin', UI_ORIGIN)).status).toBe(401);

  const signOut = await stack.http.delete('/admin/session');
  expect(signOut.status).toBe(204);
  expect(String(signOut.headers['set-cookie'])).toMatch(/codec_session=;.*Expires=Thu, 01 Jan 1970/);
});

test('when staff use the sign-in page, then its form signs them in with the same cookie', async () => {
  const page = await stack.http.get('/codec/sign-in');
  expect(page.status).toBe(200);
  expect(page.text).toContain('action="/admin/session"');
  const form = await stack.http.post('/admin/session').type('form').send({ api_key: tenant.admin_api_key });
  expect(form.status).toBe(200);
  expect(form.type).toBe('text/html');
  expect(String(form.headers['set-cookie'])).toContain('HttpOnly');
});

test('when the Web UI origin sends a CORS preflight to /codec, then it is allowed with credentials before any key check; another origin gets no CORS headers', async () => {
  const preflight = (origin: string) =>
    stack.http
      .options('/codec/decode')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
  const ui = await preflight(UI_ORIGIN);
  expect(ui.status).toBe(204);
  expect(ui.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  expect(ui.headers['access-control-allow-credentials']).toBe('true');
  expect(ui.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);
  const evil = await preflight('https://evil.example');
  expect(evil.headers['access-control-allow-origin']).toBeUndefined();
});

test('when a checkout ran and an order was read with query-string and header tokens, then neither the API log nor the worker log holds a key, token or query string', async () => {
  const h = { 'X-Publishable-Key': tenant.publishable_key };
  await stack.http.get(`/store/orders/${card.order.id}?token=${card.order.access_token}`).set(h);
  await stack.http.get(`/store/orders/${card.order.id}`).set(h).set('X-Order-Token', card.order.access_token).expect(200);
  await stack.http.get('/store/products?api_key=sk_in_a_query').set(h).expect(200);
  // The worker logs each e-mail; at debug also its body.
  await waitFor(async () => worker.logs.some((l) => String(l.msg).startsWith('notification order_placed')), { what: 'the worker to log the order e-mails' });
  const apiText = apiLog.join('');
  const workerText = JSON.stringify(worker.logs) + worker.stderr();
  expect(apiText).toContain(`"path":"/store/orders/${card.order.id}"`);
  expect(workerText).toContain('notification order_placed body');
  for (const text of [apiText, workerText]) {
    for (const secret of [tenant.admin_api_key, tenant.publishable_key, card.order.access_token, bank.order.access_token, 'tok_visa', 'sk_in_a_query'])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"path":"[^"]*\?/);
  }
});
