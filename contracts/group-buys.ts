// Group buying (API.md "Group buying"): the campaign view (the workflow's shapes are in workflows.ts).
import { z } from 'zod';
import { moneyView } from './views.ts';
import type { Address } from './workflows.ts';

/** A campaign as the API shows it; `participants` counts joins whose card is authorized (read from the database). */
export const groupBuyView = z.object({
  id: z.string(),
  status: z.enum(['open', 'succeeded', 'failed']),
  variant_id: z.string(),
  price: moneyView,
  min_participants: z.number(),
  max_participants: z.number().nullable(),
  ends_at: z.string(),
  participants: z.number(),
});
/** The type of one campaign view. */
export type GroupBuyView = z.infer<typeof groupBuyView>;

/** A participation's order as placed: one unit at the campaign price (`participationPricing` in domain/group-buys.ts), paid by the join's authorization. */
export type CampaignOrder = {
  tenantId: string;
  orderId: string;
  cartId: string;
  itemId: string;
  currency: string;
  email: string;
  shippingAddress: Address;
  variantId: string;
  total: number;
  taxTotal: number;
  taxBreakdown: { rate_bps: number; taxable_amount: number; tax: number }[];
  accessToken: string;
};
