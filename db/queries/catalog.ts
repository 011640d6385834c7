// SQL owned by products, variants, prices and product_categories (stock levels are written by holds.ts, locations by
// tenants.ts, categories by categories.ts, inside these transactions).
import { randomUUID } from 'node:crypto';
import { slugify, type ProductStatus, type ProductType } from '../../domain/catalog.ts';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { countRow, idRow, noRows, sql } from '../sql.ts';
import { appendOutbox, appendOutboxMany } from './outbox.ts';
import { setOnHand, setOnHandMany } from './holds.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { productView, type ProductView } from '../../contracts/views.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';
import { getProduct, productColumns } from './product-view.ts';
import * as media from './product-media.ts';

// What an audit entry shows of a product (stock and timestamps move on their own).
const audited = (p: ProductView) => ({
  handle: p.handle,
  title: p.title,
  description: p.description,
  status: p.status,
  type: p.type,
  vendor_id: p.vendor_id,
  category_ids: p.category_ids,
  images: p.images,
  variants: p.variants.map((v) => ({
    id: v.id,
    sku: v.sku,
    title: v.title,
    prices: v.prices,
    tax_rate_bps: v.tax_rate_bps,
    is_hot: v.is_hot,
    digital: v.digital,
  })),
});

export { getProduct, productColumns }; // the product view's read, beside its writers

/** Input of a new variant. */
export type NewVariant = {
  sku: string;
  title?: string;
  price: { amount: number; currency: string };
  compare_at_price?: { amount: number; currency: string } | null;
  inventory?: { location_id?: string; on_hand: number }[];
  subscription?: { billing_interval: string } | null;
  digital?: media.VariantDigitalInput | null;
  /** Consumption tax rate in basis points: 1000 standard (default), 800 reduced. */
  tax_rate_bps?: number;
};

/** Input of a new product. */
export type NewProduct = {
  title: string;
  handle?: string;
  description?: string;
  status: ProductStatus;
  type?: ProductType;
  vendor_id?: string | null;
  category_ids?: string[];
  images?: media.ProductImageInput[];
  variants: NewVariant[];
};

/** Checks that every id names a row of the tenant in `table` (ValidationError naming them otherwise). */
export async function assertTenantOwns(tx: CommonQueryMethods, tenantId: string, table: 'categories' | 'locations' | 'vendors', ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.oneFirst(sql.type(countRow)`
    SELECT count(*)::int8 AS n FROM ${sql.identifier([table])} WHERE tenant_id = ${tenantId} AND id = ANY(${sql.array(ids, 'text')})`);
  if (found !== new Set(ids).size) throw new ValidationError(`unknown ${table.replace(/s$/, '').replace(/ie$/, 'y')} id in ${ids.join(', ')}`);
}

/** A handle made from a title, suffixed when another product already uses it (a given handle is never changed). */
async function freeHandle(tx: CommonQueryMethods, tenantId: string, slug: string, productId: string): Promise<string> {
  const taken = await tx.exists(sql.type(idRow)`SELECT id FROM products WHERE tenant_id = ${tenantId} AND handle = ${slug}`);
  return taken ? `${slug}-${productId.slice(-6)}` : slug;
}

/** The tenant's default location (created with the tenant). */
export async function defaultLocationId(db: CommonQueryMethods, tenantId: string): Promise<string> {
  return db.oneFirst(sql.type(idRow)`SELECT id FROM locations WHERE tenant_id = ${tenantId} AND is_default`);
}

async function insertVariant(
  tx: CommonQueryMethods,
  tenantId: string,
  productId: string,
  v: NewVariant,
  position: number,
  defaultLocation: string,
): Promise<void> {
  const variantId = makeId('var', randomUUID());
  await tx.query(sql.type(noRows)`
    INSERT INTO variants (id, tenant_id, product_id, sku, title, position, subscription_interval, tax_rate_bps)
    VALUES (${variantId}, ${tenantId}, ${productId}, ${v.sku}, ${v.title ?? ''}, ${position}, ${v.subscription?.billing_interval ?? null}, ${v.tax_rate_bps ?? 1000})`);
  await tx.query(sql.type(noRows)`
    INSERT INTO prices (tenant_id, variant_id, currency, amount, compare_at_amount)
    VALUES (${tenantId}, ${variantId}, ${v.price.currency}, ${v.price.amount}, ${v.compare_at_price?.amount ?? null})`);
  await media.saveVariantDigital(tx, tenantId, variantId, v.digital);
  const locations = (v.inventory ?? []).map((i) => i.location_id ?? defaultLocation);
  await assertTenantOwns(
    tx,
    tenantId,
    'locations',
    locations.filter((l) => l !== defaultLocation),
  );
  for (const [i, level] of (v.inventory ?? []).entries()) {
    await setOnHand(tx, tenantId, variantId, locations[i]!, level.on_hand);
  }
}

