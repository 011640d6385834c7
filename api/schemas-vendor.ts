// Request bodies of the vendor portal's catalog routes and of PATCH /admin/vendors/:id.
import { z } from 'zod';
import { BPS_SCALE, VENDOR_STATUSES } from '../domain/payouts.ts';
import { createProductBodyFor, updateProductBody } from './schemas.ts';

/**
 * POST /vendor/products: the admin body without `vendor_id` (the product is always the key's vendor's; a `vendor_id` in the
 * body is refused with 400 as an unknown field, so a vendor never believes it created a product for someone else).
 */
export function vendorCreateProductBodyFor(config: { ALLOW_SHORT_BILLING_INTERVALS: boolean }) {
  return createProductBodyFor(config).omit({ vendor_id: true }).strict();
}

/** PATCH /vendor/products/:id: the admin patch without `vendor_id` (refused with 400, as on create). */
export const vendorUpdateProductBody = updateProductBody.omit({ vendor_id: true }).strict();

/** PATCH /admin/vendors/:id. */
export const updateVendorBody = z
  .object({ commission_rate_bps: z.number().int().min(0).max(BPS_SCALE).optional(), status: z.enum(VENDOR_STATUSES).optional() })
  .strict()
  .refine((b) => b.commission_rate_bps !== undefined || b.status !== undefined, { message: 'give commission_rate_bps or status' });

/** POST /admin/payouts/statements: the vendor's unpaid lines created up to `to` (an instant with its offset). */
export const createPayoutStatementBody = z.object({ vendor_id: z.string().min(1).max(100), to: z.iso.datetime({ offset: true }) }).strict();
