// The audit log: every admin and vendor write leaves exactly one entry, written with its change (a rejected change leaves
// none), the person behind a workflow-side change travels through the workflow's history, and GET /admin/audit-log reads it.
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { sql } from '../../db/sql.ts';
import { hashSecret } from '../../domain/secrets.ts';
import { paymentWorkflowId } from '../../domain/ids.ts';
import { payloadCodec } from '../../providers/codec/data-converter.ts';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { testConfig } from '../helpers/stack.ts';
import { backOffice, createTestStaffKey, createTestTenant, createTestVendorKey, placeTestOrder, seedProduct } from '../helpers/factories.ts';
import { mallOffice, placeMallOrder, seedVendorProduct, vendorPortal } from '../helpers/mall.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const entryRow = z.object({
  action: z.string(),
  resource_type: z.string(),
  resource_id: z.string(),
  actor_key_id: z.string().nullable(),
  actor_role: z.string().nullable(),
  request_id: z.string().nullable(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
});

let stack: TestStack;
let tenant: CreatedTenant;
let mall: CreatedTenant;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { DUNNING_RETRY_SCHEDULE: '1h,1h', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } }));
  mall = await createTestTenant(stack.pool, { mode: 'mall' });
}, 120_000);
afterAll(async () => stack?.stop());

/** Every entry of a resource, oldest first (read straight from the table). */
const entriesOf = async (resourceId: string) =>
  stack.pool.any(sql.type(entryRow)`
    SELECT action, resource_type, resource_id, actor_key_id, actor_role, request_id, changes FROM audit_log WHERE resource_id = ${resourceId} ORDER BY at, id`);

/** The id of the API key behind a secret. */
const keyIdOf = async (apiKey: string) =>
  stack.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM api_keys WHERE key_hash = ${hashSecret(apiKey)}`);

/** Every payload of a workflow's history, decoded with the product's codec, as text. */
async function decodedHistory(workflowId: string): Promise<string> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const obj = node as Record<string, unknown>;
    if (obj.data instanceof Uint8Array && obj.metadata && typeof obj.metadata === 'object') {
      payloads.push(obj as Payload);
      return;
    }
    Object.values(obj).forEach(walk);
  };
  walk(history);
  const decoded = await payloadCodec(testConfig()).decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

const auditLog = (apiKey: string, query = '') => stack.http.get(`/admin/audit-log${query}`).set('Authorization', `Bearer ${apiKey}`);

describe('audit entries of workflow-side changes', () => {
  test('when a staff key confirms a bank transfer, then one payment.confirm entry on the order names the key, its role and the request, and the payment workflow history carries the actor', async () => {
    const staffKey = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    const staffKeyId = await keyIdOf(staffKey);
    const { order } = await placeTestOrder(stack.http, tenant, { price: 1800 });
    const confirmed = await stack.http
      .post(`/admin/orders/${order.id}/payment-confirmations`)
      .set('Authorization', `Bearer ${staffKey}`)
      .set('X-Request-Id', 'req-audit-confirm-1')
      .send({ amount: { amount: 1800, currency: 'JPY' }, reference: 'bank-ref-audit-1' });
    expect(confirmed.status).toBe(200);

    const listed = await auditLog(tenant.admin_api_key, `?resource_type=order&resource_id=${order.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        action: 'payment.confirm',
        actor: { key_id: staffKeyId, role: 'staff' },
        resource_type: 'order',
        resource_id: order.id,
        request_id: 'req-audit-confirm-1',
        changes: expect.objectContaining({
          received_amount: { before: 0, after: 1800 },
          status: { before: 'pending_payment', after: 'pending_shipment' },
          reference: { before: null, after: 'bank-ref-audit-1' },
        }),
      }),
    ]);
    const history = await decodedHistory(paymentWorkflowId(tenant.tenant_id, order.id));
    expect(history).toContain(staffKeyId);
    expect(history).toContain('req-audit-confirm-1');
  });

  test('when a transfer in the wrong currency is refused by the workflow, then the order has no audit entry', async () => {
    const { order } = await placeTestOrder(stack.http, tenant, { price: 1200 });
    const refused = await backOffice(stack.http, tenant.admin_api_key).confirmPayment(order.id, 1200, 'bank-ref-usd', 'USD');
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await entriesOf(order.id)).toEqual([]);
  });
});