async function replaceCategories(tx: CommonQueryMethods, tenantId: string, productId: string, categoryIds: string[]): Promise<void> {
  await assertTenantOwns(tx, tenantId, 'categories', categoryIds);
  await tx.query(sql.type(noRows)`DELETE FROM product_categories WHERE product_id = ${productId}`);
  for (const categoryId of new Set(categoryIds)) {
    await tx.query(sql.type(noRows)`INSERT INTO product_categories (tenant_id, product_id, category_id) VALUES (${tenantId}, ${productId}, ${categoryId})`);
  }
}

/** Creates a product with its variants, prices and stock in one transaction with a `product.updated` event. */
export async function createProduct(pool: DatabasePool, tenantId: string, currency: string, input: NewProduct, actor: Actor | null): Promise<ProductView> {
  return pool.transaction(async (tx) => {
    const productId = makeId('prod', randomUUID());
    if (input.type !== 'digital' && input.variants.some((v) => v.digital))
      throw new ValidationError('variant digital settings need a product of type "digital"');
    if (input.vendor_id) await assertTenantOwns(tx, tenantId, 'vendors', [input.vendor_id]);
    await tx.query(sql.type(noRows)`
      INSERT INTO products (id, tenant_id, handle, title, description, status, type, vendor_id)
      VALUES (${productId}, ${tenantId}, ${input.handle ?? (await freeHandle(tx, tenantId, slugify(input.title), productId))}, ${input.title}, ${input.description ?? ''}, ${input.status}, ${input.type ?? 'physical'}, ${input.vendor_id ?? null})`);
    await replaceCategories(tx, tenantId, productId, input.category_ids ?? []);
    await media.saveProductImages(tx, tenantId, productId, input.images);
    const location = await defaultLocationId(tx, tenantId);
    for (const [i, v] of input.variants.entries()) await insertVariant(tx, tenantId, productId, v, i, location);
    const product = await getProduct(tx, tenantId, currency, productId, false);
    await appendOutbox(tx, { tenantId, type: 'product.updated', aggregateId: productId, payload: { product } });
    const changes = changedFields(null, audited(product));
    await recordAudit(tx, { tenantId, actor, action: 'product.create', resourceType: 'product', resourceId: productId, changes });
    return product;
  });
}

/** Changes to a product; variants listed by id may change title, price, tax rate, digital settings and the hot flag. */
export type ProductPatch = Partial<Omit<NewProduct, 'variants'>> & {
  variants?: ({ id: string; price?: { amount: number; currency: string }; is_hot?: boolean } & Pick<NewVariant, 'title' | 'tax_rate_bps' | 'digital'>)[];
};

