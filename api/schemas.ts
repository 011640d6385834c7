// Request schemas of the HTTP contract (API.md); /openapi.json is generated from these.
import { z } from 'zod';
import { PRODUCT_STATUSES, PRODUCT_TYPES } from '../domain/catalog.ts';
import { ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order.ts';
import type { Address } from '../contracts/workflows.ts';
import { ValidationError } from '../domain/errors.ts';
import { billingInterval, productImagesInput, variantDigitalInput } from './schemas-catalog.ts';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status.ts';
import { BPS_SCALE, VENDOR_STATUSES } from '../domain/payouts.ts';
import { SEARCH_SORTS } from '../domain/search.ts';
import { WEBHOOK_EVENT_PATTERN } from '../domain/relay.ts';
import { MAX_ALLOWED_ORIGINS, MAX_ORIGIN_LENGTH, normalizeOriginPattern } from '../domain/origins.ts';

const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code')
  .transform((c) => c.toUpperCase());
const id = z.string().min(1).max(100);
// RFC 5321's longest address; an unbounded one would also overflow the CustomerEmail search attribute of the checkout.
/** An e-mail address, bounded by RFC 5321's longest. */
export const email = z.email().max(254);

// 10^12 minor units per amount: line totals (× at most 1,000 units) stay far inside the safe integer range.
const MAX_AMOUNT = 1_000_000_000_000;

/** Shipping address given at checkout. */
export const shippingAddress = z.object({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().max(100).optional(),
  postal_code: z.string().trim().min(1).max(20),
  country: z
    .string()
    .trim()
    .length(2)
    .transform((c) => c.toUpperCase()),
  phone: z.string().trim().min(3).max(40),
}) satisfies z.ZodType<Address, unknown>;

/** Money in minor units. */
export const moneyInput = z.object({ amount: z.number().int().min(0).max(MAX_AMOUNT), currency });

/** `?limit=&cursor=` of every list. */
export const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(200).optional() });

/** GET /store/products. */
export const productListQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional(),
  category: z.string().max(100).optional(),
  vendor: z.string().max(100).optional(),
});

/** POST /store/carts. */
export const createCartBody = z.object({ currency: currency.optional(), email: email.optional() }).strict();

/** POST /store/carts/:id/items. */
export const addItemBody = z.object({ variant_id: id, quantity: z.number().int().min(1).max(1000) }).strict();

/** PATCH /store/carts/:id/items/:item_id. */
export const updateItemBody = z.object({ quantity: z.number().int().min(0).max(1000) }).strict();

/** POST /store/carts/:id/checkout. */
const checkoutFields = z.object({
  email,
  shipping_address: shippingAddress,
  payment_method: z.enum(PAYMENT_METHODS),
  payment_token: z.string().trim().min(1).max(200).optional(),
  expected_total: moneyInput.optional(),
});
const cardNeedsToken: [(b: { payment_method: string; payment_token?: string }) => boolean, { message: string; path: string[] }] = [
  (b) => b.payment_method !== 'card' || b.payment_token !== undefined,
  { message: 'payment_token is required when payment_method is card', path: ['payment_token'] },
];
export const checkoutBody = checkoutFields.strict().refine(...cardNeedsToken);

/** POST /store/carts/:id/checkout with a customer token: `email` may be omitted (the account's is used). */
export const customerCheckoutBody = checkoutFields
  .extend({ email: email.optional() })
  .strict()
  .refine(...cardNeedsToken);

const taxRateBps = z.union([z.literal(800), z.literal(1000)]); // consumption tax: standard 10 % or reduced 8 %, in basis points
const variantInput = (allowShort: boolean) =>
  z.object({
    sku: z.string().trim().min(1).max(100),
    title: z.string().max(200).optional(),
    price: moneyInput,
    compare_at_price: moneyInput.nullable().optional(),
    tax_rate_bps: taxRateBps.optional(),
    inventory: z
      .array(z.object({ location_id: id.optional(), on_hand: z.number().int().min(0).max(10_000_000) }))
      .max(100)
      .optional(),
    subscription: z
      .object({ billing_interval: billingInterval(allowShort) })
      .strict()
      .nullable()
      .optional(),
    digital: variantDigitalInput.nullable().optional(),
  });

