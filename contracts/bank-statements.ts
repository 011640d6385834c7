// Bank-statement matching as the API, the workflow and its activities share it: input, progress, activities, the view.
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { MATCHED_OUTCOMES, UNMATCHED_REASONS } from '../domain/bank-statements.ts';
import type { Actor } from './audit.ts';

/** Input of `bankStatement:<tenant>:<statement>`: the statement's id only (its CSV stays in PostgreSQL). */
export type BankStatementInput = {
  tenantId: string;
  statementId: string;
  /** Who uploaded it: every confirmation's audit entry names them, as a back-office confirmation names its sender. */
  actor?: Actor;
  /** Set by continue-as-new: the last line already applied and the counts so far. */
  resume?: { afterLine: number; progress: BankStatementProgress };
};

/** How far a statement's matching got (the `progress` query and the workflow's memo). */
export type BankStatementProgress = { lines: number; applied: number; matched: number; unmatched: number; done: boolean };

/** What one chunk applied: counts over its lines (including lines an earlier attempt applied) and the last line seen. */
export type StatementChunk = { applied: number; matched: number; unmatched: number; lastLine: number | null };

/** Activities of the statement workflow: read the stored CSV into lines, apply lines in chunks, close the statement. */
export type BankStatementActivities = {
  prepareStatementLines(input: { tenantId: string; statementId: string }): Promise<{ lines: number }>;
  applyStatementLines(input: { tenantId: string; statementId: string; afterLine: number; limit: number; actor?: Actor }): Promise<StatementChunk>;
  completeStatement(input: { tenantId: string; statementId: string }): Promise<void>;
};

/** Statement workflow: how far it got. */
export const statementProgressQuery = defineQuery<BankStatementProgress>('progress');

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
