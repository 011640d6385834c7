// Catalog reads beside catalog.ts (which writes products, variants, prices and their categories): listings, availability
// and what the search indexer reads.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { idRow, sql } from '../sql.ts';
import { productView, type ProductView } from '../../contracts/views.ts';
import { vendorNotSuspended } from './vendors.ts';
import { productColumns } from './catalog.ts';

/** Units available now (on hand minus reserved, all locations) of each variant given. */
export async function currentAvailability(db: CommonQueryMethods, tenantId: string, variantIds: string[]): Promise<Map<string, number>> {
  if (variantIds.length === 0) return new Map();
  const rows = await db.any(sql.type(z.object({ variant_id: z.string(), available: z.number() }))`
    SELECT variant_id, sum(on_hand - reserved)::int8 AS available FROM inventory_levels
    WHERE tenant_id = ${tenantId} AND variant_id = ANY(${sql.array(variantIds, 'text')}) GROUP BY variant_id`);
  return new Map(rows.map((r) => [r.variant_id, r.available]));
}

/** Filters of a product listing. */
export type ProductFilter = { q?: string; category?: string; vendor?: string; publishedOnly: boolean; afterId?: string; limit: number };

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists a tenant's products by id, `limit + 1` rows so the caller knows whether there is a next page. */
export async function listProducts(db: CommonQueryMethods, tenantId: string, currency: string, f: ProductFilter): Promise<ProductView[]> {
  const conditions = [sql.fragment`p.tenant_id = ${tenantId}`, sql.fragment`p.deleted_at IS NULL`];
  if (f.publishedOnly) conditions.push(sql.fragment`p.status = 'published' AND ${vendorNotSuspended}`);
  if (f.afterId) conditions.push(sql.fragment`p.id > ${f.afterId}`);
  if (f.vendor) conditions.push(sql.fragment`p.vendor_id = ${f.vendor}`);
  if (f.q) {
    const pattern = `%${escapeLike(f.q)}%`;
    conditions.push(
      sql.fragment`(p.title ILIKE ${pattern} OR p.description ILIKE ${pattern} OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.sku ILIKE ${pattern}))`,
    );
  }
  if (f.category) {
    conditions.push(sql.fragment`EXISTS (SELECT 1 FROM product_categories pc JOIN categories c ON c.id = pc.category_id
      WHERE pc.product_id = p.id AND c.tenant_id = ${tenantId} AND (c.id = ${f.category} OR c.handle = ${f.category}))`);
  }
  const rows = await db.any(sql.type(productView)`
    SELECT ${productColumns(currency)} FROM products p
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY p.id LIMIT ${f.limit + 1}`);
  return [...rows];
}

const indexedProduct = productView.extend({ category_handles: z.array(z.string()) });
/** A product as the search indexer reads it. */
export type IndexedProduct = z.infer<typeof indexedProduct>;

/** The published, live products among `productIds` (the rest are to be removed from the search index). */
export async function productsForIndex(db: CommonQueryMethods, tenantId: string, currency: string, productIds: string[]): Promise<IndexedProduct[]> {
  if (productIds.length === 0) return [];
  return [
    ...(await db.any(sql.type(indexedProduct)`
    SELECT ${productColumns(currency)},
      COALESCE((SELECT array_agg(c.handle ORDER BY c.handle) FROM product_categories pc JOIN categories c ON c.id = pc.category_id WHERE pc.product_id = p.id), '{}') AS category_handles
    FROM products p
    WHERE p.tenant_id = ${tenantId} AND p.id = ANY(${sql.array(productIds, 'text')}) AND p.deleted_at IS NULL AND p.status = 'published' AND ${vendorNotSuspended}`)),
  ];
}

/** The products of these variants. */
export async function productIdsOfVariants(db: CommonQueryMethods, tenantId: string, variantIds: string[]): Promise<string[]> {
  if (variantIds.length === 0) return [];
  return [
    ...(await db.anyFirst(sql.type(z.object({ product_id: z.string() }))`
    SELECT DISTINCT product_id FROM variants WHERE tenant_id = ${tenantId} AND id = ANY(${sql.array(variantIds, 'text')})`)),
  ];
}

/** A page of a tenant's live product ids in id order (the reindex walks them). */
export async function productIdPage(db: CommonQueryMethods, tenantId: string, afterId: string | null, limit: number): Promise<string[]> {
  return [
    ...(await db.anyFirst(sql.type(idRow)`
    SELECT id FROM products WHERE tenant_id = ${tenantId} AND deleted_at IS NULL ${afterId ? sql.fragment`AND id > ${afterId}` : sql.fragment``}
    ORDER BY id LIMIT ${limit}`)),
  ];
}
