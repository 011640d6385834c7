// Meilisearch backend (MEILI_HOST): one index for every tenant; each query carries a tenant_id filter the caller
// cannot remove (filters in an array are ANDed, and caller values are quoted).
import { Meilisearch, type Index } from 'meilisearch';
import { tokenize } from './text.ts';
import type { SearchBackend, SearchDocument, SearchResult } from './types.ts';
import { PRICE_BUCKETS, type SearchQuery } from '../../domain/search.ts';

type MeiliDocument = {
  uid: string;
  tenant_id: string;
  product_id: string;
  title: string;
  title_compact: string;
  description: string;
  skus: string[];
  vendor_id: string | null;
  category_ids: string[];
  category_handles: string[];
  price_min: number | null;
  price_max: number | null;
  in_stock: boolean;
  created_at_ms: number;
  indexed_at_ms: number;
  hit: Record<string, unknown>;
};

/** Index settings applied at start-up. */
const MEILI_SETTINGS = {
  // Order is rank: the title (and the title with its words joined, so "tshrit" is one typo from "T-Shirt") over the rest.
  searchableAttributes: ['title', 'title_compact', 'description', 'skus'],
  filterableAttributes: ['tenant_id', 'category_ids', 'category_handles', 'vendor_id', 'price_min', 'price_max', 'in_stock', 'indexed_at_ms'],
  sortableAttributes: ['price_min', 'created_at_ms'],
  displayedAttributes: ['product_id', 'hit'],
  // The defaults (1,000 hits, 100 facet values) would cut results the PostgreSQL backend returns.
  pagination: { maxTotalHits: 100_000 },
  faceting: { maxValuesPerFacet: 1000 },
};

const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
// Meilisearch document ids allow letters, digits, - and _; our ids are prefixed hex.
const uid = (tenantId: string, productId: string) => `${tenantId}__${productId}`.replace(/[^A-Za-z0-9_-]/g, '-');

/** Search over Meilisearch through the official client. */
export class MeiliSearchBackend implements SearchBackend {
  readonly kind = 'meilisearch' as const;
  private readonly client: Meilisearch;
  private readonly index: Index<MeiliDocument>;
  private readonly indexUid: string;
  constructor(opts: { host: string; apiKey?: string; index: string }) {
    this.client = new Meilisearch({ host: opts.host, apiKey: opts.apiKey });
    this.indexUid = opts.index;
    this.index = this.client.index<MeiliDocument>(opts.index);
  }

  async setup(): Promise<void> {
    const created = await this.client.createIndex(this.indexUid, { primaryKey: 'uid' }).waitTask();
    if (created.status === 'failed' && created.error?.code !== 'index_already_exists')
      throw new Error(`meilisearch: creating index failed: ${created.error?.message}`);
    await this.done(this.index.updateSettings(MEILI_SETTINGS).waitTask(), 'updating settings');
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const now = Date.now();
    await this.done(
      this.index
        .addDocuments(
          docs.map((d) => ({
            uid: uid(d.tenant_id, d.id),
            tenant_id: d.tenant_id,
            product_id: d.id,
            title: d.title,
            title_compact: tokenize(d.title).join(''),
            description: d.description,
            skus: d.skus,
            vendor_id: d.vendor_id,
            category_ids: d.category_ids,
            category_handles: d.category_handles,
            price_min: d.price_min,
            price_max: d.price_max,
            in_stock: d.in_stock,
            created_at_ms: Date.parse(d.created_at),
            indexed_at_ms: now,
            hit: d.hit,
          })),
          { primaryKey: 'uid' },
        )
        .waitTask(),
      'upserting documents',
    );
  }

  async remove(tenantId: string, productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.done(this.index.deleteDocuments(productIds.map((p) => uid(tenantId, p))).waitTask(), 'deleting documents');
  }

  async pruneBefore(tenantId: string, beforeMs: number): Promise<number> {
    const task = await this.done(
      this.index.deleteDocuments({ filter: [`tenant_id = ${quote(tenantId)}`, `indexed_at_ms < ${Math.floor(beforeMs)}`] }).waitTask(),
      'pruning documents',
    );
    return Number((task.details as { deletedDocuments?: number } | undefined)?.deletedDocuments ?? 0);
  }

  async search(tenantId: string, query: SearchQuery): Promise<SearchResult> {
    const filter = [`tenant_id = ${quote(tenantId)}`];
    if (query.category) filter.push(`category_ids = ${quote(query.category)} OR category_handles = ${quote(query.category)}`);
    if (query.vendor) filter.push(`vendor_id = ${quote(query.vendor)}`);
    if (query.minPrice !== undefined) filter.push(`price_max >= ${query.minPrice}`);
    if (query.maxPrice !== undefined) filter.push(`price_min <= ${query.maxPrice}`);
    if (query.inStock !== undefined) filter.push(`in_stock = ${query.inStock}`);
    const sort = { relevance: undefined, price_asc: ['price_min:asc'], price_desc: ['price_min:desc'], newest: ['created_at_ms:desc'] }[query.sort];
    const q = query.q ?? '';
    // One round trip: the page, the exact total with the facets, and one count per price bucket.
    const { results } = await this.client.multiSearch({
      queries: [
        { indexUid: this.indexUid, q, filter, sort, limit: query.limit, offset: query.offset, attributesToRetrieve: ['hit'] },
        { indexUid: this.indexUid, q, filter, page: 1, hitsPerPage: 0, facets: ['category_ids', 'vendor_id'] },
        ...PRICE_BUCKETS.map((b) => ({
          indexUid: this.indexUid,
          q,
          page: 1,
          hitsPerPage: 0,
          filter: [...filter, `price_min >= ${b.min}`, ...(b.max === null ? [] : [`price_min <= ${b.max}`])],
        })),
      ],
    });
    const [page, counted, ...buckets] = results as unknown as {
      hits: { hit: Record<string, unknown> }[];
      totalHits?: number;
      facetDistribution?: Record<string, Record<string, number>>;
    }[];
    const price = Object.fromEntries(PRICE_BUCKETS.map((b, i) => [b.key, buckets[i].totalHits ?? 0]).filter(([, n]) => (n as number) > 0));
    return {
      hits: page.hits.map((h) => h.hit),
      total: counted.totalHits ?? 0,
      facets: { category: counted.facetDistribution?.category_ids ?? {}, vendor: counted.facetDistribution?.vendor_id ?? {}, price },
    };
  }

  private async done<T extends { status: string; error?: { message: string } | null }>(task: Promise<T>, what: string): Promise<T> {
    const finished = await task;
    if (finished.status !== 'succeeded') throw new Error(`meilisearch: ${what} ${finished.status}: ${finished.error?.message ?? ''}`);
    return finished;
  }
}
