// Bank-statement matching (`bankStatement:<tenant>:<statement>`): the stored CSV becomes lines, then each line, in file
// order and in chunks, confirms its order's payment (the back office's confirmPayment Update) or is left unmatched with a
// reason. Progress is a query and the workflow's memo in the UI; very long statements continue as new.
import { continueAsNew, proxyActivities, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { statementProgressQuery, type BankStatementActivities, type BankStatementInput, type BankStatementProgress } from '../contracts/bank-statements.ts';
import { RETRY_UNTIL_DONE } from './support.ts';

// Lines per chunk: each line may wait on its order's payment workflow, so a chunk heartbeats per line and is retried
// from its first undecided line (decided lines keep their outcome; the Update id and receipt key make re-sends no-ops).
const CHUNK_LINES = 50;

const acts = proxyActivities<BankStatementActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});

/** Matches every line of one uploaded statement; returns the final counts. */
export async function bankStatement(input: BankStatementInput): Promise<BankStatementProgress> {
  const progress: BankStatementProgress = input.resume?.progress ?? { lines: 0, applied: 0, matched: 0, unmatched: 0, done: false };
  setHandler(statementProgressQuery, () => ({ ...progress }));
  const ids = { tenantId: input.tenantId, statementId: input.statementId };
  if (!input.resume) progress.lines = (await acts.prepareStatementLines(ids)).lines;
  let afterLine = input.resume?.afterLine ?? 0;
  for (;;) {
    const chunk = await acts.applyStatementLines({ ...ids, afterLine, limit: CHUNK_LINES, actor: input.actor });
    if (chunk.lastLine === null) break;
    progress.applied += chunk.applied;
    progress.matched += chunk.matched;
    progress.unmatched += chunk.unmatched;
    upsertMemo({ progress: { ...progress } });
    afterLine = chunk.lastLine;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof bankStatement>({ ...input, resume: { afterLine, progress } });
  }
  await acts.completeStatement(ids);
  progress.done = true;
  upsertMemo({ progress: { ...progress } });
  return progress;
}
