// A product CSV import (`import:<tenant>:<import>`): the stored file parsed once into rows, then applied a chunk at a
// time by idempotent upserts; progress is the `progress` query and the workflow's memo. A long file continues as new
// every `chunksPerRun` chunks, so no history grows with the file's size.
import { ApplicationFailure, continueAsNew, proxyActivities, setHandler, upsertMemo } from '@temporalio/workflow';
import { chunkRange } from '../domain/imports.ts';
import { statusQuery } from '../contracts/definitions.ts';
import { importProgressQuery, type ImportActivities, type ImportProgress, type ProductImportInput } from '../contracts/imports.ts';
import { unwrapFailure } from './support.ts';

// Chunks are keyed by row (applied rows are skipped), so retrying one is safe; outages are retried for about an hour. A
// chunk takes well under a second: 30 s bounds how long a chunk a dead worker held waits before another worker runs it.
const acts = proxyActivities<ImportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 60 },
});
// Parsing a very large file takes longer; it saves every row in one transaction, so a retry starts clean.
const parsing = proxyActivities<ImportActivities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Imports one uploaded file; returns its final counters. */
export async function productImport(input: ProductImportInput): Promise<ImportProgress> {
  const { tenantId, importId } = input;
  let progress: ImportProgress = { status: 'running', rows: null, processed: 0, created: 0, updated: 0, failed: 0 };
  setHandler(importProgressQuery, () => progress);
  setHandler(statusQuery, () => progress.status);
  let nextChunk = input.nextChunk ?? 0;
  try {
    const { rows } = await parsing.parseImportFile({ tenantId, importId });
    progress = { ...progress, rows };
    const chunks = Math.ceil(rows / input.chunkSize);
    for (let applied = 0; nextChunk < chunks && applied < input.chunksPerRun; nextChunk++, applied++) {
      progress = await acts.applyImportChunk({ tenantId, importId, ...chunkRange(nextChunk, input.chunkSize) });
      upsertMemo({ progress });
    }
    if (nextChunk >= chunks) progress = await acts.completeImport({ tenantId, importId, actor: input.actor });
  } catch (err) {
    const cause = unwrapFailure(err);
    const message = cause instanceof Error ? cause.message : String(cause);
    await acts.failImport({ tenantId, importId, error: message });
    throw ApplicationFailure.nonRetryable(`import ${importId} failed: ${message}`, 'import_failed');
  }
  if (progress.status === 'running') return continueAsNew<typeof productImport>({ ...input, nextChunk });
  upsertMemo({ progress });
  return progress;
}
