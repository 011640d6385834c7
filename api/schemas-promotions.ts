// Request schemas of promotions and discount codes (API.md "Pricing: tax, shipping, promotions").
import { z } from 'zod';
import { CODE_PATTERN, MAX_CODE_LENGTH, PROMOTION_TYPES } from '../domain/promotions.ts';
import { moneyInput, pageQuery } from './schemas.ts';

const MAX_USES = 1_000_000_000;
const minorUnits = moneyInput.shape.amount;

/** A discount code as customers type it: trimmed, letters, digits, `_` and `-`. */
export const discountCode = z.string().trim().min(1).max(MAX_CODE_LENGTH).regex(CODE_PATTERN, 'letters, digits, _ and - only');

/** An amount: money `{amount, currency}` like every money field, or bare minor units of the store's currency. */
const amount = z.union([minorUnits, moneyInput]);
const instant = z.iso.datetime({ offset: true });

/**
 * POST /admin/promotions. `value`: percentage → whole percent 1–100; fixed → an amount above 0; free_shipping → none.
 * Amounts in money form must share one currency; the promotion applies to carts in that currency (default: the store's).
 */
export const createPromotionBody = z
  .object({
    code: discountCode,
    type: z.enum(PROMOTION_TYPES),
    value: amount.optional(),
    min_subtotal: amount.optional(),
    starts_at: instant.optional(),
    ends_at: instant.optional(),
    usage_limit: z.number().int().min(1).max(MAX_USES).optional(),
    usage_limit_per_customer: z.number().int().min(1).max(MAX_USES).optional(),
    vendor_id: z.string().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (b.type === 'percentage' && (typeof b.value !== 'number' || b.value < 1 || b.value > 100))
      issue('value', 'a percentage is a whole percent from 1 to 100');
    if (b.type === 'fixed' && (b.value === undefined || (typeof b.value === 'number' ? b.value : b.value.amount) < 1)) {
      issue('value', 'a fixed discount is an amount above 0 (money or minor units)');
    }
    if (b.type === 'free_shipping' && b.value !== undefined) issue('value', 'a free_shipping promotion takes no value');
    const currencies = new Set([b.value, b.min_subtotal].flatMap((a) => (typeof a === 'object' ? [a.currency] : [])));
    if (currencies.size > 1) issue('min_subtotal', 'value and min_subtotal must be in the same currency');
    if (b.starts_at && b.ends_at && Date.parse(b.starts_at) >= Date.parse(b.ends_at)) issue('ends_at', 'ends_at must be after starts_at');
  });
/** A valid POST /admin/promotions body. */
export type CreatePromotionBody = z.infer<typeof createPromotionBody>;

/** PATCH /admin/promotions/:id: switch a code on or off, move (or clear, with null) its end. */
export const updatePromotionBody = z
  .object({ active: z.boolean().optional(), ends_at: instant.nullable().optional() })
  .strict()
  .refine((b) => b.active !== undefined || b.ends_at !== undefined, { message: 'give active or ends_at' });

/** GET /admin/promotions. */
export const promotionListQuery = pageQuery;

/** POST /store/carts/:id/discounts. */
export const applyDiscountBody = z.object({ code: discountCode }).strict();

/** The database row of a new promotion from a valid body: amounts in minor units of the promotion's one currency. */
export function newPromotionOf(b: CreatePromotionBody, storeCurrency: string) {
  const minor = (a: CreatePromotionBody['value']) => (a === undefined ? null : typeof a === 'number' ? a : a.amount);
  const currency = [b.value, b.min_subtotal].flatMap((a) => (typeof a === 'object' ? [a.currency] : []))[0] ?? storeCurrency;
  return {
    code: b.code,
    type: b.type,
    value: b.type === 'free_shipping' ? 0 : (minor(b.value) ?? 0),
    currency,
    min_subtotal: minor(b.min_subtotal),
    starts_at: b.starts_at ?? null,
    ends_at: b.ends_at ?? null,
    usage_limit: b.usage_limit ?? null,
    usage_limit_per_customer: b.usage_limit_per_customer ?? null,
    vendor_id: b.vendor_id ?? null,
  };
}
