// Activities of the search reindex workflow.
import { ApplicationFailure } from '@temporalio/common';
import type { DatabasePool } from 'slonik';
import { productIdPage } from '../db/queries/catalog-reads.ts';
import type { SearchBackend } from '../providers/search/types.ts';
import { refreshProducts } from './search-indexer.ts';
import type { SearchActivities } from '../contracts/activities.ts';

/** Builds the reindex activities. */
export function createSearchActivities({ pool, search }: { pool: DatabasePool; search?: SearchBackend }) {
  const backend = () =>
    search ??
    (() => {
      throw ApplicationFailure.nonRetryable('this worker has no search backend', 'relay_not_configured');
    })();
  return {
    /** The reindex's start time on the clock that stamps documents (the worker's). */
    async reindexStartedAt(): Promise<number> {
      return Date.now();
    },
    /** Rewrites one page of the tenant's products (by id); `lastId` is null after the last page. */
    async reindexSearchPage(input: {
      tenantId: string;
      afterId: string | null;
      limit: number;
    }): Promise<{ upserted: number; removed: number; lastId: string | null }> {
      const ids = await productIdPage(pool, input.tenantId, input.afterId, input.limit);
      // In a transaction: the page's product locks keep a concurrent deletion from being overwritten by this page.
      const { upserted, removed } = await pool.transaction((tx) => refreshProducts(tx, backend(), input.tenantId, ids));
      return { upserted, removed, lastId: ids.length === input.limit ? ids[ids.length - 1] : null };
    },
    /** Drops the tenant's documents the reindex did not rewrite. */
    async pruneSearchIndex(input: { tenantId: string; beforeMs: number }): Promise<number> {
      return backend().pruneBefore(input.tenantId, input.beforeMs);
    },
  } satisfies SearchActivities;
}
