// Catalog vocabulary shared by the schema, the API and the queries.

/** Product status: only published products are sold. */
export const PRODUCT_STATUSES = ['draft', 'published', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** Product type. */
export const PRODUCT_TYPES = ['physical', 'digital', 'subscription'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** A URL-safe handle made from a title (letters and digits of any script, dashes between). */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'product';
}