const productBody = (allowShort: boolean) =>
  z
    .object({
      title: z.string().trim().min(1).max(300),
      handle: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .regex(/^[^\s/?#]+$/, 'no spaces, slashes, ? or #')
        .optional(),
      description: z.string().max(20_000).optional(),
      status: z.enum(PRODUCT_STATUSES),
      type: z.enum(PRODUCT_TYPES).optional(),
      vendor_id: id.nullable().optional(),
      category_ids: z.array(id).max(50).optional(),
      images: productImagesInput.optional(),
      variants: z.array(variantInput(allowShort)).min(1).max(100),
    })
    .strict();
/** POST /admin/products (billing intervals of a day at least). */
export const createProductBody = productBody(false);
const createProductBodyShort = productBody(true);

/** POST /admin/products under the config's rule: intervals below a day only when ALLOW_SHORT_BILLING_INTERVALS. */
export function createProductBodyFor(config: { ALLOW_SHORT_BILLING_INTERVALS: boolean }): typeof createProductBody {
  return config.ALLOW_SHORT_BILLING_INTERVALS ? createProductBodyShort : createProductBody;
}

const variantPatch = z.object({
  id,
  title: z.string().max(200).optional(),
  price: moneyInput.optional(),
  tax_rate_bps: taxRateBps.optional(),
  digital: variantDigitalInput.nullable().optional(),
});
/** PATCH /vendor/products/:id's base: the product's fields and its variants' (a vendor cannot flag a variant hot). */
export const updateProductBody = createProductBody
  .omit({ variants: true })
  .partial()
  .extend({ variants: z.array(variantPatch).max(100).optional() })
  .strict();
/** PATCH /admin/products/:id: the back office may also flag a variant hot (its carts and checkouts use the hot task queue). */
export const adminUpdateProductBody = updateProductBody
  .extend({
    variants: z
      .array(variantPatch.extend({ is_hot: z.boolean().optional() }))
      .max(100)
      .optional(),
  })
  .strict();

/** POST /admin/categories. */
export const createCategoryBody = z
  .object({ name: z.string().trim().min(1).max(200), handle: z.string().trim().min(1).max(200).optional(), parent_id: id.nullable().optional() })
  .strict();

/** POST /admin/locations. */
export const createLocationBody = z.object({ name: z.string().trim().min(1).max(200), code: z.string().trim().min(1).max(100).optional() }).strict();

/** PUT /admin/inventory/:variant_id. */
export const setInventoryBody = z.object({ location_id: id.optional(), on_hand: z.number().int().min(0).max(10_000_000) }).strict();

/** GET /admin/orders. */
export const orderListQuery = pageQuery.extend({ status: z.enum(ORDER_STATUSES).optional(), q: z.string().trim().min(1).max(254).optional() });

/** POST /admin/orders/:id/payment-confirmations. */
export const paymentConfirmationBody = z.object({ amount: moneyInput, reference: z.string().trim().min(1).max(200) }).strict();

/** POST /admin/orders/:id/refunds. */
export const refundBody = z
  .object({ amount: moneyInput.refine((m) => m.amount > 0, 'a refund is more than zero'), reason: z.string().trim().min(1).max(500).optional() })
  .strict();

/** GET /admin/subscriptions. */
export const subscriptionListQuery = pageQuery.extend({ status: z.enum(SUBSCRIPTION_STATUSES).optional() });

/** POST /admin/subscriptions/:id/cancel (a body is optional). */
export const cancelSubscriptionBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

/** PUT /admin/subscriptions/:id/payment-method. */
export const paymentMethodBody = z.object({ payment_token: z.string().trim().min(1).max(200) }).strict();

/** POST /admin/orders/:id/cancel. */
export const cancelBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

/** POST /admin/shipments/:id/ship. */
export const shipBody = z.object({ carrier: z.string().trim().min(1).max(100), tracking_number: z.string().trim().min(1).max(100) }).strict();

/** POST /admin/shipments/:id/deliver. */
export const deliverBody = z.object({ cod_collected: moneyInput.optional() }).strict();

/** Opaque list cursors: the last id of the page. */
export const cursor = {
  encode: (lastId: string) => Buffer.from(lastId, 'utf8').toString('base64url'),
  decode: (text: string | undefined) => (text ? Buffer.from(text, 'base64url').toString('utf8') : undefined),
};

/** Shapes `limit + 1` rows into `{items, next_cursor}`; the cursor is `keyOf` of the page's last row. */
export function page<T extends { id: string }, R>(
  rows: T[],
  limit: number,
  map: (row: T) => R,
  keyOf: (row: T) => string = (row) => row.id,
): { items: R[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return { items: items.map(map), next_cursor: rows.length > limit ? cursor.encode(keyOf(items[items.length - 1])) : null };
}

/**
 * Cursor of lists ordered newest first: the last row's creation time to the microsecond (`cursor_at`, selected
 * by the query; the millisecond `created_at` of responses could skip rows) and its id.
 */
export const timeCursor = {
  keyOf: (row: { cursor_at: string; id: string }) => `${row.cursor_at}|${row.id}`,
  decode(text: string | undefined): { createdAt: string; id: string } | undefined {
    const raw = cursor.decode(text);
    if (raw === undefined) return undefined;
    const [createdAt, id] = raw.split('|');
    if (!id || Number.isNaN(Date.parse(createdAt))) throw new ValidationError('cursor is not valid; use next_cursor as returned');
    return { createdAt, id };
  },
};

/** POST /admin/vendors (mall tenants only). */
export const createVendorBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    commission_rate_bps: z.number().int().min(0).max(BPS_SCALE),
    status: z.enum(VENDOR_STATUSES).optional(),
  })
  .strict();

/** POST /admin/payouts/:id/pay: a manual payout and its bank or ledger reference. */
export const payPayoutBody = z.object({ reference: z.string().trim().min(1).max(200) }).strict();

const minorUnits = z.coerce.number().int().min(0).max(MAX_AMOUNT);

/** GET /store/search. */
export const searchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.string().max(100).optional(),
  vendor: z.string().max(100).optional(),
  min_price: minorUnits.optional(),
  max_price: minorUnits.optional(),
  in_stock: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  sort: z.enum(SEARCH_SORTS).default('relevance'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});

