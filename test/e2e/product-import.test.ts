// Product CSV imports end to end: upload, the productImport workflow on a real Temporal server, rows in PostgreSQL.
import { z } from 'zod';
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { createTestTenant, outboxEvents, stockOf } from '../helpers/factories.ts';
import { buildImportRow, buildImportRows, bulkOffice, catalogCounts, importFinished, toCsv } from '../helpers/bulk.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { importProgressQuery } from '../../contracts/imports.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const office = () => bulkOffice(stack.http, tenant.admin_api_key);

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { IMPORT_CHUNK_SIZE: '100', IMPORT_CHUNKS_PER_RUN: '3' } }));
  const category = await stack.http
    .post('/admin/categories')
    .set('Authorization', `Bearer ${tenant.admin_api_key}`)
    .send({ name: 'Green tea', handle: 'green-tea' });
  expect(category.status).toBe(201);
}, 120_000);
afterAll(async () => stack?.stop());

/** 1,000 rows of 500 products; rows 100, 500 and 900 (lines 102, 502, 902) are bad in three different ways. */
function thousandRowsWithThreeBad() {
  const rows = buildImportRows(1000, 'bulk', 2, { category: 'green-tea', on_hand: '7' });
  rows[100] = { ...rows[100], price: '12.50' };
  rows[500] = { ...rows[500], handle: 'bulk-solo', title: 'Solo', category: 'no-such-category' };
  rows[900] = { ...rows[900], handle: rows[0].handle, title: 'Another title' };
  return rows;
}

