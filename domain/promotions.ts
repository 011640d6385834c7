// Promotions and discount codes (API.md "Pricing: tax, shipping, promotions"): whether a code may apply to a cart or order.
// Pure: the caller reads the promotion, the clock and the counts, and acts on the answer.

/** What a promotion takes off: a whole percent of the lines in scope, a fixed amount, or the shipping. */
export const PROMOTION_TYPES = ['percentage', 'fixed', 'free_shipping'] as const;
/** One of PROMOTION_TYPES. */
export type PromotionType = (typeof PROMOTION_TYPES)[number];

/**
 * Every `details.reason` of a 422 `discount_invalid`. The first six are API.md's list (clients depend on them); the last
 * two add what the contract leaves open: a code switched off by the back office, and one that cannot apply to this cart
 * (another currency, or a vendor-scoped code without a line of that vendor).
 */
export const DISCOUNT_REFUSALS = [
  'unknown',
  'not_started',
  'expired',
  'min_subtotal',
  'exhausted',
  'per_customer_limit',
  'inactive',
  'not_applicable',
] as const;
/** One of DISCOUNT_REFUSALS. */
export type DiscountRefusal = (typeof DISCOUNT_REFUSALS)[number];

/** Longest code a promotion may have; codes are letters, digits, `_` and `-`, matched case-insensitively. */
export const MAX_CODE_LENGTH = 50;
/** The shape of a code. */
export const CODE_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Different codes one cart may carry at once (each is priced on what the earlier ones left). */
export const MAX_CODES_PER_CART = 5;

/** What the rules read of a promotion. Times are epoch milliseconds; `value` is a whole percent or minor units. */
export type PromotionRules = {
  type: PromotionType;
  value: number;
  currency: string;
  active: boolean;
  minSubtotal: number | null;
  startsAt: number | null;
  endsAt: number | null;
  usageLimit: number | null;
  usageLimitPerCustomer: number | null;
  timesUsed: number;
  vendorId: string | null;
};

/**
 * The cart or order a code is checked against. `subtotalInScope`: the lines' amount before discounts, only the
 * promotion's vendor's lines when it is vendor-scoped. `usedByCustomer`: the customer's live redemptions of the code,
 * null while the customer is unknown (a guest cart without an e-mail: the check waits for checkout).
 */
export type RefusalContext = {
  now: number;
  currency: string;
  subtotalInScope: number;
  usedByCustomer: number | null;
  vendorIdsInCart: readonly (string | null)[];
};

/** Why the promotion cannot apply now, or null when it can. Checks run in a fixed order, so one reason is reported. */
export function promotionRefusal(p: PromotionRules, ctx: RefusalContext): DiscountRefusal | null {
  if (!p.active) return 'inactive';
  if (p.startsAt !== null && ctx.now < p.startsAt) return 'not_started';
  if (p.endsAt !== null && ctx.now >= p.endsAt) return 'expired';
  if (p.currency !== ctx.currency) return 'not_applicable';
  if (p.vendorId !== null && !ctx.vendorIdsInCart.includes(p.vendorId)) return 'not_applicable';
  if (p.minSubtotal !== null && ctx.subtotalInScope < p.minSubtotal) return 'min_subtotal';
  if (p.usageLimit !== null && p.timesUsed >= p.usageLimit) return 'exhausted';
  if (p.usageLimitPerCustomer !== null && ctx.usedByCustomer !== null && ctx.usedByCustomer >= p.usageLimitPerCustomer) return 'per_customer_limit';
  return null;
}

/** A sentence for the problem's `detail`, per reason. */
export function refusalMessage(reason: DiscountRefusal, code: string): string {
  const messages: Record<DiscountRefusal, string> = {
    unknown: `there is no discount code ${code}`,
    not_started: `discount code ${code} is not valid yet`,
    expired: `discount code ${code} has expired`,
    min_subtotal: `discount code ${code} needs a higher subtotal`,
    exhausted: `discount code ${code} has been used as many times as it may be`,
    per_customer_limit: `discount code ${code} has been used as many times as one customer may`,
    inactive: `discount code ${code} is switched off`,
    not_applicable: `discount code ${code} does not apply to this cart`,
  };
  return messages[reason];
}

/** The key per-customer limits count by: the customer's id, else the lower-cased e-mail of a guest; null when neither is known. */
export function customerKeyOf(customerId: string | null | undefined, email: string | null | undefined): string | null {
  if (customerId) return customerId;
  return email ? `email:${email.trim().toLowerCase()}` : null;
}

/** The pricing function's discount value: percentage in basis points (whole percent × 100), fixed in minor units. */
export function pricingValueOf(type: PromotionType, value: number): number {
  return type === 'percentage' ? value * 100 : type === 'fixed' ? value : 0;
}