describe('audit entries of API-side changes', () => {
  test('when a product PATCH fails validation or names an unknown category, then only the create entry exists', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const created = await admin.createProduct();
    const h = { Authorization: `Bearer ${tenant.admin_api_key}` };
    expect((await stack.http.patch(`/admin/products/${created.body.id}`).set(h).send({ status: 'nonsense' })).status).toBe(400);
    expect(
      (
        await stack.http
          .patch(`/admin/products/${created.body.id}`)
          .set(h)
          .send({ title: 'Renamed', category_ids: ['cat_missing'] })
      ).status,
    ).toBe(400);
    expect((await entriesOf(created.body.id)).map((e) => e.action)).toEqual(['product.create']);
    expect((await admin.createProduct({ title: 'x', status: 'published', variants: [] })).status).toBe(400);
  });

  test('when each back-office write of the catalog and settings runs once, then each leaves exactly one entry with its changes', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const h = { Authorization: `Bearer ${tenant.admin_api_key}` };
    const product = (await admin.createProduct()).body;
    expect((await entriesOf(product.id)).map((e) => [e.action, e.resource_type])).toEqual([['product.create', 'product']]);
    expect((await stack.http.patch(`/admin/products/${product.id}`).set(h).send({ title: 'Audited kettle' })).status).toBe(200);
    expect((await stack.http.delete(`/admin/products/${product.id}`).set(h)).status).toBe(204);
    const productEntries = await entriesOf(product.id);
    expect(productEntries.map((e) => e.action)).toEqual(['product.create', 'product.update', 'product.delete']);
    expect(productEntries[0]!.changes.title).toEqual({ before: null, after: product.title });
    expect(productEntries[1]!.changes).toEqual({ title: { before: product.title, after: 'Audited kettle' } });

    const category = (await stack.http.post('/admin/categories').set(h).send({ name: 'Audited teas' })).body;
    expect(await entriesOf(category.id)).toEqual([
      expect.objectContaining({ action: 'category.create', changes: expect.objectContaining({ name: { before: null, after: 'Audited teas' } }) }),
    ]);
    const location = (await stack.http.post('/admin/locations').set(h).send({ name: 'Osaka depot' })).body;
    expect((await entriesOf(location.id)).map((e) => e.action)).toEqual(['location.create']);

    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 4 });
    expect((await admin.setStock(variantId, 9)).status).toBe(200);
    const stock = await entriesOf(variantId);
    expect(stock).toHaveLength(1);
    expect(stock[0]).toMatchObject({ action: 'inventory.set', resource_type: 'variant' });
    expect(Object.values(stock[0]!.changes)).toEqual([{ before: 4, after: 9 }]);

    const store = await stack.http
      .patch('/admin/store')
      .set(h)
      .send({ allowed_origins: ['https://audit.example.jp'] });
    expect(store.status).toBe(200);
    expect(await entriesOf(store.body.id)).toEqual([
      expect.objectContaining({ action: 'store.update', changes: { allowed_origins: { before: [], after: ['https://audit.example.jp'] } } }),
    ]);
    const taxSetting = await stack.http.patch('/admin/store').set(h).send({ prices_include_tax: false });
    expect([taxSetting.status, taxSetting.body.prices_include_tax, taxSetting.body.allowed_origins]).toEqual([200, false, ['https://audit.example.jp']]);
    expect((await entriesOf(store.body.id))[1]).toMatchObject({ action: 'store.update', changes: { prices_include_tax: { before: true, after: false } } });
    // Back to tax-inclusive prices: later tests of this file price orders on this tenant.
    expect((await stack.http.patch('/admin/store').set(h).send({ prices_include_tax: true })).status).toBe(200);

    const webhook = await stack.http
      .post('/admin/webhooks')
      .set(h)
      .send({ url: 'http://127.0.0.1:9/audit', events: ['order.placed'] });
    expect(webhook.status).toBe(201);
    const hookEntries = await entriesOf(webhook.body.id);
    expect(hookEntries.map((e) => e.action)).toEqual(['webhook.create']);
    expect(hookEntries[0]!.changes.secret).toEqual({ before: '[redacted]', after: '[redacted]' });
    const listed = await auditLog(tenant.admin_api_key, `?resource_type=webhook&resource_id=${webhook.body.id}`);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(webhook.body.secret);
    expect(JSON.stringify(hookEntries)).not.toContain(webhook.body.secret);
  });

  test('when an order is cancelled, and a COD order is shipped and delivered with its cash, then one entry each', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order: toCancel } = await placeTestOrder(stack.http, tenant);
    expect((await admin.cancel(toCancel.id, 'customer asked')).status).toBe(200);
    expect(await entriesOf(toCancel.id)).toEqual([
      expect.objectContaining({
        action: 'order.cancel',
        resource_type: 'order',
        changes: expect.objectContaining({ status: { before: 'pending_payment', after: 'cancelled' } }),
      }),
    ]);

    const { order } = await placeTestOrder(stack.http, tenant, { payment_method: 'cod', price: 2000 });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the COD shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    expect((await admin.deliver(shipment.id, { amount: 2000, currency: 'JPY' })).status).toBe(200);
    const entries = await entriesOf(shipment.id);
    expect(entries.map((e) => [e.action, e.resource_type])).toEqual([
      ['shipment.ship', 'shipment'],
      ['shipment.deliver', 'shipment'],
    ]);
    expect(entries[0]!.changes.status).toEqual({ before: 'pending', after: 'shipped' });
    expect(entries[1]!.changes).toMatchObject({ status: { before: 'shipped', after: 'delivered' }, cod_collected: { before: null, after: 2000 } });
  });

  test('when a captured card payment is refunded, then one refund.create entry on the order; a refund above what is left leaves none', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order } = await placeTestOrder(stack.http, tenant, { payment_method: 'card', payment_token: 'tok_visa', price: 3000 });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    await waitFor(async () => (await admin.order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
    expect((await admin.refund(order.id, 1000, 'audit-refund-1')).status).toBe(200);
    expect((await admin.refund(order.id, 1000, 'audit-refund-1')).status).toBe(200);
    expect((await admin.refund(order.id, 5000, 'audit-refund-too-much')).status).toBe(422);
    const refunds = (await entriesOf(order.id)).filter((e) => e.action === 'refund.create');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.changes).toMatchObject({ amount: { before: null, after: 1000 }, currency: { before: null, after: 'JPY' } });
  });

  test('when a subscription is retried, given a new card and cancelled, then one entry each, and the card never in clear', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order } = await placeTestOrder(stack.http, tenant, {
      payment_method: 'card',
      payment_token: 'tok_renewal_fails',
      billing_interval: '2s',
      price: 980,
    });
    const subscriptionId = (await admin.subscriptions()).body.items.find((s: { order_id: string }) => s.order_id === order.id).id as string;
    await waitFor(async () => (await admin.subscription(subscriptionId)).body.status === 'past_due' || null, { what: 'past_due', timeoutMs: 30_000 });
    expect((await admin.retrySubscription(subscriptionId)).status).toBe(200);
    expect((await admin.updateCard(subscriptionId, 'tok_visa')).status).toBe(200);
    expect((await admin.cancelSubscription(subscriptionId, 'customer moved away')).status).toBe(200);
    expect((await admin.cancelSubscription(subscriptionId)).status).toBe(409);
    const entries = await entriesOf(subscriptionId);
    expect(entries.map((e) => e.action)).toEqual(['subscription.retry', 'subscription.payment_method', 'subscription.cancel']);
    expect(entries[0]!.changes.failed_attempts).toEqual({ before: 1, after: 2 });
    expect(entries[1]!.changes).toEqual({ card_ref: { before: '[redacted]', after: '[redacted]' } });
    expect(entries[2]!.changes.status).toEqual({ before: expect.any(String), after: 'cancelled' });
  });

  test('when a mall creates a vendor, the vendor ships and delivers, and the payout is paid, then one entry each, the vendor role named', async () => {
    const office = mallOffice(stack.http, mall.admin_api_key);
    const vendor = await office.createVendor({ name: 'Audited Ceramics', commission_rate_bps: 1000 });
    expect(vendor.status).toBe(201);
    expect(await entriesOf(vendor.body.id)).toEqual([
      expect.objectContaining({ action: 'vendor.create', changes: expect.objectContaining({ name: { before: null, after: 'Audited Ceramics' } }) }),
    ]);

    const { vendorId, api_key: vendorKey } = await createTestVendorKey(stack.pool, mall.tenant_id);
    const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendorId, { price: 1500 });
    const { order } = await placeMallOrder(stack.http, mall, [{ variantId, quantity: 1 }], 'cod');
    const admin = backOffice(stack.http, mall.admin_api_key);
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the vendor shipment' });
    const portal = vendorPortal(stack.http, vendorKey);
    expect((await portal.ship(shipment.id)).status).toBe(200);
    expect((await portal.deliver(shipment.id, { amount: 1500, currency: 'JPY' })).status).toBe(200);
    const vendorKeyId = await keyIdOf(vendorKey);
    expect((await entriesOf(shipment.id)).map((e) => [e.action, e.actor_key_id, e.actor_role])).toEqual([
      ['shipment.ship', vendorKeyId, 'vendor'],
      ['shipment.deliver', vendorKeyId, 'vendor'],
    ]);

    const payout = await waitFor(async () => (await office.payouts(vendorId)).body.items[0], { what: 'the payout line' });
    expect((await office.pay(payout.id, 'wire-audit-1')).status).toBe(200);
    expect((await office.pay(payout.id, 'wire-audit-2')).status).toBe(409);
    expect(await entriesOf(payout.id)).toEqual([
      expect.objectContaining({
        action: 'payout.pay',
        changes: { status: { before: 'pending', after: 'paid' }, reference: { before: null, after: 'wire-audit-1' } },
      }),
    ]);
  });
});

