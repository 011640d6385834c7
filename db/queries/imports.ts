// SQL owned by imports and import_rows: the stored file, its parsed rows and the progress counters. Rows are applied
// through catalog.ts (products, variants, prices) and holds.ts (stock) in the chunk's transaction.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId, importWorkflowId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ImportRow } from '../../domain/imports.ts';
import type { Actor } from '../../contracts/audit.ts';
import type { ImportProgress } from '../../contracts/imports.ts';
import { importView, type ImportView } from '../../contracts/import-views.ts';
import { recordAudit } from './audit-log.ts';
import { defaultLocationId, upsertImportedVariants, type ImportedVariant } from './catalog.ts';
import { reservedForUpdate } from './holds.ts';
import { tenantCurrency } from './tenants.ts';

const progressRow = z.object({
  status: z.enum(['running', 'completed', 'failed']),
  rows: z.number().nullable(),
  processed: z.number(),
  created: z.number(),
  updated: z.number(),
  failed: z.number(),
});

/** Stores an uploaded CSV as a new running import, with its audit entry; the workflow is started after this commits. */
export async function createImport(pool: DatabasePool, tenantId: string, content: Buffer, actor: Actor | null): Promise<{ id: string }> {
  return pool.transaction(async (tx) => {
    const id = makeId('imp', randomUUID());
    await tx.query(sql.type(noRows)`
      INSERT INTO imports (id, tenant_id, kind, content, created_by) VALUES (${id}, ${tenantId}, 'products', ${sql.binary(content)}, ${actor?.keyId ?? null})`);
    const changes = { kind: { before: null, after: 'products' }, bytes: { before: null, after: content.length } };
    await recordAudit(tx, { tenantId, actor, action: 'import.create', resourceType: 'import', resourceId: id, changes });
    return { id };
  });
}

/** Marks a running import failed (its workflow could not start, or its file cannot be read). */
export async function failImport(db: CommonQueryMethods, tenantId: string, importId: string, error: string): Promise<void> {
  await db.query(sql.type(noRows)`
    UPDATE imports SET status = 'failed', error = ${error}, completed_at = now() WHERE tenant_id = ${tenantId} AND id = ${importId} AND status = 'running'`);
}

/** The stored file of an import and whether it was parsed already (`rows` set). */
export async function importFile(db: CommonQueryMethods, tenantId: string, importId: string): Promise<{ content: Buffer; rows: number | null }> {
  const row = await db.maybeOne(sql.type(z.object({ content: z.custom<Buffer>((v) => Buffer.isBuffer(v)), rows: z.number().nullable() }))`
    SELECT content, rows FROM imports WHERE tenant_id = ${tenantId} AND id = ${importId}`);
  if (!row) throw new NotFoundError('import', importId);
  return row;
}

/** One parsed row: valid (`data`) or refused with its errors; `seq` numbers rows in file order from 0. */
export type ParsedRow = { seq: number; line: number; data: ImportRow | { sku?: string }; errors: string[] | null };

/** Saves a batch of parsed rows; a batch saved before (a retried parse) is skipped. */
export async function saveParsedRows(db: CommonQueryMethods, importId: string, rows: ParsedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const tuples = rows.map((r) => [importId, r.seq, r.line, JSON.stringify(r.data), r.errors ? JSON.stringify(r.errors) : null]);
  await db.query(sql.type(noRows)`
    INSERT INTO import_rows (import_id, seq, line, data, errors)
    SELECT import_id, seq, line, data::jsonb, errors::jsonb FROM ${sql.unnest(tuples, ['text', 'int4', 'int4', 'text', 'text'])} AS r(import_id, seq, line, data, errors)
    ON CONFLICT (import_id, seq) DO NOTHING`);
}

/** Records how many rows the file has (once parsed). */
export async function setImportRowCount(db: CommonQueryMethods, importId: string, rows: number): Promise<void> {
  await db.query(sql.type(noRows)`UPDATE imports SET rows = ${rows} WHERE id = ${importId} AND rows IS NULL`);
}

const pendingRow = z.object({ seq: z.number(), line: z.number(), data: z.record(z.string(), z.unknown()), errors: z.array(z.string()).nullable() });
type Outcome = { seq: number; outcome: 'created' | 'updated' | 'failed'; variantId: string | null; errors: string[] | null };

