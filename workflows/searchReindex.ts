// Rebuilds one tenant's search index (`search-reindex:<tenant>`): page by page, then drops documents the pages did not
// rewrite (products deleted while the index was out of sync). Progress is a query and the workflow's memo in the UI.
import { proxyActivities, setHandler, upsertMemo } from '@temporalio/workflow';
import type { SearchActivities } from '../contracts/activities.ts';
import { reindexProgressQuery } from '../contracts/definitions.ts';
import type { ReindexProgress, SearchReindexInput } from '../contracts/workflows.ts';

// Pages are upserts keyed by product id (safe to repeat); a page may take a while against a remote index.
const acts = proxyActivities<SearchActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Reindexes every live product of the tenant, `pageSize` at a time. */
export async function searchReindex(input: SearchReindexInput): Promise<ReindexProgress> {
  const progress: ReindexProgress = { indexed: 0, removed: 0, pages: 0, pruned: 0, done: false };
  setHandler(reindexProgressQuery, () => progress);
  const startedAtMs = await acts.reindexStartedAt();
  let afterId: string | null = null;
  for (;;) {
    const page: { upserted: number; removed: number; lastId: string | null } = await acts.reindexSearchPage({
      tenantId: input.tenantId,
      afterId,
      limit: input.pageSize ?? 500,
    });
    progress.indexed += page.upserted;
    progress.removed += page.removed;
    progress.pages += 1;
    upsertMemo({ progress: { ...progress } });
    if (page.lastId === null) break;
    afterId = page.lastId;
  }
  progress.pruned = await acts.pruneSearchIndex({ tenantId: input.tenantId, beforeMs: startedAtMs });
  progress.done = true;
  upsertMemo({ progress: { ...progress } });
  return progress;
}
