// Replays committed histories of the merchant tools (product import, bank-statement matching, group buys) and of a
// digital-only fulfillment against the current workflow code. `UPDATE_HISTORIES=1` first records them from real runs.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { startTestStack, type TestStack } from '../helpers/harness.ts';
import { createTestTenant, placeTestOrder, seedProduct } from '../helpers/factories.ts';
import { buildImportRows, bulkOffice, importFinished, toCsv } from '../helpers/bulk.ts';
import { buildGroupBuy, buildJoin, groupBuys } from '../helpers/group-buys.ts';
import { buildDownloadable, checkoutVariants, seedDigitalProduct } from '../helpers/digital.ts';
import { expectFixturesReplay, expectStatus, HISTORIES_DIR, installQuietRuntime, recordHistory, UPDATE_HISTORIES } from '../helpers/histories.ts';
import { bankStatementWorkflowId, fulfillmentWorkflowId, groupBuyWorkflowId, importWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

/** Fixtures this file owns (file names without `.json`). */
const FIXTURES = [
  'product-import-completed',
  'bank-statement-completed',
  'group-buy-succeeded',
  'group-buy-failed',
  // Recorded by the `fulfillment` type before checkoutV2 started fulfillmentV2 (workflows/changes.ts): never re-recorded.
  'fulfillment-digital-delivered',
  'fulfillment-v2-digital-delivered',
];

/** Activities each fixture must (and must not) have run: a fixture recorded down the wrong path fails here. */
const PATHS: Record<string, { ran: string[]; skipped?: string[] }> = {
  'product-import-completed': { ran: ['parseImportFile', 'applyImportChunk', 'completeImport'], skipped: ['failImport'] },
  'bank-statement-completed': { ran: ['prepareStatementLines', 'applyStatementLines', 'completeStatement'] },
  'group-buy-succeeded': { ran: ['authorizeGroupBuyCard', 'placeGroupBuyOrder', 'closeGroupBuy'], skipped: ['endGroupBuyParticipation'] },
  'group-buy-failed': { ran: ['authorizeGroupBuyCard', 'endGroupBuyParticipation', 'closeGroupBuy'], skipped: ['placeGroupBuyOrder'] },
  'fulfillment-digital-delivered': { ran: ['createShipments', 'deliverDigitalGoods', 'captureCardPayment'] },
  'fulfillment-v2-digital-delivered': { ran: ['deliverDigitalGoods', 'captureCardPayment'], skipped: ['createShipments'] },
};

/** Rows per import chunk while recording: 5 rows make 3 chunks, all in one run. */
const IMPORT_CHUNK_SIZE = 2;

/** What must never be readable in a fixture: card tokens, API and order access tokens, the test address. */
const SECRETS = /\btok_\w+|\b(?:ot|sk|pk)_[\w-]{20,}|Marunouchi/g;

/** A fixture's JSON text as committed. */
const fixtureText = (name: string) => readFileSync(path.join(HISTORIES_DIR, `${name}.json`), 'utf8');

/** Names of the activities a history scheduled, in order. */
function activitiesOf(json: string): string[] {
  const events = JSON.parse(json).events as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[];
  return events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/** What a reader without the codec sees: the JSON and every base64 `data` field decoded. */
function visibleText(json: string): string {
  const decoded = [...json.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('latin1'));
  return [json, ...decoded].join('\n');
}

/** A product import of 5 rows, one with a bad price, applied in chunks to completion. */
async function recordImport(stack: TestStack, tenant: CreatedTenant): Promise<void> {
  const rows = buildImportRows(5, `replay-${randomUUID().slice(0, 6)}`);
  rows[3] = { ...rows[3], price: '12.50' };
  const upload = expectStatus(await bulkOffice(stack.http, tenant.admin_api_key).upload(toCsv(rows)), 202, 'upload');
  const done = await importFinished(stack.http, tenant.admin_api_key, upload.id, 40_000);
  expect(done).toMatchObject({ status: 'completed', rows: 5, created: 4, failed: 1 });
  await recordHistory(stack, importWorkflowId(tenant.tenant_id, upload.id), 'product-import-completed');
}

/** A statement of two lines: one pays a pending bank-transfer order, one names no order. */
async function recordBankStatement(stack: TestStack, tenant: CreatedTenant): Promise<void> {
  const { order } = await placeTestOrder(stack.http, tenant, { price: 1500, payment_method: 'bank_transfer' });
  const csv = stringify([
    ['date', 'amount', 'currency', 'reference', 'payer'],
    ['2025-12-01', order.total.amount, order.total.currency, order.id, 'YAMADA TARO'],
    ['2025-12-01', 9999, 'JPY', 'no order quoted', 'SATO HANAKO'],
  ]);
  const res = await stack.http.post('/admin/bank-statements').set('Authorization', `Bearer ${tenant.admin_api_key}`).send({ format: 'csv', content: csv });
  const statement = expectStatus(res, 202, 'statement upload');
  await recordHistory(stack, bankStatementWorkflowId(tenant.tenant_id, statement.id), 'bank-statement-completed');
  const matched = expectStatus(
    await stack.http.get(`/admin/bank-statements/${statement.id}`).set('Authorization', `Bearer ${tenant.admin_api_key}`),
    200,
    'statement',
  );
  expect([matched.matched.length, matched.unmatched.length]).toEqual([1, 1]);
}

/** A campaign of exactly 2 that fills up (closes at once, succeeds) and one of minimum 2 that one joins before its deadline. */
async function recordGroupBuys(stack: TestStack, tenant: CreatedTenant, variantId: string): Promise<void> {
  const api = groupBuys(stack.http, tenant);
  const full = expectStatus(await api.create(buildGroupBuy(variantId, { min_participants: 2, max_participants: 2 })), 201, 'full campaign').id;
  const short = expectStatus(await api.create(buildGroupBuy(variantId, { min_participants: 2, endsInMs: 3_000 })), 201, 'short campaign').id;
  for (const id of [full, full, short]) expectStatus(await api.join(id, buildJoin()), 201, 'join');
  await recordHistory(stack, groupBuyWorkflowId(tenant.tenant_id, full), 'group-buy-succeeded');
  await recordHistory(stack, groupBuyWorkflowId(tenant.tenant_id, short), 'group-buy-failed');
  expect([(await api.get(full)).body.status, (await api.get(short)).body.status]).toEqual(['succeeded', 'failed']);
}

/** A digital-only order paid by card: fulfillment issues the links, then captures, with nothing to ship. */
async function recordDigitalFulfillment(stack: TestStack, tenant: CreatedTenant): Promise<void> {
  const { variantId } = await seedDigitalProduct(stack.http, tenant.admin_api_key, buildDownloadable(2048));
  const checkout = await checkoutVariants(stack.http, tenant, [variantId], { payment_method: 'card', payment_token: 'tok_visa' });
  const order = expectStatus(checkout, 201, 'digital checkout').order;
  await recordHistory(stack, fulfillmentWorkflowId(tenant.tenant_id, order.id), 'fulfillment-v2-digital-delivered');
}

/** Drives each scenario on one real stack and records its workflow's history. */
async function recordHistories(): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const stack = await startTestStack({ config: { IMPORT_CHUNK_SIZE: String(IMPORT_CHUNK_SIZE) } });
  try {
    const tenant = await createTestTenant(stack.pool);
    await recordImport(stack, tenant);
    await recordBankStatement(stack, tenant);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 10 });
    await recordGroupBuys(stack, tenant, variantId);
    await recordDigitalFulfillment(stack, tenant);
  } finally {
    await stack.stop();
  }
}