/**
 * Applies rows [fromSeq, toSeq) not applied yet, in one transaction with their outcomes and the counters, under the
 * import's row lock: a retried or concurrent run of the same chunk finds them done and creates nothing twice.
 */
export async function applyImportChunk(pool: DatabasePool, tenantId: string, importId: string, fromSeq: number, toSeq: number): Promise<ImportProgress> {
  return pool.transaction(async (tx) => {
    const locked = await tx.maybeOne(sql.type(progressRow)`
      SELECT status, rows, processed, created, updated, failed FROM imports WHERE tenant_id = ${tenantId} AND id = ${importId} FOR UPDATE`);
    if (!locked) throw new NotFoundError('import', importId);
    const pending = await tx.any(sql.type(pendingRow)`
      SELECT seq, line, data, errors FROM import_rows WHERE import_id = ${importId} AND seq >= ${fromSeq} AND seq < ${toSeq} AND outcome IS NULL ORDER BY seq`);
    if (pending.length === 0 || locked.status !== 'running') return locked;
    const outcomes = await applyRows(tx, tenantId, pending);
    const tuples = outcomes.map((o) => [o.seq, o.outcome, o.variantId, o.errors ? JSON.stringify(o.errors) : null]);
    await tx.query(sql.type(noRows)`
      UPDATE import_rows r SET outcome = o.outcome, variant_id = o.variant_id, errors = COALESCE(o.errors::jsonb, r.errors)
      FROM ${sql.unnest(tuples, ['int4', 'text', 'text', 'text'])} AS o(seq, outcome, variant_id, errors)
      WHERE r.import_id = ${importId} AND r.seq = o.seq`);
    const count = (kind: Outcome['outcome']) => outcomes.filter((o) => o.outcome === kind).length;
    return tx.one(sql.type(progressRow)`
      UPDATE imports SET processed = processed + ${outcomes.length}, created = created + ${count('created')}, updated = updated + ${count('updated')},
        failed = failed + ${count('failed')}
      WHERE id = ${importId} RETURNING status, rows, processed, created, updated, failed`);
  });
}

