// A bank statement as the back office reads it (zod views for the API and db/). Kept apart from
// contracts/bank-statements.ts, which the workflow bundle imports: zod there is re-initialized for every workflow run.
import { z } from 'zod';
import { MATCHED_OUTCOMES, UNMATCHED_REASONS } from '../domain/bank-statements.ts';

const money = z.object({ amount: z.number().int(), currency: z.string() });

/** A line that found its order. */
export const matchedLineView = z.object({ line: z.number().int(), order_id: z.string(), outcome: z.enum(MATCHED_OUTCOMES), amount: money });

/** A line left to staff, with why. */
export const unmatchedLineView = z.object({
  line: z.number().int(),
  reason: z.enum(UNMATCHED_REASONS),
  detail: z.string(),
  order_id: z.string().nullable(),
  reference: z.string(),
  amount: money.nullable(),
});

/** GET /admin/bank-statements/:id. */
export const bankStatementView = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed']),
  lines: z.number().int(),
  processed: z.number().int(),
  matched: z.array(matchedLineView),
  unmatched: z.array(unmatchedLineView),
  workflow_id: z.string(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});

/** The type of a statement view. */
export type BankStatementView = z.infer<typeof bankStatementView>;