describe('product CSV import', () => {
  let importId: string;

  test('when a 1,000-row CSV with 3 bad rows is imported, then 997 variants are created and the 3 errors name their lines', async () => {
    const upload = await office().upload(toCsv(thousandRowsWithThreeBad()));
    expect([upload.status, upload.body.status, upload.body.workflow_id]).toEqual([202, 'running', `import:${tenant.tenant_id}:${upload.body.id}`]);
    importId = upload.body.id;
    const done = await importFinished(stack.http, tenant.admin_api_key, importId);
    expect(done).toMatchObject({ status: 'completed', rows: 1000, processed: 1000, created: 997, updated: 0, failed: 3 });
    expect(done.failed_rows).toEqual([
      { line: 102, sku: 'bulk-100', errors: [expect.stringMatching(/^bad price "12.50"/)] },
      { line: 502, sku: 'bulk-500', errors: ['unknown category "no-such-category"'] },
      { line: 902, sku: 'bulk-900', errors: [expect.stringMatching(/^duplicate handle "bulk-p0": line 2 gives it another title/)] },
    ]);
    expect(await catalogCounts(stack.pool, tenant.tenant_id, 'bulk')).toEqual({ variants: 997, products: 500, distinct_skus: 997 });

    // The workflow's progress query says the same as the import row (it continued as new every 3 chunks of 100).
    const handle = stack.temporal.workflow.getHandle(done.workflow_id);
    expect(await handle.query(importProgressQuery)).toEqual({ status: 'completed', rows: 1000, processed: 1000, created: 997, updated: 0, failed: 3 });
    const described = await handle.describe();
    expect(described.raw.workflowExecutionInfo?.firstRunId).not.toBe(described.runId);
  }, 180_000);

  test('when the import is done, then each product reached the outbox as product.updated with its categories and stock', async () => {
    const productId = await stack.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      SELECT id FROM products WHERE tenant_id = ${tenant.tenant_id} AND handle = 'bulk-p3'`);
    const res = await stack.http.get(`/admin/products/${productId}`).set('Authorization', `Bearer ${tenant.admin_api_key}`);
    const imported = res.body as { id: string; category_ids: string[]; variants: { sku: string; available_quantity: number }[] };
    expect(imported.variants.map((v) => [v.sku, v.available_quantity])).toEqual([
      ['bulk-6', 7],
      ['bulk-7', 7],
    ]);
    expect(imported.category_ids).toHaveLength(1);
    const events = (await outboxEvents(stack.pool, 'product.updated')).filter((e) => e.tenant_id === tenant.tenant_id);
    expect(new Set(events.map((e) => e.aggregate_id)).size).toBe(500);
    const last = events.filter((e) => e.aggregate_id === imported.id).at(-1)!.payload.product as { variants: unknown[]; status: string };
    expect([last.status, last.variants.length]).toEqual(['published', 2]);
  });

  test('when the same file is imported again, then nothing is created: 997 updates, the same 3 errors, no duplicate', async () => {
    const upload = await office().upload(toCsv(thousandRowsWithThreeBad()));
    const done = await importFinished(stack.http, tenant.admin_api_key, upload.body.id);
    expect(done).toMatchObject({ status: 'completed', processed: 1000, created: 0, updated: 997, failed: 3 });
    expect((done.failed_rows as { line: number }[]).map((r) => r.line)).toEqual([102, 502, 902]);
    expect(await catalogCounts(stack.pool, tenant.tenant_id, 'bulk')).toEqual({ variants: 997, products: 500, distinct_skus: 997 });
  }, 180_000);

  test('when a row changes price and stock, then the variant is updated in place with price.updated and inventory.updated', async () => {
    const variantId = await stack.pool.oneFirst(
      sql.type(z.object({ id: z.string() }))`SELECT id FROM variants WHERE tenant_id = ${tenant.tenant_id} AND sku = 'bulk-10'`,
    );
    const row = buildImportRows(1000, 'bulk', 2, { category: 'green-tea' })[10];
    const upload = await office().upload(toCsv([{ ...row, price: '4321', on_hand: '25' }]));
    expect(await importFinished(stack.http, tenant.admin_api_key, upload.body.id)).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expect((await stockOf(stack.pool, variantId)).on_hand).toBe(25);
    expect((await outboxEvents(stack.pool, 'price.updated', 'variant_id', variantId)).map((e) => e.payload.price)).toEqual([{ amount: 4321, currency: 'JPY' }]);
    expect((await outboxEvents(stack.pool, 'inventory.updated')).filter((e) => e.aggregate_id === variantId).map((e) => e.payload.on_hand)).toContain(25);
  }, 60_000);

  test('when a row names a SKU of another product or an unknown vendor, then that row fails and the others apply', async () => {
    const rows = [buildImportRow({ sku: 'bulk-1', handle: 'not-bulk-p0' }), buildImportRow({ vendor_id: 'ven_nope' }), buildImportRow({ sku: 'fresh-1' })];
    const upload = await office().upload(toCsv(rows));
    const done = await importFinished(stack.http, tenant.admin_api_key, upload.body.id);
    expect(done).toMatchObject({ created: 1, updated: 0, failed: 2 });
    expect(done.failed_rows).toEqual([
      { line: 2, sku: 'bulk-1', errors: ['sku "bulk-1" belongs to product "bulk-p0"'] },
      { line: 3, sku: rows[1].sku, errors: ['unknown vendor "ven_nope"'] },
    ]);
  }, 60_000);

  test('when the header is wrong or the body is not an import, then it is 400 validation_failed and no import is stored', async () => {
    const before = await stack.pool.oneFirst(
      sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM imports WHERE tenant_id = ${tenant.tenant_id}`,
    );
    const badHeader = await office().upload('sku,title,price,colour\nA,B,100,red\n');
    expect([badHeader.status, badHeader.body.code, badHeader.type]).toEqual([400, 'validation_failed', 'application/problem+json']);
    expect(badHeader.body.detail).toContain('unknown column "colour"');
    const missing = await office().upload('sku,title\nA,B\n');
    expect([missing.status, missing.body.detail]).toEqual([400, expect.stringContaining('missing column "price"')]);
    const empty = await office().upload('');
    expect([empty.status, empty.body.code]).toEqual([400, 'validation_failed']);
    const wrongKind = await stack.http
      .post('/admin/imports')
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({ kind: 'orders', format: 'csv', content: 'a' });
    expect(wrongKind.status).toBe(400);
    const after = await stack.pool.oneFirst(
      sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM imports WHERE tenant_id = ${tenant.tenant_id}`,
    );
    expect(after).toBe(before);
  });

  test('when an import of another tenant is read, then it is 404', async () => {
    const other = await createTestTenant(stack.pool);
    expect((await bulkOffice(stack.http, other.admin_api_key).import(importId)).status).toBe(404);
  });
});
