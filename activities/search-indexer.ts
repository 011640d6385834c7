// The search indexer: turns catalog events into index writes. It re-reads each touched product instead of trusting the
// event's snapshot, so a late or repeated event can never put an older state back into the index.
import type { DatabaseTransactionConnection } from 'slonik';
import { lockProductsForIndexing } from '../db/queries/search.ts';
import { productIdsOfVariants, productsForIndex, type IndexedProduct } from '../db/queries/catalog-reads.ts';
import { tenantCurrency } from '../db/queries/tenants.ts';
import type { OutboxRow } from '../db/queries/outbox.ts';
import type { SearchBackend, SearchDocument } from '../providers/search/types.ts';

/** Event types that change what the index holds. */
export const INDEXED_EVENT_TYPES = [
  'product.updated',
  'product.deleted',
  'product.vendor_status_changed',
  'price.updated',
  'inventory.updated',
  'inventory.reservation.expired',
];

/** A product as the index stores it. */
export function toDocument(tenantId: string, p: IndexedProduct): SearchDocument {
  const prices = p.variants.flatMap((v) => (v.price ? [v.price.amount] : []));
  const { created_at, updated_at: _u, category_handles, ...hit } = p;
  return {
    id: p.id,
    tenant_id: tenantId,
    title: p.title,
    description: p.description,
    skus: p.variants.map((v) => v.sku),
    vendor_id: p.vendor_id,
    category_ids: p.category_ids,
    category_handles,
    price_min: prices.length ? Math.min(...prices) : null,
    price_max: prices.length ? Math.max(...prices) : null,
    in_stock: p.variants.some((v) => v.available_quantity > 0),
    created_at,
    hit,
  };
}

/**
 * Writes the current state of these products: published ones upserted, the others removed. Must run in a transaction:
 * each product's lock is held from the read to the commit, so two indexers (a relay and a reindex, or two overlapping
 * relays) write one product one after the other, and the later one writes what it read later.
 */
export async function refreshProducts(
  db: DatabaseTransactionConnection,
  search: SearchBackend,
  tenantId: string,
  productIds: string[],
): Promise<{ upserted: number; removed: number }> {
  if (productIds.length === 0) return { upserted: 0, removed: 0 };
  await lockProductsForIndexing(db, tenantId, productIds);
  const currency = await tenantCurrency(db, tenantId);
  const products = currency ? await productsForIndex(db, tenantId, currency, productIds) : [];
  const live = new Set(products.map((p) => p.id));
  const gone = productIds.filter((id) => !live.has(id));
  await search.upsert(
    products.map((p) => toDocument(tenantId, p)),
    db,
  );
  await search.remove(tenantId, gone, db);
  return { upserted: products.length, removed: gone.length };
}

/** Applies a batch of outbox events to the index; returns how many products it refreshed. */
export async function indexEvents(db: DatabaseTransactionConnection, search: SearchBackend, events: OutboxRow[]): Promise<number> {
  const byTenant = new Map<string, { products: Set<string>; variants: Set<string> }>();
  for (const e of events) {
    if (!INDEXED_EVENT_TYPES.includes(e.type)) continue;
    const touched = byTenant.get(e.tenant_id) ?? { products: new Set(), variants: new Set() };
    byTenant.set(e.tenant_id, touched);
    if (e.type === 'price.updated') touched.products.add(String(e.payload.product_id));
    else if (e.type.startsWith('inventory.')) touched.variants.add(String(e.payload.variant_id ?? e.aggregate_id));
    else touched.products.add(e.aggregate_id);
  }
  let refreshed = 0;
  // Tenants in a fixed order, so two relays locking the same products never wait on each other in a cycle.
  for (const [tenantId, touched] of [...byTenant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ids = new Set([...touched.products, ...(await productIdsOfVariants(db, tenantId, [...touched.variants]))]);
    const { upserted, removed } = await refreshProducts(db, search, tenantId, [...ids]);
    refreshed += upserted + removed;
  }
  return refreshed;
}
