// SQL owned by search_documents and search_terms (the PostgreSQL search backend's index).
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { PRICE_BUCKETS, type SearchQuery } from '../../domain/search.ts';

/** A document row as the indexer writes it; terms come from providers/search/text.ts. */
export type DocumentRow = {
  tenant_id: string;
  id: string;
  title: string;
  search_text: string;
  title_terms: string[];
  body_terms: string[];
  vendor_id: string | null;
  category_ids: string[];
  category_handles: string[];
  price_min: number | null;
  price_max: number | null;
  in_stock: boolean;
  created_at: string;
  hit: Record<string, unknown>;
  indexed_at: string;
};

/** Inserts or replaces documents and records their terms, in one statement each. */
export async function upsertDocuments(db: CommonQueryMethods, rows: DocumentRow[]): Promise<void> {
  if (rows.length === 0) return;
  const texts = (field: string) => sql.fragment`ARRAY(SELECT jsonb_array_elements_text(d.${sql.identifier([field])}))`;
  await db.query(sql.type(noRows)`
    INSERT INTO search_documents (tenant_id, product_id, title, search_text, tsv, vendor_id, category_ids, category_handles, price_min, price_max, in_stock, product_created_at, doc, indexed_at)
    SELECT d.tenant_id, d.id, d.title, d.search_text,
      setweight(array_to_tsvector(${texts('title_terms')}), 'A') || setweight(array_to_tsvector(${texts('body_terms')}), 'B'),
      d.vendor_id, ${texts('category_ids')}, ${texts('category_handles')}, d.price_min, d.price_max, d.in_stock, d.created_at, d.hit, d.indexed_at
    FROM jsonb_to_recordset(${sql.jsonb(rows as never)}) AS d(tenant_id text, id text, title text, search_text text, title_terms jsonb, body_terms jsonb,
      vendor_id text, category_ids jsonb, category_handles jsonb, price_min int8, price_max int8, in_stock boolean, created_at timestamptz, hit jsonb, indexed_at timestamptz)
    ON CONFLICT (tenant_id, product_id) DO UPDATE SET
      title = EXCLUDED.title, search_text = EXCLUDED.search_text, tsv = EXCLUDED.tsv, vendor_id = EXCLUDED.vendor_id,
      category_ids = EXCLUDED.category_ids, category_handles = EXCLUDED.category_handles, price_min = EXCLUDED.price_min,
      price_max = EXCLUDED.price_max, in_stock = EXCLUDED.in_stock, product_created_at = EXCLUDED.product_created_at,
      doc = EXCLUDED.doc, indexed_at = EXCLUDED.indexed_at`);
  const terms = [...new Set(rows.flatMap((r) => [...r.title_terms, ...r.body_terms].map((t) => `${r.tenant_id}\u0001${t}`)))]
    .sort()
    .map((k) => k.split('\u0001'));
  await db.query(sql.type(noRows)`
    INSERT INTO search_terms (tenant_id, term)
    SELECT tenant_id, term FROM ${sql.unnest(terms, ['text', 'text'])} AS t(tenant_id, term)
    ON CONFLICT DO NOTHING`);
}

/** Takes each product's index lock until the transaction ends, in id order (two callers never deadlock). */
export async function lockProductsForIndexing(tx: CommonQueryMethods, tenantId: string, productIds: string[]): Promise<void> {
  await tx.query(sql.type(noRows)`
    SELECT pg_advisory_xact_lock(hashtextextended(${tenantId} || ':' || id, 0))
    FROM (SELECT DISTINCT unnest(${sql.array(productIds, 'text')}) AS id ORDER BY 1) ids`);
}

/** Removes a tenant's documents. */
export async function deleteDocuments(db: CommonQueryMethods, tenantId: string, productIds: string[]): Promise<void> {
  if (productIds.length === 0) return;
  await db.query(sql.type(noRows)`DELETE FROM search_documents WHERE tenant_id = ${tenantId} AND product_id = ANY(${sql.array(productIds, 'text')})`);
}

/** Removes a tenant's documents written before a time; returns how many. */
export async function deleteDocumentsBefore(db: CommonQueryMethods, tenantId: string, before: string): Promise<number> {
  const rows = await db.any(sql.type(z.object({ product_id: z.string() }))`
    DELETE FROM search_documents WHERE tenant_id = ${tenantId} AND indexed_at < ${before} RETURNING product_id`);
  return rows.length;
}

/**
 * Known terms of a tenant within `2 × budget` Levenshtein edits of each word (a swap costs two there); callers refine.
 * A first-character typo costs two (Meilisearch's rule), so with a budget of one only terms sharing the first
 * character qualify, which lets the (tenant, first character, length) index do the narrowing.
 */
