// The promotion shape of /admin/promotions (API.md "Pricing: tax, shipping, promotions").
import { z } from 'zod';
import { PROMOTION_TYPES } from '../domain/promotions.ts';
import { moneyView } from './views.ts';

/**
 * A promotion as the back office sees it. `value`: a whole percent (percentage), money (fixed) or null (free shipping).
 * `times_used` counts live redemptions: a cancelled order's use is given back.
 */
export const promotionView = z.object({
  id: z.string(),
  code: z.string(),
  type: z.enum(PROMOTION_TYPES),
  value: z.union([z.number(), moneyView]).nullable(),
  currency: z.string(),
  min_subtotal: moneyView.nullable(),
  starts_at: z.string().nullable(),
  ends_at: z.string().nullable(),
  usage_limit: z.number().nullable(),
  usage_limit_per_customer: z.number().nullable(),
  vendor_id: z.string().nullable(),
  active: z.boolean(),
  times_used: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** The type of one promotion view. */
export type PromotionView = z.infer<typeof promotionView>;
