// Activities of bank-statement matching: each line confirms its order's payment through the same confirmPayment Update the
// back office sends, under the line's key, so a retried step, a re-upload or an overlapping statement counts money once.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DatabasePool } from 'slonik';
import { parseBankStatement } from '../domain/bank-statement-csv.ts';
import { orderIdOfReference, statementLineVerdict, type LineVerdict, type OrderToPay } from '../domain/bank-statements.ts';
import { NotFoundError } from '../domain/errors.ts';
import { paymentWorkflowId } from '../domain/ids.ts';
import {
  completeBankStatement,
  insertStatementLines,
  recordLineOutcome,
  statementContent,
  statementLinesAfter,
  type LineOutcome,
  type StatementLineRow,
} from '../db/queries/bank-statements.ts';
import { getOrder } from '../db/queries/orders.ts';
import { receiptRecorder } from '../db/queries/payments.ts';
import { confirmPaymentUpdate } from '../contracts/definitions.ts';
import type { BankStatementActivities, StatementChunk } from '../contracts/bank-statements.ts';
import type { Actor } from '../contracts/audit.ts';

// One confirmation may wait on a busy payment workflow; past this the step fails and is retried (the Update id dedupes).
const UPDATE_WAIT_MS = 20_000;

/** `confirmed_by` of receipts a statement records: tells a retried step's own receipt from an earlier upload's. */
export const statementConfirmer = (statementId: string) => `bank-statement:${statementId}`;

/** Builds the statement activities; confirming needs the worker's Temporal client. */
export function createBankStatementActivities({ pool, temporal }: { pool: DatabasePool; temporal?: Client }): BankStatementActivities {
  /** The order a line names with its bank-transfer payment, and the receipt already recorded under the line's key. */
  const lookUp = async (tenantId: string, statementId: string, orderId: string | null, key: string) => {
    if (!orderId) return { order: null, receipt: null };
    const view = await getOrder(pool, tenantId, orderId).catch((err) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    if (!view) return { order: null, receipt: null };
    const transfer = view.payments.find((p) => p.method === 'bank_transfer');
    const order: OrderToPay = {
      id: view.id,
      status: view.status,
      paymentMethod: view.payment_method,
      payment: transfer ? { amount: transfer.amount.amount, currency: transfer.amount.currency, received: transfer.received.amount } : null,
    };
    const recorder = transfer ? await receiptRecorder(pool, transfer.id, key) : null;
    return { order, receipt: recorder === null ? null : { byThisStatement: recorder === statementConfirmer(statementId) } };
  };

  const outcomeOf = (verdict: Exclude<LineVerdict, { kind: 'confirm' }>): LineOutcome =>
    verdict.kind === 'matched' ? { outcome: verdict.outcome, orderId: verdict.orderId } : { ...verdict, outcome: 'unmatched' };

  const applyLine = async (tenantId: string, statementId: string, line: StatementLineRow, actor?: Actor): Promise<LineOutcome> => {
    if (line.parse_error !== null || line.line_key === null || line.amount === null || line.currency === null) {
      return { outcome: 'unmatched', reason: 'unparsable_line', detail: line.parse_error ?? 'the line cannot be read', orderId: null };
    }
    const key = line.line_key;
    const transfer = { amount: line.amount, currency: line.currency };
    const orderId = orderIdOfReference(line.reference);
    const decide = async () => {
      const { order, receipt } = await lookUp(tenantId, statementId, orderId, key);
      return statementLineVerdict(transfer, order, receipt);
    };
    const verdict = await decide();
    if (verdict.kind !== 'confirm') return outcomeOf(verdict);
    if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to confirm payments', 'not_configured');
    try {
      const state = await temporal.withAbortSignal(AbortSignal.timeout(UPDATE_WAIT_MS), () =>
        temporal.workflow.getHandle(paymentWorkflowId(tenantId, verdict.orderId)).executeUpdate(confirmPaymentUpdate, {
          args: [{ amount: transfer, reference: key, confirmedBy: statementConfirmer(statementId), actor }],
          updateId: key,
        }),
      );
      return { outcome: state.status === 'paid' ? 'paid' : 'partially_paid', orderId: verdict.orderId };
    } catch (err) {
      // Refused (paid, expired or cancelled meanwhile) or its process ended: decide again from what the database now says.
      if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
      const now = await decide();
      if (now.kind !== 'confirm') return outcomeOf(now);
      const why = err instanceof WorkflowUpdateFailedError ? String(err.cause?.message ?? err.message) : 'its payment process has ended';
      return { outcome: 'unmatched', reason: 'not_awaiting_payment', detail: `the order refused the payment: ${why}`, orderId: verdict.orderId };
    }
  };

  return {
    async prepareStatementLines({ tenantId, statementId }) {
      const lines = parseBankStatement(await statementContent(pool, tenantId, statementId), tenantId);
      await insertStatementLines(pool, tenantId, statementId, lines);
      return { lines: lines.length };
    },

    async applyStatementLines({ tenantId, statementId, afterLine, limit, actor }): Promise<StatementChunk> {
      const lines = await statementLinesAfter(pool, statementId, afterLine, limit);
      const chunk: StatementChunk = { applied: 0, matched: 0, unmatched: 0, lastLine: lines.at(-1)?.line ?? null };
      for (const line of lines) {
        Context.current().heartbeat(line.line);
        let outcome = line.outcome;
        if (outcome === null) {
          const decided = await applyLine(tenantId, statementId, line, actor);
          await recordLineOutcome(pool, statementId, line.line, decided);
          outcome = decided.outcome;
        }
        chunk.applied += 1;
        if (outcome === 'unmatched') chunk.unmatched += 1;
        else chunk.matched += 1;
      }
      return chunk;
    },

    async completeStatement({ tenantId, statementId }) {
      await completeBankStatement(pool, tenantId, statementId);
    },
  };
}
