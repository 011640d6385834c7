// Shipping method views shared by db/queries/shipping.ts (rows), the routes and /openapi.json.
import { z } from 'zod';
import { moneyView } from './views.ts';

/** A shipping method as the back office sees it: money as {amount, currency}; `regions` empty means everywhere. */
export const shippingMethodView = z.object({
  id: z.string(),
  name: z.string(),
  price: moneyView,
  free_over: moneyView.nullable(),
  cod_fee: moneyView,
  regions: z.array(z.string()),
  vendor_id: z.string().nullable(),
  active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** The type of one shipping method view. */
export type ShippingMethodView = z.infer<typeof shippingMethodView>;

/**
 * One method a cart may choose (GET /store/carts/:id/shipping-options): `amount` is what shipping costs; `cod_fee` what
 * paying on delivery (payment_method "cod") adds to the order's total on top of the cart's.
 */
export const shippingOptionView = z.object({ id: z.string(), name: z.string(), amount: moneyView, cod_fee: moneyView, vendor_id: z.string().nullable() });
/** The type of one shipping option. */
export type ShippingOptionView = z.infer<typeof shippingOptionView>;
