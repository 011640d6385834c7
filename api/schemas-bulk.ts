// Request schemas of bulk work: CSV imports and exports (API.md "Bulk work").
import { z } from 'zod';
import { EXPORT_KINDS } from '../contracts/import-views.ts';

/** POST /admin/imports: the CSV itself in `content` (one row per variant; columns in API.md). */
export const createImportBody = z
  .object({
    kind: z.literal('products'),
    format: z.literal('csv'),
    content: z.string().min(1, 'the CSV is empty'),
  })
  .strict();

const instant = z.iso.datetime({ offset: true });

/** POST /admin/exports: orders and payouts placed (products created) in [from, to]; `to` defaults to now. */
export const createExportBody = z
  .object({ kind: z.enum(EXPORT_KINDS), from: instant.optional(), to: instant.optional() })
  .strict()
  .refine((b) => !b.from || !b.to || Date.parse(b.from) <= Date.parse(b.to), { message: 'from must not be after to', path: ['from'] });

/** The answer to POST /admin/imports. */
export const importAccepted = z.object({ id: z.string(), workflow_id: z.string(), status: z.literal('running') });
