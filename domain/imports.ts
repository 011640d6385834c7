// Rules of a product CSV import (API.md "Bulk work"): the columns, what a valid row is, and the checks across the file.
import { PRODUCT_STATUSES, slugify, type ProductStatus } from './catalog.ts';

/** The columns of a product CSV, one row per variant. */
export const PRODUCT_CSV_COLUMNS = ['handle', 'title', 'status', 'sku', 'variant_title', 'price', 'currency', 'on_hand', 'category', 'vendor_id'] as const;

/** Columns a product CSV must have (the others may be left out). */
export const REQUIRED_PRODUCT_COLUMNS = ['title', 'sku', 'price'] as const;

/** Separator of several category handles in the `category` column. */
export const CATEGORY_SEPARATOR = '|';

const MAX_ON_HAND = 10_000_000;
const MAX_PRICE = 1_000_000_000_000;

/** One valid row: a variant with its product's fields. `on_hand` null leaves stock as it is. */
export type ImportRow = {
  handle: string;
  title: string;
  status: ProductStatus;
  sku: string;
  variant_title: string;
  price: number;
  currency: string;
  on_hand: number | null;
  categories: string[];
  vendor_id: string | null;
};

/** A row as parsed: the valid row, or what is wrong with it. */
export type RowCheck = { row: ImportRow; errors?: undefined } | { row?: undefined; errors: string[] };

/** What is wrong with a header: unknown or missing columns (empty: fine). */
export function headerErrors(columns: string[]): string[] {
  const known = new Set<string>(PRODUCT_CSV_COLUMNS);
  const errors = columns.filter((c) => !known.has(c)).map((c) => `unknown column "${c}"; the columns are ${PRODUCT_CSV_COLUMNS.join(',')}`);
  for (const c of REQUIRED_PRODUCT_COLUMNS) if (!columns.includes(c)) errors.push(`missing column "${c}"`);
  if (new Set(columns).size !== columns.length) errors.push('a column appears twice in the header');
  return errors;
}

const wholeNumber = /^\d+$/;

/** Checks one record (column → text) on its own; currency defaults to the store's. */
export function checkProductRow(record: Record<string, string | undefined>, storeCurrency: string): RowCheck {
  const text = (column: string) => (record[column] ?? '').trim();
  const errors: string[] = [];
  const title = text('title');
  if (!title) errors.push('title is empty');
  if (title.length > 300) errors.push('title is longer than 300 characters');
  const sku = text('sku');
  if (!sku) errors.push('sku is empty');
  if (sku.length > 100) errors.push('sku is longer than 100 characters');
  const handle = text('handle') || (title ? slugify(title) : '');
  if (handle.length > 200 || /[\s/?#]/.test(handle)) errors.push(`bad handle "${handle.slice(0, 50)}": at most 200 characters, no spaces, slashes, ? or #`);
  const status = text('status') || 'draft';
  if (!(PRODUCT_STATUSES as readonly string[]).includes(status)) errors.push(`bad status "${status.slice(0, 50)}": one of ${PRODUCT_STATUSES.join(', ')}`);
  const priceText = text('price');
  const price = Number(priceText);
  if (!wholeNumber.test(priceText) || price > MAX_PRICE) errors.push(`bad price "${priceText.slice(0, 50)}": a whole number of minor units (1800 for ¥1,800)`);
  const currency = (text('currency') || storeCurrency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.push(`bad currency "${currency.slice(0, 50)}": an ISO 4217 code such as JPY`);
  const onHandText = text('on_hand');
  const onHand = onHandText === '' ? null : Number(onHandText);
  if (onHandText !== '' && (!wholeNumber.test(onHandText) || onHand! > MAX_ON_HAND))
    errors.push(`bad on_hand "${onHandText.slice(0, 50)}": a whole number 0 to ${MAX_ON_HAND}`);
  const variantTitle = text('variant_title');
  if (variantTitle.length > 200) errors.push('variant_title is longer than 200 characters');
  const categories = [
    ...new Set(
      text('category')
        .split(CATEGORY_SEPARATOR)
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ];
  if (categories.length > 50 || categories.some((c) => c.length > 200)) errors.push('category: at most 50 handles of at most 200 characters');
  const vendorId = text('vendor_id') || null;
  if (vendorId && vendorId.length > 100) errors.push('vendor_id is longer than 100 characters');
  if (errors.length > 0) return { errors };
  return {
    row: {
      handle,
      title,
      status: status as ProductStatus,
      sku,
      variant_title: variantTitle,
      price,
      currency,
      on_hand: onHand,
      categories,
      vendor_id: vendorId,
    },
  };
}

type ProductFields = Pick<ImportRow, 'title' | 'status' | 'vendor_id'> & { categories: string };

/**
 * Checks across a file, fed its valid rows in file order: a SKU on two rows, and rows of one handle (one product) that
 * disagree on the product's title, status, categories or vendor. The first row of a handle sets its product's fields.
 */
export class FileChecks {
  private readonly skus = new Map<string, number>();
  private readonly products = new Map<string, { line: number; fields: ProductFields }>();

  /** The errors of `row` at `line` given the rows before it (empty: none); a refused row does not count for later rows. */
  check(row: ImportRow, line: number): string[] {
    const errors: string[] = [];
    const skuLine = this.skus.get(row.sku);
    if (skuLine !== undefined) errors.push(`duplicate sku "${row.sku}": also on line ${skuLine}`);
    const fields: ProductFields = {
      title: row.title,
      status: row.status,
      vendor_id: row.vendor_id,
      categories: [...row.categories].sort().join(CATEGORY_SEPARATOR),
    };
    const first = this.products.get(row.handle);
    if (first) {
      const differ = (Object.keys(fields) as (keyof ProductFields)[]).filter((k) => first.fields[k] !== fields[k]);
      if (differ.length > 0) {
        errors.push(
          `duplicate handle "${row.handle}": line ${first.line} gives it another ${differ.join(', ')} (rows of one handle are one product's variants)`,
        );
      }
    }
    if (errors.length > 0) return errors;
    this.skus.set(row.sku, line);
    if (!first) this.products.set(row.handle, { line, fields });
    return [];
  }
}

/** The seq range [from, to) of chunk `chunk` of `size` rows. */
export function chunkRange(chunk: number, size: number): { fromSeq: number; toSeq: number } {
  return { fromSeq: chunk * size, toSeq: (chunk + 1) * size };
}
