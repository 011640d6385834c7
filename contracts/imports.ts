// What the import workflow, its activities, the API and the exports share: inputs, progress, views (API.md "Bulk work").
import { defineQuery } from '@temporalio/workflow';
import type { Actor } from './audit.ts';

/** Input of `productImport`: the file is in the database, never in the history; `nextChunk` > 0 after continue-as-new. */
export type ProductImportInput = {
  tenantId: string;
  importId: string;
  chunkSize: number;
  /** Chunks one run applies before it continues as new (keeps each history short whatever the file's size). */
  chunksPerRun: number;
  nextChunk?: number;
  /** Who uploaded the file; named by the import's completion audit entry. */
  actor?: Actor;
};

/** Counters of an import, as the `progress` query and GET /admin/imports/:id show them. */
export type ImportProgress = {
  status: 'running' | 'completed' | 'failed';
  rows: number | null;
  processed: number;
  created: number;
  updated: number;
  failed: number;
};

/** Import: how far it got (read from the import row after each chunk). */
export const importProgressQuery = defineQuery<ImportProgress>('progress');

/** Import activities: parse the stored file into rows once, apply one chunk, mark it done (or failed). */
export type ImportActivities = {
  parseImportFile(input: { tenantId: string; importId: string }): Promise<{ rows: number }>;
  applyImportChunk(input: { tenantId: string; importId: string; fromSeq: number; toSeq: number }): Promise<ImportProgress>;
  completeImport(input: { tenantId: string; importId: string; actor?: Actor }): Promise<ImportProgress>;
  failImport(input: { tenantId: string; importId: string; error: string }): Promise<void>;
};