/** Checks rows against the catalog (categories, vendors, SKUs of other products, stock held), then writes the good ones. */
async function applyRows(tx: CommonQueryMethods, tenantId: string, pending: readonly z.infer<typeof pendingRow>[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = pending.filter((p) => p.errors).map((p) => ({ seq: p.seq, outcome: 'failed', variantId: null, errors: null }));
  const rows = pending.filter((p) => !p.errors).map((p) => ({ seq: p.seq, line: p.line, row: p.data as unknown as ImportRow }));
  const refs = [...new Set(rows.flatMap((r) => r.row.categories))];
  const categories = await tx.any(sql.type(z.object({ id: z.string(), handle: z.string() }))`
    SELECT id, handle FROM categories WHERE tenant_id = ${tenantId} AND (handle = ANY(${sql.array(refs, 'text')}) OR id = ANY(${sql.array(refs, 'text')}))`);
  const categoryId = new Map(categories.flatMap((c) => [[c.handle, c.id] as const, [c.id, c.id] as const]));
  const vendorIds = [...new Set(rows.flatMap((r) => (r.row.vendor_id ? [r.row.vendor_id] : [])))];
  const vendors = new Set(
    await tx.anyFirst(
      sql.type(z.object({ id: z.string() }))`SELECT id FROM vendors WHERE tenant_id = ${tenantId} AND id = ANY(${sql.array(vendorIds, 'text')})`,
    ),
  );
  const owners = await tx.any(sql.type(z.object({ sku: z.string(), id: z.string(), handle: z.string() }))`
    SELECT v.sku, v.id, p.handle FROM variants v JOIN products p ON p.id = v.product_id
    WHERE v.tenant_id = ${tenantId} AND v.sku = ANY(${sql.array(
      rows.map((r) => r.row.sku),
      'text',
    )})`);
  const ownerOf = new Map(owners.map((o) => [o.sku, o]));
  const location = await defaultLocationId(tx, tenantId);
  const reserved = await reservedForUpdate(
    tx,
    tenantId,
    owners.map((o) => o.id),
    location,
  );
  const good: (ImportedVariant & { seq: number })[] = [];
  for (const { seq, line, row } of rows) {
    const errors: string[] = [];
    const unknown = row.categories.filter((c) => !categoryId.has(c));
    if (unknown.length > 0) errors.push(`unknown category ${unknown.map((c) => `"${c}"`).join(', ')}`);
    if (row.vendor_id && !vendors.has(row.vendor_id)) errors.push(`unknown vendor "${row.vendor_id}"`);
    const owner = ownerOf.get(row.sku);
    if (owner && owner.handle !== row.handle) errors.push(`sku "${row.sku}" belongs to product "${owner.handle}"`);
    const held = owner ? (reserved.get(owner.id) ?? 0) : 0;
    if (row.on_hand !== null && row.on_hand < held) errors.push(`on_hand ${row.on_hand} is below the ${held} units held in carts and orders`);
    if (errors.length > 0) outcomes.push({ seq, outcome: 'failed', variantId: null, errors });
    else
      good.push({
        ...row,
        seq,
        category_ids: row.categories.map((c) => categoryId.get(c)!),
        price: { amount: row.price, currency: row.currency },
        position: line,
      });
  }
  const currency = (await tenantCurrency(tx, tenantId)) ?? 'JPY';
  const written = await upsertImportedVariants(tx, tenantId, currency, location, good);
  for (const g of good) {
    const w = written.get(g.sku);
    if (w) outcomes.push({ seq: g.seq, outcome: w.created ? 'created' : 'updated', variantId: w.variantId, errors: null });
    else outcomes.push({ seq: g.seq, outcome: 'failed', variantId: null, errors: [`sku "${g.sku}" belongs to another product`] });
  }
  return outcomes;
}

/** Marks an import completed once (its audit entry names the uploader, without the upload's request id); its counters. */
export async function completeImport(pool: DatabasePool, tenantId: string, importId: string, actor: Actor | null): Promise<ImportProgress> {
  return pool.transaction(async (tx) => {
    const done = await tx.maybeOne(sql.type(progressRow)`
      UPDATE imports SET status = 'completed', completed_at = now() WHERE tenant_id = ${tenantId} AND id = ${importId} AND status = 'running'
      RETURNING status, rows, processed, created, updated, failed`);
    if (!done) return importProgress(tx, tenantId, importId);
    const changes = {
      status: { before: 'running', after: 'completed' },
      created: { before: null, after: done.created },
      updated: { before: null, after: done.updated },
    };
    const failed = { failed: { before: null, after: done.failed } };
    const who = actor && { ...actor, requestId: null };
    await recordAudit(tx, {
      tenantId,
      actor: who,
      action: 'import.complete',
      resourceType: 'import',
      resourceId: importId,
      changes: { ...changes, ...failed },
    });
    return done;
  });
}

/** The counters of an import. */
export async function importProgress(db: CommonQueryMethods, tenantId: string, importId: string): Promise<ImportProgress> {
  const row = await db.maybeOne(sql.type(progressRow)`
    SELECT status, rows, processed, created, updated, failed FROM imports WHERE tenant_id = ${tenantId} AND id = ${importId}`);
  if (!row) throw new NotFoundError('import', importId);
  return row;
}

/** Failed rows shown with an import (the first ones by line). */
export const MAX_FAILED_ROWS_SHOWN = 1000;

/** An import with its first failed rows by line. */
export async function getImport(db: CommonQueryMethods, tenantId: string, importId: string): Promise<ImportView> {
  const row = await db.maybeOne(sql.type(importView)`
    SELECT i.id, i.kind, i.status, ${importWorkflowId(tenantId, importId)} AS workflow_id, i.rows, i.processed, i.created, i.updated, i.failed, i.error,
      i.created_at, i.completed_at,
      COALESCE((SELECT json_agg(json_build_object('line', r.line, 'sku', r.data->>'sku', 'errors', r.errors) ORDER BY r.line) FROM (
        SELECT line, data, errors FROM import_rows WHERE import_id = i.id AND outcome = 'failed' ORDER BY line LIMIT ${MAX_FAILED_ROWS_SHOWN}) r), '[]') AS failed_rows
    FROM imports i WHERE i.tenant_id = ${tenantId} AND i.id = ${importId}`);
  if (!row) throw new NotFoundError('import', importId);
  return row;
}
