// What the import workflow, its activities, the API and the exports share: inputs, progress, views (API.md "Bulk work").
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
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

/** GET /admin/imports/:id. */
export const importView = z.object({
  id: z.string(),
  kind: z.literal('products'),
  status: z.enum(['running', 'completed', 'failed']),
  workflow_id: z.string(),
  rows: z.number().nullable(),
  processed: z.number(),
  created: z.number(),
  updated: z.number(),
  failed: z.number(),
  error: z.string().nullable(),
  failed_rows: z.array(z.object({ line: z.number(), sku: z.string().nullable(), errors: z.array(z.string()) })),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
/** An import as the back office reads it. */
export type ImportView = z.infer<typeof importView>;

/** Kinds of export. */
export const EXPORT_KINDS = ['orders', 'products', 'payouts'] as const;
/** One kind of export. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** GET /admin/exports/:id (download_url: signed, short-lived, needs no key; `expires_at` is its end). */
export const exportView = z.object({
  id: z.string(),
  kind: z.enum(EXPORT_KINDS),
  status: z.literal('ready'),
  from: z.string().nullable(),
  to: z.string(),
  download_url: z.string(),
  download_url_expires_at: z.string(),
  created_at: z.string(),
});
/** An export as the back office reads it. */
export type ExportView = z.infer<typeof exportView>;
