// Activities of the product import: parse the stored CSV once into rows, apply a chunk of rows, complete the import.
import { parse } from 'csv-parse';
import type { DatabasePool } from 'slonik';
import { applyImportChunk, completeImport, failImport, importFile, saveParsedRows, setImportRowCount, type ParsedRow } from '../db/queries/imports.ts';
import { tenantCurrency } from '../db/queries/tenants.ts';
import { checkProductRow, FileChecks } from '../domain/imports.ts';
import type { ImportActivities } from '../contracts/imports.ts';

const SAVE_BATCH = 1000;

/** Builds the import activities. */
export function createImportActivities({ pool }: { pool: DatabasePool }) {
  return {
    /**
     * Parses the stored file with csv-parse and saves every row (valid, or refused with its errors and line) in one
     * transaction, so a parse that dies leaves nothing and a second one after success does nothing.
     */
    async parseImportFile({ tenantId, importId }: { tenantId: string; importId: string }): Promise<{ rows: number }> {
      const { content, rows } = await importFile(pool, tenantId, importId);
      if (rows !== null) return { rows };
      const currency = (await tenantCurrency(pool, tenantId)) ?? 'JPY';
      return pool.transaction(async (tx) => {
        const checks = new FileChecks();
        let batch: ParsedRow[] = [];
        let seq = 0;
        const malformed: { line: number; message: string }[] = [];
        const parser = parse(content, {
          columns: true,
          bom: true,
          info: true,
          skip_empty_lines: true,
          skip_records_with_error: true,
          on_skip: (err) => {
            if (err) malformed.push({ line: Number(err.lines), message: err.message });
          },
        });
        const add = async (row: Omit<ParsedRow, 'seq'>) => {
          batch.push({ ...row, seq: seq++ });
          if (batch.length < SAVE_BATCH) return;
          const full = batch;
          batch = [];
          await saveParsedRows(tx, importId, full);
        };
        for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
          for (const m of malformed.splice(0)) await add({ line: m.line, data: {}, errors: [`unreadable CSV: ${m.message}`] });
          const checked = checkProductRow(record, currency);
          const errors = checked.errors ?? checks.check(checked.row, info.lines);
          await add({ line: info.lines, data: checked.row ?? { sku: record.sku?.trim() || undefined }, errors: errors.length > 0 ? errors : null });
        }
        for (const m of malformed.splice(0)) await add({ line: m.line, data: {}, errors: [`unreadable CSV: ${m.message}`] });
        await saveParsedRows(tx, importId, batch);
        await setImportRowCount(tx, importId, seq);
        return { rows: seq };
      });
    },

    /** Applies rows [fromSeq, toSeq) not applied yet (idempotent); the import's counters after it. */
    async applyImportChunk(input: { tenantId: string; importId: string; fromSeq: number; toSeq: number }) {
      return applyImportChunk(pool, input.tenantId, input.importId, input.fromSeq, input.toSeq);
    },

    /** Marks the import completed (once) with its audit entry. */
    async completeImport(input: Parameters<ImportActivities['completeImport']>[0]) {
      return completeImport(pool, input.tenantId, input.importId, input.actor ?? null);
    },

    /** Marks a running import failed with the reason its workflow gave up. */
    async failImport(input: { tenantId: string; importId: string; error: string }): Promise<void> {
      await failImport(pool, input.tenantId, input.importId, input.error);
    },
  } satisfies ImportActivities;
}
