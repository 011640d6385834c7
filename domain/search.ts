// What a storefront search asks for: sort orders, filters and price buckets, shared by the API, the query SQL and the backends.

/** Sort orders of `GET /store/search`. */
export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
/** One of SEARCH_SORTS. */
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** A storefront search. Prices are minor units; a product matches a price range when one of its variants does. */
export type SearchQuery = {
  q?: string;
  category?: string;
  vendor?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: SearchSort;
  limit: number;
  offset: number;
};

/** Price facet buckets (on the lowest variant price, minor units); only non-empty buckets are reported. */
export const PRICE_BUCKETS: { key: string; min: number; max: number | null }[] = [
  { key: '0-999', min: 0, max: 999 },
  { key: '1000-4999', min: 1000, max: 4999 },
  { key: '5000-9999', min: 5000, max: 9999 },
  { key: '10000-49999', min: 10_000, max: 49_999 },
  { key: '50000+', min: 50_000, max: null },
];
