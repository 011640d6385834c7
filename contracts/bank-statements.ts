// Bank-statement matching as the API, the workflow and its activities share it: input, progress, activities, the view.
import { defineQuery } from '@temporalio/workflow';
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
