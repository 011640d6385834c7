// Response shapes the API answers with (API.md) and the db/ queries read into: one zod schema per view, its type beside it.
// db/queries parse rows with them (sql.type), api/openapi.ts documents them, api/ builds its responses from them.
import { z } from 'zod';
import type { Money } from '../domain/money.ts';
import { PRODUCT_STATUSES, PRODUCT_TYPES } from '../domain/catalog.ts';
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, SHIPMENT_FOLLOWERS, SHIPMENT_STATUSES } from '../domain/order.ts';
import { PAYOUT_KINDS, PAYOUT_STATUSES, VENDOR_STATUSES } from '../domain/payouts.ts';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status.ts';
import { DISCOUNT_REFUSALS } from '../domain/promotions.ts';

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
  /** Consumption tax rate in basis points: 1000 standard, 800 reduced. */
  tax_rate_bps: z.number(),
  /** On a flash sale: its carts' expiry and checkouts run on the hot task queue (PATCH /admin/products/:id). */
  is_hot: z.boolean(),
  /** What a digital variant delivers once paid (null: nothing to download). */
  digital: z.object({ file_id: z.string(), link_ttl: z.string(), max_downloads: z.number() }).nullable(),
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
  images: z.array(z.object({ file_id: z.string(), alt: z.string(), url: z.string() })),
  variants: z.array(variantView),
  created_at: z.string(),
  updated_at: z.string(),
});
/** A product as storefronts and the back office see it. */
export type ProductView = z.infer<typeof productView>;

/** Tax of one rate over a whole cart or order (rounded down once per rate). */
const taxLineView = z.object({ rate_bps: z.number(), taxable_amount: moneyView, tax: moneyView });

/**
 * The figures of the pricing function (domain/pricing.ts) that carts and orders both show: total = subtotal −
 * discount_total + shipping_total (+ cod_fee on orders) (+ tax_total when prices exclude tax). `shipping_method_id` is the
 * whole cart's choice (single brand); `shipping_methods` lists every group's choice (mall: one per vendor).
 */
export const pricingFields = {
  subtotal: moneyView,
  discount_total: moneyView,
  shipping_total: moneyView,
  tax_total: moneyView,
  total: moneyView,
  // A cart lists every code it carries; one checkout would refuse shows amount 0 and the `reason` (orders list what they redeemed).
  discounts: z.array(z.object({ code: z.string(), amount: moneyView, reason: z.enum(DISCOUNT_REFUSALS).optional() })),
  shipping_method_id: z.string().nullable(),
  shipping_methods: z.array(z.object({ vendor_id: z.string().nullable(), shipping_method_id: z.string() })),
  tax_breakdown: z.array(taxLineView),
};

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
  ...pricingFields,
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
      /** The line's share of the order's discounts; `total` is what the line costs after it. */
      discount: moneyView,
      total: moneyView,
      tax_rate_bps: z.number(),
    }),
  ),
  ...pricingFields,
  /** Cash-on-delivery fee, its own amount (0 unless paid on delivery). */
  cod_fee: moneyView,
  prices_include_tax: z.boolean(),
  payments: z.array(
    z.object({
      id: z.string(),
      method: z.enum(PAYMENT_METHODS),
      status: z.enum(PAYMENT_STATUSES),
      amount: moneyView,
      received: moneyView,
      refunded: moneyView,
      decline_code: z.string().nullable(),
      /** Why the gateway refused the capture, while it stays refused (staff may retry it); null otherwise. */
      capture_error: z.string().nullable(),
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
      followed_by: z.enum(SHIPMENT_FOLLOWERS),
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
  followed_by: z.enum(SHIPMENT_FOLLOWERS),
});
/** A shipment row as the back office and the fulfillment activities see it. */
export type ShipmentView = z.infer<typeof shipmentView>;

/** A shipment as its vendor sees it: what to pack and where to send it. */
export const vendorShipmentView = z.object({
  id: z.string(),
  order_id: z.string(),
  vendor_id: z.string(),
  /** The order's status: a `cancelled` order's shipments are `cancelled` too. */
  order_status: z.enum(ORDER_STATUSES),
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
  /** `sale` owes the vendor; `refund` (negative amounts) takes its share of a refund back. */
  kind: z.enum(PAYOUT_KINDS),
  refund_id: z.string().nullable(),
  /** The statement that pays this line, once it is in one. */
  statement_id: z.string().nullable(),
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

/** A vendor's payout statement: its unpaid lines up to `to`, paid at once (POST /admin/payouts/statements). */
export const payoutStatementView = z.object({
  id: z.string(),
  vendor_id: z.string(),
  to: z.string(),
  net: moneyView,
  line_count: z.number(),
  payout_ids: z.array(z.string()),
  status: z.enum(PAYOUT_STATUSES),
  reference: z.string().nullable(),
  paid_at: z.string().nullable(),
  created_at: z.string(),
});
/** A vendor's payout statement. */
export type PayoutStatementView = z.infer<typeof payoutStatementView>;

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
  /** true (default): prices include consumption tax; false: tax is added on top. */
  prices_include_tax: z.boolean(),
  created_at: z.string(),
});
/** A store's settings as the API answers them. */
export type StoreSettingsView = z.infer<typeof storeSettingsView>;
