// The default search backend: search_documents with a weighted tsvector (GIN), typo expansion over known terms,
// trigram-indexed substrings for Japanese; written by the outbox relay like any external index.
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import {
  deleteDocuments,
  deleteDocumentsBefore,
  searchDocuments,
  termCandidates,
  termsWithPrefix,
  upsertDocuments,
  type MatchPlan,
} from '../../db/queries/search.ts';
import { documentTerms, needsSubstring, normalize, tokenize, typoBudget, typoCost } from './text.ts';
import type { SearchBackend, SearchDocument, SearchResult } from './types.ts';
import type { SearchQuery } from '../../domain/search.ts';

const MAX_WORDS = 10;
// Completions of the last word turned into exact terms; beyond this many the query keeps a `:*` prefix instead.
const MAX_COMPLETIONS = 50;

/** Search over PostgreSQL (always available). */
export class PostgresSearch implements SearchBackend {
  readonly kind = 'postgres' as const;
  private readonly pool: DatabasePool;
  constructor(pool: DatabasePool) {
    this.pool = pool;
  }

  async setup(): Promise<void> {
    // The schema comes from the migrations.
  }

  async upsert(docs: SearchDocument[], db: CommonQueryMethods = this.pool): Promise<void> {
    const indexedAt = new Date().toISOString();
    await upsertDocuments(
      db,
      docs.map((d) => {
        const body = `${d.description} ${d.skus.join(' ')}`;
        const { titleTerms, bodyTerms } = documentTerms(d.title, d.description, d.skus);
        return {
          tenant_id: d.tenant_id,
          id: d.id,
          title: d.title,
          search_text: normalize(`${d.title}\n${body}`),
          title_terms: titleTerms,
          body_terms: bodyTerms,
          vendor_id: d.vendor_id,
          category_ids: d.category_ids,
          category_handles: d.category_handles,
          price_min: d.price_min,
          price_max: d.price_max,
          in_stock: d.in_stock,
          created_at: d.created_at,
          hit: d.hit,
          indexed_at: indexedAt,
        };
      }),
    );
  }

  async remove(tenantId: string, productIds: string[], db: CommonQueryMethods = this.pool): Promise<void> {
    await deleteDocuments(db, tenantId, productIds);
  }

  async pruneBefore(tenantId: string, beforeMs: number): Promise<number> {
    return deleteDocumentsBefore(this.pool, tenantId, new Date(beforeMs).toISOString());
  }

  async search(tenantId: string, query: SearchQuery): Promise<SearchResult> {
    const match = await this.plan(tenantId, query.q ?? '');
    const row = await searchDocuments(this.pool, tenantId, match, query);
    return { hits: row.hits, total: row.total, facets: { category: row.category, vendor: row.vendor, price: row.price } };
  }

  /**
   * Each query word matches itself, its known terms within the typo budget and, for the last word, any term it
   * begins (search as you type); all words must match. Words of unspaced scripts match as substrings instead.
   */
  private async plan(tenantId: string, q: string): Promise<MatchPlan> {
    const words = [...new Set(tokenize(q))].slice(0, MAX_WORDS);
    if (words.length === 0) return { tsquery: null, substrings: [] };
    const substrings = words.filter(needsSubstring);
    const spaced = words.filter((w) => !needsSubstring(w));
    if (spaced.length === 0) return { tsquery: null, substrings };
    const fuzzy = spaced.map((word) => ({ word, budget: typoBudget(word) })).filter((w) => w.budget > 0);
    const last = words[words.length - 1];
    const typing = needsSubstring(last) ? undefined : last;
    const [candidates, completions] = await Promise.all([
      termCandidates(this.pool, tenantId, fuzzy),
      typing ? termsWithPrefix(this.pool, tenantId, typing, MAX_COMPLETIONS + 1) : Promise.resolve([]),
    ]);
    // Known completions as exact terms keep the query on the GIN index (the planner scans the table for `:*`).
    const prefixTerms = completions.length <= MAX_COMPLETIONS ? completions.map((t) => `'${t}'`) : null;
    // Terms are letters and digits only (tokenize), so quoting them in a tsquery needs no escaping.
    const groups = spaced.map((word) => {
      const budget = typoBudget(word);
      const near = candidates.filter((c) => c.word === word && c.term !== word && typoCost(word, c.term) <= budget).map((c) => `'${c.term}'`);
      const own = word !== last ? [`'${word}'`] : prefixTerms ? [`'${word}'`, ...prefixTerms] : [`'${word}':*`];
      return `(${[...new Set([...own, ...near])].join(' | ')})`;
    });
    return { tsquery: groups.join(' & '), substrings };
  }
}
