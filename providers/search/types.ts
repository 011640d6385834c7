// The search interface: one contract, two backends (PostgreSQL by default, Meilisearch when MEILI_HOST is set).
import type { CommonQueryMethods } from 'slonik';
import type { SearchQuery } from '../../domain/search.ts';

/** A product as the index stores it: filterable fields plus the hit returned to storefronts. */
export type SearchDocument = {
  id: string;
  tenant_id: string;
  title: string;
  description: string;
  skus: string[];
  vendor_id: string | null;
  category_ids: string[];
  category_handles: string[];
  /** Lowest and highest variant price in the tenant's currency (minor units); null without a price. */
  price_min: number | null;
  price_max: number | null;
  in_stock: boolean;
  created_at: string;
  /** The product shaped as in `GET /store/products`. */
  hit: Record<string, unknown>;
};

/** Facet name → value → count, over every document matching the query and filters. */
export type Facets = { category: Record<string, number>; vendor: Record<string, number>; price: Record<string, number> };

/** `GET /store/search` body. */
export type SearchResult = { hits: Record<string, unknown>[]; total: number; facets: Facets };

/** A search index. Writes are idempotent (the relay delivers at least once); every read is scoped to one tenant. */
export interface SearchBackend {
  readonly kind: 'postgres' | 'meilisearch';
  /** Applies index settings; safe to call on every start. */
  setup(): Promise<void>;
  /** Inserts or replaces documents; a backend in the same database writes through `db` (the relay's transaction). */
  upsert(docs: SearchDocument[], db?: CommonQueryMethods): Promise<void>;
  /** Removes a tenant's documents; unknown ids are ignored. */
  remove(tenantId: string, productIds: string[], db?: CommonQueryMethods): Promise<void>;
  /** Removes a tenant's documents last written before `beforeMs` (epoch ms); returns how many, when known. */
  pruneBefore(tenantId: string, beforeMs: number): Promise<number>;
  /** Runs a query for one tenant; callers cannot widen it to another tenant. */
  search(tenantId: string, query: SearchQuery): Promise<SearchResult>;
}
