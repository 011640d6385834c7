// Request schemas of bank statements (API.md "Bulk work").
import { z } from 'zod';
import { bankStatementView } from '../contracts/bank-statement-views.ts';

/** POST /admin/bank-statements: the CSV as text (columns date,amount,currency,reference,payer; amounts as the bank prints them). */
export const uploadBankStatementBody = z.object({ format: z.literal('csv'), content: z.string().min(1).max(1_000_000) }).strict();

/** The 202 answer of an upload. */
export const uploadedBankStatementView = z.object({ id: z.string(), status: bankStatementView.shape.status, lines: z.number().int(), workflow_id: z.string() });
