// The product view (variants with prices, availability, categories, images, digital settings) as every product
// answer reads it; catalog.ts writes the tables it reads.
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { productView, type ProductView } from '../../contracts/views.ts';
import { vendorNotSuspended } from './vendors.ts';
import * as media from './product-media.ts';

/** The columns of a product view (variants with the price in `currency`, availability, categories, images) over `products p`. */
export const productColumns = (currency: string) => sql.fragment`
  p.id, p.handle, p.title, p.description, p.status, p.type, p.vendor_id, p.created_at, p.updated_at, ${media.productImagesColumn},
  COALESCE((SELECT array_agg(pc.category_id ORDER BY pc.category_id) FROM product_categories pc WHERE pc.product_id = p.id), '{}') AS category_ids,
  COALESCE((
    SELECT json_agg(json_build_object(
      'id', v.id, 'sku', v.sku, 'title', v.title, 'tax_rate_bps', v.tax_rate_bps, 'is_hot', v.is_hot,
      'price', (SELECT json_build_object('amount', pr.amount, 'currency', pr.currency) FROM prices pr WHERE pr.variant_id = v.id AND pr.currency = ${currency}),
      'compare_at_price', (SELECT json_build_object('amount', pr.compare_at_amount, 'currency', pr.currency) FROM prices pr WHERE pr.variant_id = v.id AND pr.currency = ${currency} AND pr.compare_at_amount IS NOT NULL),
      'prices', COALESCE((SELECT json_agg(json_build_object('amount', pr.amount, 'currency', pr.currency) ORDER BY pr.currency) FROM prices pr WHERE pr.variant_id = v.id), '[]'),
      'available_quantity', COALESCE((SELECT sum(il.on_hand - il.reserved) FROM inventory_levels il WHERE il.variant_id = v.id), 0),
      'subscription', CASE WHEN v.subscription_interval IS NULL THEN NULL ELSE json_build_object('billing_interval', v.subscription_interval) END,
      'digital', ${media.variantDigitalJson}
    ) ORDER BY v.position, v.id)
    FROM variants v WHERE v.product_id = p.id
  ), '[]') AS variants`;

/** One product of the tenant, or NotFoundError. */
export async function getProduct(db: CommonQueryMethods, tenantId: string, currency: string, productId: string, publishedOnly: boolean): Promise<ProductView> {
  const row = await db.maybeOne(sql.type(productView)`
    SELECT ${productColumns(currency)} FROM products p
    WHERE p.tenant_id = ${tenantId} AND p.id = ${productId} AND p.deleted_at IS NULL
      ${publishedOnly ? sql.fragment`AND p.status = 'published' AND ${vendorNotSuspended}` : sql.fragment``}`);
  if (!row) throw new NotFoundError('product', productId);
  return row;
}