/** Applies a patch in one transaction, appending `product.updated` (and `price.updated` per price change). */
export async function updateProduct(
  pool: DatabasePool,
  tenantId: string,
  currency: string,
  productId: string,
  patch: ProductPatch,
  actor: Actor | null,
  onlyVendorId?: string,
): Promise<ProductView> {
  return pool.transaction(async (tx) => {
    // A vendor's key reaches only its own products: another vendor's is "not found", as if it did not exist.
    const exists = await tx.maybeOne(sql.type(idRow)`
      SELECT id FROM products WHERE tenant_id = ${tenantId} AND id = ${productId} AND deleted_at IS NULL
        ${onlyVendorId === undefined ? sql.fragment`` : sql.fragment`AND vendor_id = ${onlyVendorId}`} FOR UPDATE`);
    if (!exists) throw new NotFoundError('product', productId);
    const before = await getProduct(tx, tenantId, currency, productId, false);
    if (patch.vendor_id) await assertTenantOwns(tx, tenantId, 'vendors', [patch.vendor_id]);
    await tx.query(sql.type(noRows)`
      UPDATE products SET
        title = COALESCE(${patch.title ?? null}, title),
        handle = COALESCE(${patch.handle ?? null}, handle),
        description = COALESCE(${patch.description ?? null}, description),
        status = COALESCE(${patch.status ?? null}, status),
        type = COALESCE(${patch.type ?? null}, type),
        vendor_id = ${patch.vendor_id === undefined ? sql.fragment`vendor_id` : sql.fragment`${patch.vendor_id}`},
        updated_at = now()
      WHERE id = ${productId}`);
    if (patch.category_ids) await replaceCategories(tx, tenantId, productId, patch.category_ids);
    await media.saveProductImages(tx, tenantId, productId, patch.images);
    for (const v of patch.variants ?? []) {
      const updated = await tx.maybeOne(sql.type(idRow)`
        UPDATE variants SET title = COALESCE(${v.title ?? null}, title), tax_rate_bps = COALESCE(${v.tax_rate_bps ?? null}::int, tax_rate_bps),
          is_hot = COALESCE(${v.is_hot ?? null}::boolean, is_hot)
        WHERE id = ${v.id} AND product_id = ${productId} RETURNING id`);
      if (!updated) throw new NotFoundError('variant', v.id);
      await media.saveVariantDigital(tx, tenantId, v.id, v.digital);
      if (v.price) {
        await tx.query(sql.type(noRows)`
          INSERT INTO prices (tenant_id, variant_id, currency, amount) VALUES (${tenantId}, ${v.id}, ${v.price.currency}, ${v.price.amount})
          ON CONFLICT (variant_id, currency) DO UPDATE SET amount = EXCLUDED.amount`);
        await appendOutbox(tx, { tenantId, type: 'price.updated', aggregateId: v.id, payload: { product_id: productId, variant_id: v.id, price: v.price } });
      }
    }
    const product = await getProduct(tx, tenantId, currency, productId, false);
    await appendOutbox(tx, { tenantId, type: 'product.updated', aggregateId: productId, payload: { product } });
    const changes = changedFields(audited(before), audited(product));
    await recordAudit(tx, { tenantId, actor, action: 'product.update', resourceType: 'product', resourceId: productId, changes });
    return product;
  });
}

/** Soft-deletes a product (orders keep referring to it) and appends `product.deleted`. */
export async function deleteProduct(pool: DatabasePool, tenantId: string, productId: string, actor: Actor | null): Promise<void> {
  await pool.transaction(async (tx) => {
    const row = await tx.maybeOne(sql.type(idRow)`
      UPDATE products SET deleted_at = now(), status = 'archived', handle = handle || '~deleted~' || id, updated_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${productId} AND deleted_at IS NULL RETURNING id`);
    if (!row) throw new NotFoundError('product', productId);
    await appendOutbox(tx, { tenantId, type: 'product.deleted', aggregateId: productId, payload: { product_id: productId } });
    const changes = { deleted: { before: false, after: true } };
    await recordAudit(tx, { tenantId, actor, action: 'product.delete', resourceType: 'product', resourceId: productId, changes });
  });
}

/** A checked import row to write: categories resolved to ids, `on_hand` null leaves stock as it is. */
export type ImportedVariant = {
  handle: string;
  title: string;
  status: ProductStatus;
  vendor_id: string | null;
  category_ids: string[];
  sku: string;
  variant_title: string;
  price: { amount: number; currency: string };
  on_hand: number | null;
  position: number;
};

const upsertedVariant = z.object({ id: z.string(), sku: z.string(), product_id: z.string(), inserted: z.boolean() });

/**
 * Upserts products by handle and variants by SKU (bulk import), inside the caller's transaction: a repeated call changes
 * nothing more. A SKU another product holds is left alone and missing from the answer. Stock goes through holds.ts; each
 * product touched gets its `product.updated` event (the search index follows) and each price changed `price.updated`.
 */
