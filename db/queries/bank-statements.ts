// SQL owned by bank_statements and bank_statement_lines: the only module that writes them.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { idRow, noRows, sql } from '../sql.ts';
import { recordAudit } from './audit-log.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { changedFields } from '../../domain/audit.ts';
import type { StatementLine } from '../../domain/bank-statement-csv.ts';
import type { MatchedOutcome, UnmatchedReason } from '../../domain/bank-statements.ts';
import { bankStatementWorkflowId } from '../../domain/ids.ts';
import { matchedLineView, unmatchedLineView, type BankStatementView } from '../../contracts/bank-statement-views.ts';
import type { Actor } from '../../contracts/audit.ts';

const contentRow = z.object({ content: z.string() });

/**
 * Stores an uploaded statement with its audit entry, in one transaction; `created` is false when the id exists (the
 * same Idempotency-Key again: nothing is written). The same key with other content is a 409.
 */
export async function createBankStatement(
  db: CommonQueryMethods,
  s: { id: string; tenantId: string; content: string; lineCount: number },
  actor: Actor | null,
): Promise<{ created: boolean }> {
  return db.transaction(async (tx) => {
    const inserted = await tx.maybeOneFirst(sql.type(idRow)`
      INSERT INTO bank_statements (id, tenant_id, content, line_count, uploaded_by_key_id)
      VALUES (${s.id}, ${s.tenantId}, ${s.content}, ${s.lineCount}, ${actor?.keyId ?? null})
      ON CONFLICT (id) DO NOTHING RETURNING id`);
    if (!inserted) {
      const before = await tx.maybeOne(sql.type(contentRow)`SELECT content FROM bank_statements WHERE tenant_id = ${s.tenantId} AND id = ${s.id}`);
      if (before?.content !== s.content) throw new ConflictError('this Idempotency-Key was already used for another statement');
      return { created: false };
    }
    await recordAudit(tx, {
      tenantId: s.tenantId,
      actor,
      action: 'bank_statement.upload',
      resourceType: 'bank_statement',
      resourceId: s.id,
      changes: changedFields(null, { lines: s.lineCount, workflow_id: bankStatementWorkflowId(s.tenantId, s.id) }),
    });
    return { created: true };
  });
}

/** The stored CSV of a statement of the tenant. */
export async function statementContent(db: CommonQueryMethods, tenantId: string, id: string): Promise<string> {
  const row = await db.maybeOne(sql.type(contentRow)`SELECT content FROM bank_statements WHERE tenant_id = ${tenantId} AND id = ${id}`);
  if (!row) throw new NotFoundError('bank statement', id);
  return row.content;
}

const INSERT_BATCH = 1000;

/** Writes the statement's lines as read from its CSV; lines already written are kept (a retried step writes nothing new). */
export async function insertStatementLines(db: CommonQueryMethods, tenantId: string, statementId: string, lines: StatementLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += INSERT_BATCH) {
    const rows = lines
      .slice(i, i + INSERT_BATCH)
      .map((l) => [
        l.line,
        l.ok ? l.key : null,
        l.ok ? l.bookedOn : null,
        l.ok ? l.amount : null,
        l.ok ? l.currency : null,
        l.reference,
        l.payer,
        l.ok ? null : l.error,
      ]);
    await db.query(sql.type(noRows)`
      INSERT INTO bank_statement_lines (statement_id, tenant_id, line, line_key, booked_on, amount, currency, reference, payer, parse_error)
      SELECT ${statementId}, ${tenantId}, l.line, l.line_key, l.booked_on, l.amount, l.currency, l.reference, l.payer, l.parse_error
      FROM ${sql.unnest(rows, ['int4', 'text', 'date', 'int8', 'text', 'text', 'text', 'text'])}
        AS l(line, line_key, booked_on, amount, currency, reference, payer, parse_error)
      ON CONFLICT (statement_id, line) DO NOTHING`);
  }
}

