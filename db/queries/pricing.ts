// Reads what pricing a cart needs (its lines at current prices, tax rates, the store's tax setting, chosen shipping
// methods, applied codes) into the one PricingInput, and prices it with domain/pricing.ts. Writes nothing.
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { priceCart, type Priced, type PricingInput } from '../../domain/pricing.ts';
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

const discountRow = z.object({ code: z.string(), type: z.enum(['percentage', 'fixed', 'free_shipping']), value: z.number(), vendor_id: z.string().nullable() });

const contextRow = z.object({
  currency: z.string(),
  mall: z.boolean(),
  prices_include_tax: z.boolean(),
  lines: z.array(lineRow),
  shipping: z.array(shippingRow),
  discounts: z.array(discountRow),
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
  // One round trip: carts are read after every change on the hottest path of a sale.
  const ctx = await db.maybeOne(sql.type(contextRow)`
    SELECT c.currency, t.mode = 'mall' AS mall,
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
      COALESCE((SELECT json_agg(json_build_object('code', pm.code, 'type', pm.type, 'value', pm.value, 'vendor_id', pm.vendor_id) ORDER BY cd.created_at, pm.id)
        FROM cart_discounts cd JOIN promotions pm ON pm.id = cd.promotion_id AND pm.tenant_id = cd.tenant_id
        WHERE cd.cart_id = c.id AND cd.tenant_id = c.tenant_id AND pm.active AND (pm.type <> 'fixed' OR pm.currency = c.currency)
          AND (pm.starts_at IS NULL OR pm.starts_at <= now()) AND (pm.ends_at IS NULL OR pm.ends_at > now())), '[]') AS discounts
    FROM carts c JOIN tenants t ON t.id = c.tenant_id WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}`);
  if (!ctx) throw new NotFoundError('cart', cartId);
  const { lines, shipping, discounts } = ctx;
  const input: PricingInput = {
    lines: lines.map((l) => ({
      key: l.id,
      unitPrice: l.unit_price,
      quantity: l.quantity,
      taxRateBps: l.tax_rate_bps,
      vendorId: l.vendor_id,
      physical: l.physical,
    })),
    // A promotion's percentage is whole percent; the pricing function takes basis points. A fixed amount counts only in its own currency; a code outside its window takes nothing off (checkout refuses it with its reason).
    discounts: discounts.map((d) => ({ code: d.code, kind: d.type, value: d.type === 'percentage' ? d.value * 100 : d.value, vendorId: d.vendor_id })),
    shipping: shipping.map((s) => ({ vendorId: s.group_key === '' ? null : s.group_key, price: s.price, freeOver: s.free_over, codFee: s.cod_fee })),
    pricesIncludeTax: ctx.prices_include_tax,
    cashOnDelivery: opts.paymentMethod === 'cod',
    mall: ctx.mall,
  };
  return { currency: ctx.currency, input, priced: priceCart(input), lines, shipping };
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