export async function termCandidates(
  db: CommonQueryMethods,
  tenantId: string,
  words: { word: string; budget: number }[],
): Promise<{ word: string; term: string }[]> {
  if (words.length === 0) return [];
  const rows = await db.any(sql.type(z.object({ word: z.string(), term: z.string() }))`
    SELECT w.word, s.term
    FROM ${sql.unnest(
      words.map((w) => [w.word, w.budget]),
      ['text', 'int4'],
    )} AS w(word, budget)
    JOIN LATERAL (
      SELECT term FROM search_terms
      WHERE tenant_id = ${tenantId} AND (w.budget > 1 OR left(term, 1) = left(w.word, 1))
        AND char_length(term) BETWEEN char_length(w.word) - w.budget AND char_length(w.word) + w.budget
        AND levenshtein_less_equal(term, w.word, 2 * w.budget) <= 2 * w.budget
      LIMIT 50
    ) s ON true`);
  return [...rows];
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Known terms of a tenant beginning with `prefix` (a range scan of the C-collated key), at most `limit`, in order. */
export async function termsWithPrefix(db: CommonQueryMethods, tenantId: string, prefix: string, limit: number): Promise<string[]> {
  const rows = await db.any(sql.type(z.object({ term: z.string() }))`
    SELECT term FROM search_terms WHERE tenant_id = ${tenantId} AND term LIKE ${`${escapeLike(prefix)}%`} ORDER BY term LIMIT ${limit}`);
  return rows.map((r) => r.term);
}

/** How a query matches: a tsquery over the terms, and substrings every document must contain (unspaced scripts). */
export type MatchPlan = { tsquery: string | null; substrings: string[] };

const resultRow = z.object({
  total: z.number(),
  hits: z.array(z.record(z.string(), z.unknown())),
  category: z.record(z.string(), z.number()),
  vendor: z.record(z.string(), z.number()),
  price: z.record(z.string(), z.number()),
});

/** Matching documents of one tenant: the page of hits, the total and the facets, in one statement. */
export async function searchDocuments(db: CommonQueryMethods, tenantId: string, match: MatchPlan, q: SearchQuery): Promise<z.infer<typeof resultRow>> {
  const where = [sql.fragment`tenant_id = ${tenantId}`];
  const tsq = match.tsquery === null ? null : sql.fragment`${match.tsquery}::tsquery`;
  const substrings = match.substrings.map((s) => sql.fragment`search_text LIKE ${`%${escapeLike(s)}%`}`);
  const textMatch = [
    ...(tsq ? [sql.fragment`tsv @@ ${tsq}`] : []),
    ...(substrings.length ? [sql.fragment`(${sql.join(substrings, sql.fragment` AND `)})`] : []),
  ];
  if (textMatch.length) where.push(sql.fragment`(${sql.join(textMatch, sql.fragment` AND `)})`);
  if (q.category) where.push(sql.fragment`(category_ids @> ARRAY[${q.category}]::text[] OR category_handles @> ARRAY[${q.category}]::text[])`);
  if (q.vendor) where.push(sql.fragment`vendor_id = ${q.vendor}`);
  if (q.minPrice !== undefined) where.push(sql.fragment`price_max >= ${q.minPrice}`);
  if (q.maxPrice !== undefined) where.push(sql.fragment`price_min <= ${q.maxPrice}`);
  if (q.inStock !== undefined) where.push(sql.fragment`in_stock = ${q.inStock}`);
  // Title terms weigh 1.0, the rest 0.4; a title holding an unspaced query word gets the title weight too.
  const titleSubstring = match.substrings.length
    ? sql.fragment` + CASE WHEN lower(title) LIKE ${`%${escapeLike(match.substrings[0])}%`} THEN 1.0 ELSE 0 END`
    : sql.fragment``;
  const rank = tsq
    ? sql.fragment`ts_rank('{0.1, 0.2, 0.4, 1.0}', tsv, ${tsq})${titleSubstring}`
    : match.substrings.length
      ? sql.fragment`0${titleSubstring}`
      : sql.fragment`0`;
  const order = {
    relevance: sql.fragment`rank DESC, product_created_at DESC, product_id`,
    price_asc: sql.fragment`price_min ASC NULLS LAST, product_id`,
    price_desc: sql.fragment`price_min DESC NULLS LAST, product_id`,
    newest: sql.fragment`product_created_at DESC, product_id DESC`,
  }[q.sort];
  const bucket = sql.join(
    PRICE_BUCKETS.map(
      (b) => sql.fragment`WHEN price_min >= ${b.min} ${b.max === null ? sql.fragment`` : sql.fragment`AND price_min <= ${b.max}`} THEN ${b.key}`,
    ),
    sql.fragment` `,
  );
  return db.one(sql.type(resultRow)`
    WITH m AS MATERIALIZED (
      SELECT product_id, vendor_id, category_ids, price_min, product_created_at, ${rank} AS rank
      FROM search_documents WHERE ${sql.join(where, sql.fragment` AND `)}
    )
    SELECT
      (SELECT count(*) FROM m)::int8 AS total,
      -- Only the page's documents are read whole; every match feeds the count and the facets from narrow columns.
      COALESCE((SELECT jsonb_agg(d.doc ORDER BY p.n) FROM (
        SELECT product_id, row_number() OVER (ORDER BY ${order}) AS n FROM m ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}) p
        JOIN search_documents d ON d.tenant_id = ${tenantId} AND d.product_id = p.product_id), '[]') AS hits,
      COALESCE((SELECT jsonb_object_agg(c, n) FROM (SELECT c, count(*)::int8 AS n FROM m, unnest(m.category_ids) c GROUP BY c) f), '{}') AS category,
      COALESCE((SELECT jsonb_object_agg(vendor_id, n) FROM (SELECT vendor_id, count(*)::int8 AS n FROM m WHERE vendor_id IS NOT NULL GROUP BY vendor_id) f), '{}') AS vendor,
      COALESCE((SELECT jsonb_object_agg(k, n) FROM (SELECT CASE ${bucket} END AS k, count(*)::int8 AS n FROM m WHERE price_min IS NOT NULL GROUP BY 1) f), '{}') AS price`);
}