/** POST /admin/webhooks. */
export const createWebhookBody = z
  .object({
    url: z.string().trim().min(1).max(2000),
    events: z.array(z.string().max(100).regex(WEBHOOK_EVENT_PATTERN, 'an event type such as order.placed, or *')).min(1).max(50),
  })
  .strict();

/** One allowed browser origin, normalised as browsers send `Origin`. */
const originPattern = z
  .string()
  .max(MAX_ORIGIN_LENGTH)
  .transform((text, ctx) => {
    const parsed = normalizeOriginPattern(text);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.pattern;
  });

/** PATCH /admin/store: the store settings given replace the current ones. */
export const updateStoreBody = z
  .object({
    allowed_origins: z
      .array(originPattern)
      .max(MAX_ALLOWED_ORIGINS)
      .transform((list) => [...new Set(list)])
      .optional(),
    prices_include_tax: z.boolean().optional(),
  })
  .strict();
/** A payload of Temporal's remote codec protocol: metadata values and data in base64. */
export const codecPayload = z.object({ metadata: z.record(z.string(), z.string().max(10_000)).nullish(), data: z.string().nullish() });

/** POST /codec/decode and /codec/encode (the Temporal remote codec protocol: what the CLI and the Web UI send). */
// Protobuf JSON omits an empty list, so the CLI sends `{}` for no payloads.
export const codecBody = z.object({ payloads: z.array(codecPayload).max(1000).default([]) });

/** POST /admin/session: an owner or admin key signs a staff session in (JSON, or the sign-in page's form). */
export const staffSessionBody = z.object({ api_key: z.string().trim().min(1).max(200) });
