// Request schemas of shipping methods (admin CRUD) and a cart's shipping choice (API.md "Pricing: tax, shipping, promotions").
import { z } from 'zod';
import { isRegionCode, normalizeRegion } from '../domain/shipping.ts';
import { moneyInput, pageQuery } from './schemas.ts';

/** A region code, normalised: ISO 3166-1 alpha-2 ("JP", "US") or a JP prefecture ("JP-01" … "JP-47"). */
export const regionCode = z
  .string()
  .max(10)
  .transform(normalizeRegion)
  .superRefine((code, ctx) => {
    if (!isRegionCode(code))
      ctx.addIssue({ code: 'custom', message: `"${code}" is not a region: use an ISO 3166-1 alpha-2 country ("JP") or a JP prefecture ("JP-13")` });
  });

const name = z.string().trim().min(1).max(200);
// At most one entry per country and prefecture there is; duplicates are dropped.
const regions = z
  .array(regionCode)
  .max(300)
  .transform((r) => [...new Set(r)]);

/** POST /admin/shipping-methods: money in the store's currency; `vendor_id` only in mall mode. */
export const createShippingMethodBody = z
  .object({
    name,
    price: moneyInput,
    free_over: moneyInput.nullable().optional(),
    cod_fee: moneyInput.optional(),
    regions: regions.optional(),
    vendor_id: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();

/** PATCH /admin/shipping-methods/:id: the fields to change (`free_over: null` removes the threshold; `active` re-offers or withdraws it). */
export const updateShippingMethodBody = z
  .object({
    name: name.optional(),
    price: moneyInput.optional(),
    free_over: moneyInput.nullable().optional(),
    cod_fee: moneyInput.optional(),
    regions: regions.optional(),
    active: z.boolean().optional(),
  })
  .strict();

/** GET /admin/shipping-methods. */
export const shippingMethodListQuery = pageQuery.strict();

/** GET /store/carts/:id/shipping-options[?region=JP-13]. */
export const shippingOptionsQuery = z.object({ region: regionCode.optional() }).strict();

/** POST /store/carts/:id/shipping-method: the method for its shipping group, and the region the cart ships to. */
export const chooseShippingMethodBody = z.object({ shipping_method_id: z.string().min(1).max(100), region: regionCode.optional() }).strict();
