// Imports and exports as the back office reads them (zod views for the API and db/). Kept apart from contracts/imports.ts,
// which the workflow bundle imports: zod there is re-initialized for every workflow run (see DESIGN.md, the workflow bundle).
import { z } from 'zod';

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