describe('GET /admin/audit-log', () => {
  test('when filtered by actor or resource and read page by page, then it answers exactly those entries, newest first, each once', async () => {
    const staffKey = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    const staffKeyId = await keyIdOf(staffKey);
    const names = ['Sencha', 'Hojicha', 'Genmaicha'];
    const ids: string[] = [];
    for (const name of names) {
      const res = await stack.http
        .post('/admin/categories')
        .set('Authorization', `Bearer ${staffKey}`)
        .send({ name: `${name} ${staffKeyId.slice(-4)}` });
      ids.push(res.body.id);
    }
    const byActor = await auditLog(tenant.admin_api_key, `?actor=${staffKeyId}`);
    expect(byActor.body.items.map((e: { resource_id: string }) => e.resource_id)).toEqual([...ids].reverse());

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await auditLog(tenant.admin_api_key, `?actor=${staffKeyId}&action=category.create&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e: { resource_id: string }) => e.resource_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const one = await auditLog(tenant.admin_api_key, `?resource_type=category&resource_id=${ids[1]}`);
    expect(one.body.items).toEqual([expect.objectContaining({ action: 'category.create', actor: { key_id: staffKeyId, role: 'staff' } })]);
    // Another tenant's log holds none of them.
    expect((await auditLog(mall.admin_api_key, `?actor=${staffKeyId}`)).body.items).toEqual([]);
  });

  test('when a staff key reads the log, then 403; when an unknown filter is given, then 400', async () => {
    const staffKey = await createTestStaffKey(stack.pool, tenant.tenant_id, 'staff');
    expect((await auditLog(staffKey)).status).toBe(403);
    const unknown = await auditLog(tenant.admin_api_key, '?resource=order');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('validation_failed');
    expect((await auditLog(tenant.admin_api_key, '?cursor=nonsense')).status).toBe(400);
  });
});
