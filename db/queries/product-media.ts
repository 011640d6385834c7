// SQL owned by product_images and variant_digital: a product's images and what its digital variants deliver. Written
// inside catalog.ts's product transactions; the columns below join the product view.
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { parseDuration } from '../../domain/duration.ts';
import { ValidationError } from '../../domain/errors.ts';
import { assertUsableFiles } from './files.ts';

/** A product image as given: an uploaded file (an image type) and its alternative text. */
export type ProductImageInput = { file_id: string; alt?: string };

/** What a digital variant delivers: a file, the lifetime of a link (`72h`) and how many downloads a link allows. */
export type VariantDigitalInput = { file_id: string; link_ttl: string; max_downloads: number };

/** The product view's `images` column: `[{file_id, alt, url}]` in display order (`p` is the product row). */
export const productImagesColumn = sql.fragment`COALESCE((SELECT json_agg(json_build_object('file_id', pi.file_id, 'alt', pi.alt, 'url', '/files/' || pi.file_id)
    ORDER BY pi.position) FROM product_images pi WHERE pi.product_id = p.id), '[]') AS images`;

/** A variant's `digital` settings as JSON, null for a variant that delivers no file (`v` is the variant row). */
export const variantDigitalJson = sql.fragment`(SELECT json_build_object('file_id', d.file_id, 'link_ttl', d.link_ttl, 'max_downloads', d.max_downloads)
    FROM variant_digital d WHERE d.variant_id = v.id)`;

/** Replaces a product's images (undefined: unchanged); each file must be one of the tenant's images. */
export async function saveProductImages(tx: CommonQueryMethods, tenantId: string, productId: string, images: ProductImageInput[] | undefined): Promise<void> {
  if (images === undefined) return;
  await assertUsableFiles(
    tx,
    tenantId,
    images.map((i) => i.file_id),
    'image',
  );
  await tx.query(sql.type(noRows)`DELETE FROM product_images WHERE product_id = ${productId}`);
  for (const [position, image] of images.entries()) {
    await tx.query(sql.type(noRows)`
      INSERT INTO product_images (tenant_id, product_id, position, file_id, alt) VALUES (${tenantId}, ${productId}, ${position}, ${image.file_id}, ${image.alt ?? ''})`);
  }
}

/** Sets (or with null removes) what a variant delivers; undefined leaves it unchanged. Orders already paid keep their links. */
export async function saveVariantDigital(
  tx: CommonQueryMethods,
  tenantId: string,
  variantId: string,
  digital: VariantDigitalInput | null | undefined,
): Promise<void> {
  if (digital === undefined) return;
  if (digital === null) {
    await tx.query(sql.type(noRows)`DELETE FROM variant_digital WHERE variant_id = ${variantId}`);
    return;
  }
  await assertUsableFiles(tx, tenantId, [digital.file_id], 'download');
  const ttlMs = parseLinkTtl(digital.link_ttl);
  await tx.query(sql.type(noRows)`
    INSERT INTO variant_digital (tenant_id, variant_id, file_id, link_ttl, link_ttl_ms, max_downloads)
    VALUES (${tenantId}, ${variantId}, ${digital.file_id}, ${digital.link_ttl}, ${ttlMs}, ${digital.max_downloads})
    ON CONFLICT (variant_id) DO UPDATE SET file_id = EXCLUDED.file_id, link_ttl = EXCLUDED.link_ttl, link_ttl_ms = EXCLUDED.link_ttl_ms,
      max_downloads = EXCLUDED.max_downloads`);
}

function parseLinkTtl(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new ValidationError(`digital.link_ttl: ${(err as Error).message}`);
  }
}