export async function upsertImportedVariants(
  tx: CommonQueryMethods,
  tenantId: string,
  currency: string,
  locationId: string,
  rows: ImportedVariant[],
): Promise<Map<string, { variantId: string; created: boolean }>> {
  const outcome = new Map<string, { variantId: string; created: boolean }>();
  if (rows.length === 0) return outcome;
  const byHandle = new Map(rows.map((r) => [r.handle, r]));
  const products = [...byHandle.values()].map((r) => [makeId('prod', randomUUID()), tenantId, r.handle, r.title, r.status, r.vendor_id]);
  const productIds = new Map(
    (
      await tx.any(sql.type(z.object({ id: z.string(), handle: z.string() }))`
      INSERT INTO products (id, tenant_id, handle, title, status, vendor_id)
      SELECT * FROM ${sql.unnest(products, ['text', 'text', 'text', 'text', 'text', 'text'])}
      ON CONFLICT (tenant_id, handle) DO UPDATE SET title = EXCLUDED.title, status = EXCLUDED.status, vendor_id = EXCLUDED.vendor_id, updated_at = now()
      RETURNING id, handle`)
    ).map((p) => [p.handle, p.id]),
  );
  const touched = [...productIds.values()];
  await tx.query(sql.type(noRows)`DELETE FROM product_categories WHERE product_id = ANY(${sql.array(touched, 'text')})`);
  const links = [...byHandle.values()].flatMap((r) => r.category_ids.map((c) => [tenantId, productIds.get(r.handle)!, c]));
  await tx.query(sql.type(noRows)`
    INSERT INTO product_categories (tenant_id, product_id, category_id) SELECT * FROM ${sql.unnest(links, ['text', 'text', 'text'])} ON CONFLICT DO NOTHING`);
  const variants = rows.map((r) => [makeId('var', randomUUID()), tenantId, productIds.get(r.handle)!, r.sku, r.variant_title, r.position]);
  // The WHERE keeps a SKU on its product: a SKU of another product (a race with the caller's check) is not returned.
  for (const v of await tx.any(sql.type(upsertedVariant)`
    INSERT INTO variants (id, tenant_id, product_id, sku, title, position)
    SELECT * FROM ${sql.unnest(variants, ['text', 'text', 'text', 'text', 'text', 'int4'])}
    ON CONFLICT (tenant_id, sku) DO UPDATE SET title = EXCLUDED.title WHERE variants.product_id = EXCLUDED.product_id
    RETURNING id, sku, product_id, (xmax = 0) AS inserted`)) {
    outcome.set(v.sku, { variantId: v.id, created: v.inserted });
  }
  const written = rows.filter((r) => outcome.has(r.sku));
  const prices = written.map((r) => [tenantId, outcome.get(r.sku)!.variantId, r.price.currency, r.price.amount]);
  const repriced = await tx.anyFirst(sql.type(z.object({ variant_id: z.string() }))`
    INSERT INTO prices (tenant_id, variant_id, currency, amount) SELECT * FROM ${sql.unnest(prices, ['text', 'text', 'text', 'int8'])}
    ON CONFLICT (variant_id, currency) DO UPDATE SET amount = EXCLUDED.amount WHERE prices.amount IS DISTINCT FROM EXCLUDED.amount
    RETURNING variant_id`);
  const levels = written.flatMap((r) => (r.on_hand === null ? [] : [{ variantId: outcome.get(r.sku)!.variantId, locationId, onHand: r.on_hand }]));
  const restocked = await setOnHandMany(tx, tenantId, levels);
  const priceEvents = written
    .filter((r) => !outcome.get(r.sku)!.created && repriced.includes(outcome.get(r.sku)!.variantId))
    .map((r) => {
      const variantId = outcome.get(r.sku)!.variantId;
      return {
        tenantId,
        type: 'price.updated',
        aggregateId: variantId,
        payload: { product_id: productIds.get(r.handle), variant_id: variantId, price: r.price },
      };
    });
  const stockEvents = restocked.map((level) => ({ tenantId, type: 'inventory.updated', aggregateId: level.variant_id, payload: { ...level } }));
  const views = await tx.any(sql.type(productView)`SELECT ${productColumns(currency)} FROM products p WHERE p.id = ANY(${sql.array(touched, 'text')})`);
  const productEvents = views.map((product) => ({ tenantId, type: 'product.updated', aggregateId: product.id, payload: { product } }));
  await appendOutboxMany(tx, [...priceEvents, ...stockEvents, ...productEvents]);
  return outcome;
}
