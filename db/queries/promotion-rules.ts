// Reads what the promotion rules (domain/promotions.ts promotionRefusal) need: a promotion's rule columns and a customer's
// live redemptions. Reads only: promotions.ts is the one module that writes promotions and their redemptions.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { countRow, sql } from '../sql.ts';
import { DiscountInvalidError } from '../../domain/errors.ts';
import { PROMOTION_TYPES, promotionRefusal, refusalMessage, type DiscountRefusal, type PromotionRules, type RefusalContext } from '../../domain/promotions.ts';

/** A promotion `p`'s rule columns, named as PromotionRules (times as epoch milliseconds); `nowMs` is the database's clock. */
export const rulesColumns = sql.fragment`
  p.id AS "promotionId", p.code, p.type, p.value, p.currency, p.active, p.min_subtotal AS "minSubtotal", p.usage_limit AS "usageLimit",
  p.usage_limit_per_customer AS "usageLimitPerCustomer", p.times_used AS "timesUsed", p.vendor_id AS "vendorId",
  (extract(epoch FROM p.starts_at) * 1000)::int8 AS "startsAt", (extract(epoch FROM p.ends_at) * 1000)::int8 AS "endsAt",
  (extract(epoch FROM clock_timestamp()) * 1000)::int8 AS "nowMs"`;

/** The same rule columns of `p` as one JSON object (for a json_agg inside a larger query), without the clock. */
export const rulesJson = sql.fragment`json_build_object('promotionId', p.id, 'code', p.code, 'type', p.type, 'value', p.value, 'currency', p.currency,
  'active', p.active, 'minSubtotal', p.min_subtotal, 'usageLimit', p.usage_limit, 'usageLimitPerCustomer', p.usage_limit_per_customer,
  'timesUsed', p.times_used, 'vendorId', p.vendor_id, 'startsAt', (extract(epoch FROM p.starts_at) * 1000)::int8,
  'endsAt', (extract(epoch FROM p.ends_at) * 1000)::int8)`;

/** A row of rulesJson. */
export const ruleObject = z.object({
  promotionId: z.string(),
  code: z.string(),
  type: z.enum(PROMOTION_TYPES),
  value: z.number(),
  currency: z.string(),
  active: z.boolean(),
  minSubtotal: z.number().nullable(),
  usageLimit: z.number().nullable(),
  usageLimitPerCustomer: z.number().nullable(),
  timesUsed: z.number(),
  vendorId: z.string().nullable(),
  startsAt: z.number().nullable(),
  endsAt: z.number().nullable(),
}) satisfies z.ZodType<PromotionRules, unknown>;

/** A row of rulesColumns. */
export const rulesRow = ruleObject.extend({ nowMs: z.number() });

/** The 422 of a refused code. */
export function discountInvalid(reason: DiscountRefusal, code: string): DiscountInvalidError {
  return new DiscountInvalidError(refusalMessage(reason, code), { reason, code });
}

/** Who per-customer limits count: the key (customerKeyOf) and the e-mail, either of which identifies earlier uses. */
export type CustomerRef = { key: string; email: string | null };

/**
 * Live (not released) redemptions of a promotion by one customer, other than `exceptOrderId`'s: those counted under the
 * customer's key, and those of orders placed with the same e-mail (a customer who used a code as a guest, then signed in,
 * or the other way round, is one customer).
 */
export async function liveRedemptionsOf(
  tx: CommonQueryMethods,
  tenantId: string,
  promotionId: string,
  customer: CustomerRef,
  exceptOrderId: string | null,
): Promise<number> {
  const email = customer.email ? customer.email.trim().toLowerCase() : null;
  return tx.oneFirst(sql.type(countRow)`
    SELECT count(*)::int8 AS n FROM promotion_redemptions r JOIN orders o ON o.id = r.order_id AND o.tenant_id = r.tenant_id
    WHERE r.tenant_id = ${tenantId} AND r.promotion_id = ${promotionId} AND r.released_at IS NULL
      AND (r.customer_key = ${customer.key} OR lower(btrim(o.email)) = ${email}::text)
      ${exceptOrderId ? sql.fragment`AND r.order_id <> ${exceptOrderId}` : sql.fragment``}`);
}

/** Why a conditional use was not taken: the promotion read again after the competing change committed (most often: every use is taken). */
export async function refusalNow(tx: CommonQueryMethods, tenantId: string, promotionId: string, context: Omit<RefusalContext, 'usedByCustomer'>) {
  const row = await tx.one(sql.type(rulesRow)`SELECT ${rulesColumns} FROM promotions p WHERE p.tenant_id = ${tenantId} AND p.id = ${promotionId}`);
  return promotionRefusal(row, { ...context, usedByCustomer: null }) ?? 'exhausted';
}
