// Factories and calls of bulk work: product CSV rows, uploads, waiting for an import, exports and their downloads.
import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import { sql } from '../../db/sql.ts';
import { PRODUCT_CSV_COLUMNS } from '../../domain/imports.ts';
import { waitFor } from './harness.ts';

/** One CSV row (a variant of a product), every column as text. */
export type CsvRow = Record<(typeof PRODUCT_CSV_COLUMNS)[number], string>;

/** A valid row of a new product with one variant; `overrides` replace columns. */
export function buildImportRow(overrides: Partial<CsvRow> = {}): CsvRow {
  const key = randomUUID().slice(0, 8);
  return {
    handle: `tea-${key}`,
    title: `Tea ${key}`,
    status: 'published',
    sku: `SKU-${key}`,
    variant_title: '100 g',
    price: '1200',
    currency: 'JPY',
    on_hand: '10',
    category: '',
    vendor_id: '',
    ...overrides,
  };
}

/** `n` rows of `n / variantsPerProduct` products (ids from `prefix`), each variant priced 1000 + its index. */
export function buildImportRows(n: number, prefix: string, variantsPerProduct = 2, overrides: Partial<CsvRow> = {}): CsvRow[] {
  return Array.from({ length: n }, (_, i) => {
    const p = Math.floor(i / variantsPerProduct);
    return buildImportRow({
      handle: `${prefix}-p${p}`,
      title: `${prefix} product ${p}`,
      sku: `${prefix}-${i}`,
      variant_title: `v${i % variantsPerProduct}`,
      price: String(1000 + i),
      ...overrides,
    });
  });
}

/** The CSV text of rows, header first (line 1); row i is on line i + 2. */
export const toCsv = (rows: CsvRow[], columns: readonly string[] = PRODUCT_CSV_COLUMNS) => stringify(rows, { header: true, columns: [...columns] });

/** Back-office calls of imports and exports. */
export function bulkOffice(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    upload: (content: string) => http.post('/admin/imports').set(h).send({ kind: 'products', format: 'csv', content }),
    import: (id: string) => http.get(`/admin/imports/${id}`).set(h),
    createExport: (body: object) => http.post('/admin/exports').set(h).send(body),
    export: (id: string) => http.get(`/admin/exports/${id}`).set(h),
    download: (id: string) => http.get(`/admin/exports/${id}/download`).set(h).buffer(true).parse(rawText),
  };
}

/** A supertest parser keeping the body as the exact text received (BOM included). */
export function rawText(res: import('supertest').Response, done: (err: Error | null, body: string) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  stream.on('end', () => done(null, text));
}

/** Waits until an import is no longer running; its view. */
export async function importFinished(http: TestAgent, apiKey: string, id: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const res = await bulkOffice(http, apiKey).import(id);
      return res.body.status !== 'running' ? res.body : null;
    },
    { timeoutMs, intervalMs: 250, what: `import ${id} to finish` },
  );
}

/** Variants of a tenant whose SKU starts with `prefix`, and how many products they belong to. */
export async function catalogCounts(pool: DatabasePool, tenantId: string, prefix: string) {
  return pool.one(sql.type(z.object({ variants: z.number(), products: z.number(), distinct_skus: z.number() }))`
    SELECT count(*)::int8 AS variants, count(DISTINCT product_id)::int8 AS products, count(DISTINCT sku)::int8 AS distinct_skus
    FROM variants WHERE tenant_id = ${tenantId} AND sku LIKE ${`${prefix}-%`}`);
}
