// Reads what pricing a cart needs (its lines at current prices, tax rates, the store's tax setting, chosen shipping
// methods, applied codes) into the one PricingInput, and prices it with domain/pricing.ts. Writes nothing.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { priceCart, type Priced, type PricingInput } from '../../domain/pricing.ts';
import type { PaymentMethod } from '../../domain/order.ts';

const contextRow = z.object({ currency: z.string(), mall: z.boolean(), prices_include_tax: z.boolean() });

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

const discountRow = z.object({ code: z.string(), type: z.enum(['percentage', 'fixed', 'free_shipping']), value: z.number(), vendor_id: z.string().nullable() });

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
};

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
  const ctx = await db.maybeOne(sql.type(contextRow)`
    SELECT c.currency, t.mode = 'mall' AS mall,
      COALESCE((SELECT s.prices_include_tax FROM stores s WHERE s.tenant_id = c.tenant_id ORDER BY s.created_at, s.id LIMIT 1), true) AS prices_include_tax
    FROM carts c JOIN tenants t ON t.id = c.tenant_id WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}`);
  if (!ctx) throw new NotFoundError('cart', cartId);
  const lines = await db.any(sql.type(lineRow)`
    SELECT ci.id, ci.variant_id, ci.quantity, pr.amount AS unit_price, v.tax_rate_bps, p.vendor_id, p.type <> 'digital' AS physical
    FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
    JOIN prices pr ON pr.variant_id = ci.variant_id AND pr.currency = ${ctx.currency}
    WHERE ci.cart_id = ${cartId} ORDER BY ci.id`);
  const shipping = await db.any(sql.type(shippingRow)`
    SELECT csm.group_key, sm.id AS shipping_method_id, sm.name, sm.price, sm.free_over, sm.cod_fee
    FROM cart_shipping_methods csm JOIN shipping_methods sm ON sm.id = csm.shipping_method_id AND sm.tenant_id = csm.tenant_id
    WHERE csm.cart_id = ${cartId} AND csm.tenant_id = ${tenantId} ORDER BY csm.group_key`);
  const discounts = await db.any(sql.type(discountRow)`
    SELECT pm.code, pm.type, pm.value, pm.vendor_id
    FROM cart_discounts cd JOIN promotions pm ON pm.id = cd.promotion_id AND pm.tenant_id = cd.tenant_id
    WHERE cd.cart_id = ${cartId} AND cd.tenant_id = ${tenantId} AND pm.active ORDER BY cd.created_at, pm.id`);
  const input: PricingInput = {
    lines: lines.map((l) => ({
      key: l.id,
      unitPrice: l.unit_price,
      quantity: l.quantity,
      taxRateBps: l.tax_rate_bps,
      vendorId: l.vendor_id,
      physical: l.physical,
    })),
    // A promotion's percentage is whole percent; the pricing function takes basis points.
    discounts: discounts.map((d) => ({ code: d.code, kind: d.type, value: d.type === 'percentage' ? d.value * 100 : d.value, vendorId: d.vendor_id })),
    shipping: shipping.map((s) => ({ vendorId: s.group_key === '' ? null : s.group_key, price: s.price, freeOver: s.free_over, codFee: s.cod_fee })),
    pricesIncludeTax: ctx.prices_include_tax,
    cashOnDelivery: opts.paymentMethod === 'cod',
    mall: ctx.mall,
  };
  return { currency: ctx.currency, input, priced: priceCart(input), lines: [...lines], shipping: [...shipping] };
}

/** The pricing figures of a cart as views show them (contracts/views.ts pricingFields), money as {amount, currency}. */
export function pricingView({ currency, priced, shipping }: CartPricing) {
  const m = (amount: number) => ({ amount, currency });
  return {
    subtotal: m(priced.subtotal),
    discount_total: m(priced.discountTotal),
    shipping_total: m(priced.shippingTotal),
    tax_total: m(priced.taxTotal),
    total: m(priced.total),
    discounts: priced.discounts.map((d) => ({ code: d.code, amount: m(d.amount) })),
    shipping_method_id: shipping.find((s) => s.group_key === '')?.shipping_method_id ?? null,
    shipping_methods: shipping.map((s) => ({ vendor_id: s.group_key === '' ? null : s.group_key, shipping_method_id: s.shipping_method_id })),
    tax_breakdown: priced.taxBreakdown.map((t) => ({ rate_bps: t.rateBps, taxable_amount: m(t.taxableAmount), tax: m(t.tax) })),
  };
}
