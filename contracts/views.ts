// Response shapes the API answers with (API.md) and the db/ queries read into: one zod schema per view, its type beside it.
// db/queries parse rows with them (sql.type), api/openapi.ts documents them, api/ builds its responses from them.
import { z } from 'zod';
import type { Money } from '../domain/money.ts';
import { PRODUCT_STATUSES, PRODUCT_TYPES } from '../domain/catalog.ts';
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, SHIPMENT_STATUSES } from '../domain/order.ts';
import { PAYOUT_STATUSES, VENDOR_STATUSES } from '../domain/payouts.ts';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status.ts';

/** Money as every view shows it: an integer amount in minor units and its currency. */
export const moneyView = z.object({ amount: z.number(), currency: z.string() }) satisfies z.ZodType<Money>;

/** A variant as storefronts and the back office see it. */
const variantView = z.object({
  id: z.string(),
  sku: z.string(),
  title: z.string(),
  price: moneyView.nullable(),
  compare_at_price: moneyView.nullable(),
  prices: z.array(moneyView),
  available_quantity: z.number(),
  subscription: z.object({ billing_interval: z.string() }).nullable(),
});

/** A product with its variants, prices and availability. */
export const productView = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  type: z.enum(PRODUCT_TYPES),
  vendor_id: z.string().nullable(),
  category_ids: z.array(z.string()),
  variants: z.array(variantView),
  created_at: z.string(),
  updated_at: z.string(),
});
/** A product as storefronts and the back office see it. */
export type ProductView = z.infer<typeof productView>;

/**
 * A cart as storefronts see it, at current prices. `held_quantity` shows what is still reserved per line; a line whose
 * variant lost its price in the cart's currency shows `unit_price: null`, and `for_sale: false` marks lines checkout refuses.
 * `holds_end_at`: no hold of the cart outlives it (its first hold + CART_HOLD_MAX_LIFETIME); null before the first hold.
 */
export const cartView = z.object({
  id: z.string(),
  status: z.enum(['open', 'converted']),
  currency: z.string(),
  email: z.string().nullable(),
  order_id: z.string().nullable(),
  items: z.array(
    z.object({
      id: z.string(),
      variant_id: z.string(),
      quantity: z.number(),
      unit_price: moneyView.nullable(),
      for_sale: z.boolean(),
      held_quantity: z.number(),
    }),
  ),
  subtotal: moneyView,
  hold_expires_at: z.string().nullable(),
  holds_end_at: z.string().nullable(),
});
/** A cart as storefronts see it. */
export type CartView = z.infer<typeof cartView>;

/** An order with its lines, payment and shipments (the admin view adds workflow links in the API). */
export const orderView = z.object({
  id: z.string(),
  status: z.enum(ORDER_STATUSES),
  cart_id: z.string(),
  email: z.string(),
  currency: z.string(),
  payment_method: z.enum(PAYMENT_METHODS),
  shipping_address: z.record(z.string(), z.unknown()),
  items: z.array(
    z.object({
      id: z.string(),
      variant_id: z.string(),
      product_id: z.string(),
      vendor_id: z.string().nullable(),
      sku: z.string(),
      title: z.string(),
      quantity: z.number(),
      unit_price: moneyView,
      total: moneyView,
    }),
  ),
  subtotal: moneyView,
  shipping_total: moneyView,
  total: moneyView,
  payments: z.array(
    z.object({
      id: z.string(),
      method: z.enum(PAYMENT_METHODS),
      status: z.enum(PAYMENT_STATUSES),
      amount: moneyView,
      received: moneyView,
      refunded: moneyView,
      decline_code: z.string().nullable(),
      due_at: z.string().nullable(),
    }),
  ),
  shipments: z.array(
    z.object({
      id: z.string(),
      vendor_id: z.string().nullable(),
      status: z.string(),
      carrier: z.string().nullable(),
      tracking_number: z.string().nullable(),
      cod_amount: moneyView.nullable(),
      shipped_at: z.string().nullable(),
      delivered_at: z.string().nullable(),
    }),
  ),
  access_token: z.string(),
  cancel_reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** An order as loaded for the storefront and back-office answers (api/views.ts trims it per audience). */
export type OrderView = z.infer<typeof orderView>;

/** A shipment as the back office sees it (COD amounts in minor units of the order's currency). */
export const shipmentView = z.object({
  id: z.string(),
  order_id: z.string(),
  vendor_id: z.string().nullable(),
  status: z.enum(SHIPMENT_STATUSES),
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  cod_amount: z.number().nullable(),
  cod_collected: z.number().nullable(),
  shipped_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
});
/** A shipment row as the back office and the fulfillment activities see it. */
export type ShipmentView = z.infer<typeof shipmentView>;

/** A shipment as its vendor sees it: what to pack and where to send it. */
export const vendorShipmentView = z.object({
  id: z.string(),
  order_id: z.string(),
  status: z.enum(SHIPMENT_STATUSES),
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  items: z.array(z.object({ sku: z.string(), title: z.string(), quantity: z.number() })),
  shipping_address: z.record(z.string(), z.unknown()),
  shipped_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  created_at: z.string(),
  /** Creation time to the microsecond, for the list cursor (created_at is rounded to milliseconds). */
  cursor_at: z.string(),
});
/** A shipment as its vendor sees it, with the list cursor. */
export type VendorShipmentView = z.infer<typeof vendorShipmentView>;

/** A vendor as the back office sees it. */
export const vendorView = z.object({
  id: z.string(),
  name: z.string(),
  commission_rate_bps: z.number(),
  status: z.enum(VENDOR_STATUSES),
  created_at: z.string(),
});
/** A vendor as the back office sees it. */
export type VendorView = z.infer<typeof vendorView>;

/** A payout line as the back office sees it (money as `{amount, currency}`). */
export const payoutView = z.object({
  id: z.string(),
  order_id: z.string(),
  vendor_id: z.string(),
  status: z.enum(PAYOUT_STATUSES),
  currency: z.string(),
  gross: moneyView,
  commission: moneyView,
  net: moneyView,
  commission_rate_bps: z.number(),
  reference: z.string().nullable(),
  paid_at: z.string().nullable(),
  created_at: z.string(),
  /** Creation time to the microsecond, for the list cursor (created_at is rounded to milliseconds). */
  cursor_at: z.string(),
});
/** A payout line with its list cursor. */
export type PayoutView = z.infer<typeof payoutView>;

/** A subscription with its charges (API.md). */
export const subscriptionView = z.object({
  id: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  customer_email: z.string(),
  order_id: z.string(),
  variant_id: z.string(),
  billing_interval: z.string(),
  amount: moneyView,
  period: z.number(),
  current_period_end: z.string(),
  next_attempt_at: z.string().nullable(),
  cancel_reason: z.string().nullable(),
  created_at: z.string(),
  charges: z.array(
    z.object({
      id: z.string(),
      period: z.number(),
      attempt: z.number(),
      status: z.string(),
      amount: moneyView,
      decline_code: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
});
/** A subscription as the back office sees it (API.md). */
export type SubscriptionView = z.infer<typeof subscriptionView>;

/** The store settings the back office reads and edits. */
export const storeSettingsView = z.object({
  id: z.string(),
  name: z.string(),
  publishable_key: z.string(),
  allowed_origins: z.array(z.string()),
  created_at: z.string(),
});
/** A store's settings as the API answers them. */
export type StoreSettingsView = z.infer<typeof storeSettingsView>;