const lineRow = z.object({
  line: z.number(),
  line_key: z.string().nullable(),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  reference: z.string(),
  parse_error: z.string().nullable(),
  outcome: z.string().nullable(),
});
/** A stored statement line, applied (`outcome` set) or not yet. */
export type StatementLineRow = z.infer<typeof lineRow>;

/** Up to `limit` lines of the statement after line `afterLine`, in file order. */
export async function statementLinesAfter(db: CommonQueryMethods, statementId: string, afterLine: number, limit: number): Promise<StatementLineRow[]> {
  return [
    ...(await db.any(sql.type(lineRow)`
    SELECT line, line_key, amount, currency::text AS currency, reference, parse_error, outcome FROM bank_statement_lines
    WHERE statement_id = ${statementId} AND line > ${afterLine} ORDER BY line LIMIT ${limit}`)),
  ];
}

/** How a line ended: matched to an order, or left to staff with a reason. */
export type LineOutcome =
  { outcome: MatchedOutcome; orderId: string } | { outcome: 'unmatched'; reason: UnmatchedReason; detail: string; orderId: string | null };

/** Records a line's outcome once (a line already decided keeps its first outcome). */
export async function recordLineOutcome(db: CommonQueryMethods, statementId: string, line: number, o: LineOutcome): Promise<void> {
  const unmatched = o.outcome === 'unmatched' ? o : null;
  await db.query(sql.type(noRows)`
    UPDATE bank_statement_lines SET outcome = ${o.outcome}, order_id = ${o.orderId}, reason = ${unmatched?.reason ?? null},
      detail = ${unmatched?.detail ?? null}, applied_at = now()
    WHERE statement_id = ${statementId} AND line = ${line} AND outcome IS NULL`);
}

/** Marks the statement completed (once). */
export async function completeBankStatement(db: CommonQueryMethods, tenantId: string, id: string): Promise<void> {
  await db.query(sql.type(noRows)`
    UPDATE bank_statements SET status = 'completed', completed_at = now() WHERE tenant_id = ${tenantId} AND id = ${id} AND status = 'running'`);
}

const statementRow = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed']),
  line_count: z.number(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
const appliedRow = z.object({
  line: z.number(),
  outcome: z.string(),
  order_id: z.string().nullable(),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  reference: z.string(),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
});
const iso = (column: string) => sql.fragment`to_char(${sql.identifier([column])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A statement of the tenant with its applied lines split into matched and unmatched, in file order. */
export async function getBankStatement(db: CommonQueryMethods, tenantId: string, id: string): Promise<BankStatementView> {
  const s = await db.maybeOne(sql.type(statementRow)`
    SELECT id, status, line_count, ${iso('created_at')} AS created_at, ${iso('completed_at')} AS completed_at
    FROM bank_statements WHERE tenant_id = ${tenantId} AND id = ${id}`);
  if (!s) throw new NotFoundError('bank statement', id);
  const lines = await db.any(sql.type(appliedRow)`
    SELECT line, outcome, order_id, reason, detail, reference, amount, currency::text AS currency FROM bank_statement_lines
    WHERE statement_id = ${id} AND outcome IS NOT NULL ORDER BY line`);
  const money = (l: (typeof lines)[number]) => (l.amount !== null && l.currency !== null ? { amount: l.amount, currency: l.currency } : null);
  return {
    id: s.id,
    status: s.status,
    lines: s.line_count,
    processed: lines.length,
    matched: lines
      .filter((l) => l.outcome !== 'unmatched')
      .map((l) => matchedLineView.parse({ line: l.line, order_id: l.order_id, outcome: l.outcome, amount: money(l) })),
    unmatched: lines
      .filter((l) => l.outcome === 'unmatched')
      .map((l) =>
        unmatchedLineView.parse({ line: l.line, reason: l.reason, detail: l.detail, order_id: l.order_id, reference: l.reference, amount: money(l) }),
      ),
    workflow_id: bankStatementWorkflowId(tenantId, s.id),
    created_at: s.created_at,
    completed_at: s.completed_at,
  };
}