beforeAll(async () => {
  installQuietRuntime();
  if (UPDATE_HISTORIES) await recordHistories();
}, 180_000);

describe('merchant tools history replay', () => {
  test('when the committed import, statement, group-buy and digital fulfillment histories are replayed, then every one replays', async () => {
    await expectFixturesReplay(FIXTURES);
  });

  test('when the fixtures are read, then each one took its scenario path (chunks applied, digital goods delivered)', () => {
    for (const [name, { ran, skipped = [] }] of Object.entries(PATHS)) {
      const activities = activitiesOf(fixtureText(name));
      expect({ name, missing: ran.filter((a) => !activities.includes(a)), unexpected: skipped.filter((a) => activities.includes(a)) }).toEqual({
        name,
        missing: [],
        unexpected: [],
      });
    }
    expect(activitiesOf(fixtureText('product-import-completed')).filter((a) => a === 'applyImportChunk')).toHaveLength(3);
    // The digital step is the patched one, and the order had nothing to ship (no shipment child was started).
    expect(visibleText(fixtureText('fulfillment-digital-delivered'))).toContain('digital-delivery');
    expect(fixtureText('fulfillment-digital-delivered')).not.toContain('startChildWorkflowExecutionInitiatedEventAttributes');
  });

  test('when the fixtures are read without the codec, then no card token, key, access token or address shows', () => {
    for (const name of FIXTURES) expect({ name, leaks: visibleText(fixtureText(name)).match(SECRETS) }).toEqual({ name, leaks: null });
  });
});
