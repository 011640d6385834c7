// Search test data: documents as the indexer would write them, built from overrides.
import { randomUUID } from 'node:crypto';
import type { SearchDocument } from '../../providers/search/types.ts';

/** A search document of `tenant_id`; `price` sets both ends of the price range. */
export function buildSearchDocument(overrides: Partial<SearchDocument> & { tenant_id: string; price?: number }): SearchDocument {
  const id = overrides.id ?? `prod_${randomUUID().replaceAll('-', '')}`;
  const title = overrides.title ?? `Product ${id.slice(-6)}`;
  const { price, ...rest } = overrides;
  return {
    id,
    title,
    description: '',
    skus: [`SKU-${id.slice(-8)}`],
    vendor_id: null,
    category_ids: [],
    category_handles: [],
    price_min: price ?? 1000,
    price_max: price ?? 1000,
    in_stock: true,
    created_at: new Date().toISOString(),
    hit: { id, title },
    ...rest,
  };
}
