// Reads what pricing a cart needs (its lines at current prices, tax rates, the store's tax setting, chosen shipping
// methods, applied codes) into the one PricingInput, and prices it with domain/pricing.ts. Writes nothing.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { priceCart, type Priced, type PricingInput } from '../../domain/pricing.ts';
import { pricingValueOf, promotionRefusal, type DiscountRefusal } from '../../domain/promotions.ts';
import { ruleObject, rulesJson } from './promotion-rules.ts';
import type { PaymentMethod } from '../../domain/order.ts';

const lineRow = z.object({
  id: z.string(),
  variant_id: z.string(),
  quantity: z.number(),
  unit_price: z.number(),
  tax_rate_bps: z.number(),
  vendor_id: z.string().nullable(),
  physical: z.boolean(),
});

const shippingRow = z.object({
  group_key: z.string(),
  shipping_method_id: z.string(),
  name: z.string(),
  price: z.number(),
  free_over: z.number().nullable(),
  cod_fee: z.number(),
});

/** A cart's pricing context as pricingContextColumns read it. */
export const pricingContextRow = z.object({
  currency: z.string(),
  mall: z.boolean(),
  prices_include_tax: z.boolean(),
  lines: z.array(lineRow),
  shipping: z.array(shippingRow),
  discounts: z.array(ruleObject),
  now_ms: z.number(),
});

/** A chosen shipping method of a cart: its group ('' the whole cart, else a vendor id) and what it charges. */
export type ShippingChoice = z.infer<typeof shippingRow>;

/** A cart priced now: the pricing input (one place builds it), its result, and the rows it came from. */
export type CartPricing = {
  currency: string;
  input: PricingInput;
  priced: Priced;
  /** Lines priced (those with a price in the cart's currency), keyed by cart item id like `input.lines`. */
  lines: z.infer<typeof lineRow>[];
  shipping: ShippingChoice[];
  /** Every code the cart carries, in the order applied: `reason` when promotionRefusal refuses it (then it is not priced). */
  codes: { code: string; reason: DiscountRefusal | null }[];
  /** The database instant (epoch ms) the codes were judged at; checkout redeems them at the same instant. */
  now: number;
};

/**
 * What pricing a cart reads, as columns over `carts c` joined to its tenant `t`: getCart selects them inside the cart
 * view's own statement, cartPricing on their own.
 */
export const pricingContextColumns = sql.fragment`
      c.currency, t.mode = 'mall' AS mall,
      COALESCE((SELECT s.prices_include_tax FROM stores s WHERE s.tenant_id = c.tenant_id ORDER BY s.created_at, s.id LIMIT 1), true) AS prices_include_tax,
      COALESCE((SELECT json_agg(json_build_object('id', ci.id, 'variant_id', ci.variant_id, 'quantity', ci.quantity, 'unit_price', pr.amount,
          'tax_rate_bps', v.tax_rate_bps, 'vendor_id', p.vendor_id, 'physical', p.type <> 'digital') ORDER BY ci.id)
        FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
        JOIN prices pr ON pr.variant_id = ci.variant_id AND pr.currency = c.currency
        WHERE ci.cart_id = c.id), '[]') AS lines,
      COALESCE((SELECT json_agg(json_build_object('group_key', csm.group_key, 'shipping_method_id', sm.id, 'name', sm.name, 'price', sm.price,
          'free_over', sm.free_over, 'cod_fee', sm.cod_fee) ORDER BY csm.group_key)
        FROM cart_shipping_methods csm JOIN shipping_methods sm ON sm.id = csm.shipping_method_id AND sm.tenant_id = csm.tenant_id AND sm.active AND sm.currency = c.currency
        WHERE csm.cart_id = c.id AND csm.tenant_id = c.tenant_id), '[]') AS shipping,
      COALESCE((SELECT json_agg(${rulesJson} ORDER BY cd.created_at, p.id)
        FROM cart_discounts cd JOIN promotions p ON p.id = cd.promotion_id AND p.tenant_id = cd.tenant_id
        WHERE cd.cart_id = c.id AND cd.tenant_id = c.tenant_id), '[]') AS discounts,
      (extract(epoch FROM clock_timestamp()) * 1000)::int8 AS now_ms`;

/**
 * Prices a cart as the catalog prices it now. Lines without a price in the cart's currency are left out (checkout
 * refuses them anyway). Cash on delivery is known only at checkout (`paymentMethod`); a cart shows no COD fee.
 */
export async function cartPricing(
  db: CommonQueryMethods,
  tenantId: string,
  cartId: string,
  opts: { paymentMethod?: PaymentMethod } = {},
): Promise<CartPricing> {
  // A prepared statement (planned once per connection): checkout prices the cart with it.
  const ctx = await db.maybeOne(sql.prepared('cart_pricing', pricingContextRow)`
    SELECT ${pricingContextColumns} FROM carts c JOIN tenants t ON t.id = c.tenant_id WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}`);
  if (!ctx) throw new NotFoundError('cart', cartId);
  return priceContext(ctx, opts);
}

/** Prices a cart from its pricing context (pure: the rules of domain/pricing.ts and domain/promotions.ts). */
export function priceContext(ctx: z.infer<typeof pricingContextRow>, opts: { paymentMethod?: PaymentMethod } = {}): CartPricing {
  const { lines, shipping, discounts } = ctx;
  // The one rule of apply, pricing and redemption; the per-customer count waits for checkout, as at apply.
  const codes = discounts.map((d) => {
    const scoped = lines.filter((l) => d.vendorId === null || l.vendor_id === d.vendorId);
    const subtotalInScope = scoped.reduce((sum, l) => sum + l.unit_price * l.quantity, 0);
    const context = { now: ctx.now_ms, currency: ctx.currency, subtotalInScope, usedByCustomer: null, vendorIdsInCart: lines.map((l) => l.vendor_id) };
    return { rules: d, reason: promotionRefusal(d, context) };
  });
  const input: PricingInput = {
    lines: lines.map((l) => ({
      key: l.id,
      unitPrice: l.unit_price,
      quantity: l.quantity,
      taxRateBps: l.tax_rate_bps,
      vendorId: l.vendor_id,
      physical: l.physical,
    })),
    // A refused code takes nothing off: the cart shows it with its reason, and checkout refuses it with the same one.
    discounts: codes
      .filter((c) => c.reason === null)
      .map(({ rules: d }) => ({ code: d.code, kind: d.type, value: pricingValueOf(d.type, d.value), vendorId: d.vendorId })),
    shipping: shipping.map((s) => ({ vendorId: s.group_key === '' ? null : s.group_key, price: s.price, freeOver: s.free_over, codFee: s.cod_fee })),
    pricesIncludeTax: ctx.prices_include_tax,
    cashOnDelivery: opts.paymentMethod === 'cod',
    mall: ctx.mall,
  };
  const applied = codes.map((c) => ({ code: c.rules.code, reason: c.reason }));
  return { currency: ctx.currency, input, priced: priceCart(input), lines, shipping, codes: applied, now: ctx.now_ms };
}

/** The pricing figures of a cart as views show them (contracts/views.ts pricingFields), money as {amount, currency}. */
export function pricingView({ currency, priced, shipping, codes }: CartPricing) {
  const m = (amount: number) => ({ amount, currency });
  return {
    subtotal: m(priced.subtotal),
    discount_total: m(priced.discountTotal),
    shipping_total: m(priced.shippingTotal),
    tax_total: m(priced.taxTotal),
    total: m(priced.total),
    // Every code the cart carries, so the storefront sees which to remove: a refused one at 0 with its reason.
    discounts: codes.map(({ code, reason }) => ({
      code,
      amount: m(priced.discounts.find((d) => d.code === code)?.amount ?? 0),
      ...(reason ? { reason } : {}),
    })),
    shipping_method_id: shipping.find((s) => s.group_key === '')?.shipping_method_id ?? null,
    shipping_methods: shipping.map((s) => ({ vendor_id: s.group_key === '' ? null : s.group_key, shipping_method_id: s.shipping_method_id })),
    tax_breakdown: priced.taxBreakdown.map((t) => ({ rate_bps: t.rateBps, taxable_amount: m(t.taxableAmount), tax: m(t.tax) })),
  };
}
