// Pricing an order, in integer minor units: lines → subtotal → discounts → shipping → tax breakdown → total (API.md
// "Pricing: tax, shipping, promotions"). Japanese consumption tax by default: prices include tax, and tax is computed once
// per rate per order and rounded down (the qualified-invoice rule), never per line.

/** The standard consumption tax rate (10 %) in basis points; shipping and the COD fee are taxed at it. */
export const STANDARD_TAX_RATE_BPS = 1000;
/** The reduced rate (8 %: food and drink, newspapers). */
export const REDUCED_TAX_RATE_BPS = 800;

/** A cart or order line to price. `physical` lines need shipping; digital ones do not. */
export type PricingLine = { key: string; unitPrice: number; quantity: number; taxRateBps: number; vendorId: string | null; physical: boolean };

/** A discount code being applied: percentage `value` is in basis points (1000 = 10 %), fixed `value` in minor units. */
export type PricingDiscount = { code: string; kind: 'percentage' | 'fixed' | 'free_shipping'; value: number; vendorId: string | null };

/**
 * The chosen shipping method of one shipping group. Single brand: `vendorId` null, the whole cart. Mall (`mall: true`):
 * one vendor's lines, or with `vendorId` null the lines no vendor sells (the platform's own).
 */
export type PricingShipping = { vendorId: string | null; price: number; freeOver: number | null; codFee: number };

/** Everything the pricing function needs; it reads nothing else. */
export type PricingInput = {
  lines: PricingLine[];
  discounts: PricingDiscount[];
  shipping: PricingShipping[];
  pricesIncludeTax: boolean;
  cashOnDelivery: boolean;
  /** Mall carts ship per vendor: a shipping group holds exactly its vendor's lines. */
  mall?: boolean;
};

/** Tax of one rate over the whole order: `taxableAmount` includes the tax when prices include it. */
export type TaxLine = { rateBps: number; taxableAmount: number; tax: number };

/** A line after discounts: what it costs (`net`), and the part of the order's discounts it carries. */
export type PricedLine = { key: string; amount: number; discount: number; net: number };

/** A priced order. `total` is what the customer pays; every figure is a non-negative integer. */
export type Priced = {
  subtotal: number;
  discounts: { code: string; amount: number }[];
  discountTotal: number;
  shippingTotal: number;
  codFee: number;
  taxBreakdown: TaxLine[];
  taxTotal: number;
  total: number;
  lines: PricedLine[];
  /** Per shipping group: the lines' net amount and the shipping paid after a free-shipping code (mall payouts use `net`). */
  groups: { vendorId: string | null; net: number; shipping: number }[];
};

/**
 * Splits `amount` over `weights` in proportion, in whole units, by largest remainder (ties to the earlier weight), so the
 * parts add up to exactly `amount` and none exceeds its weight when `amount` ≤ the weights' sum.
 */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || amount === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (BigInt(amount) * BigInt(w)) / BigInt(total));
  const parts = exact.map(Number);
  const remainders = weights.map((w, i) => ({ i, r: (BigInt(amount) * BigInt(w)) % BigInt(total) }));
  let left = amount - parts.reduce((s, p) => s + p, 0);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0) break;
    parts[i] += 1;
    left -= 1;
  }
  return parts;
}

/** Tax contained in (inclusive) or due on (exclusive) `taxable` at `rateBps`, rounded down. */
export function taxOf(taxable: number, rateBps: number, pricesIncludeTax: boolean): number {
  const base = BigInt(taxable) * BigInt(rateBps);
  return Number(pricesIncludeTax ? base / BigInt(10_000 + rateBps) : base / 10_000n);
}

const inScope = (vendorId: string | null) => (line: PricingLine) => vendorId === null || line.vendorId === vendorId;

/** Applies line discounts in order, each on what earlier ones left; free shipping is settled with shipping. */
function discountLines(input: PricingInput, amounts: number[]) {
  const lineDiscounts = amounts.map(() => 0);
  const applied: { code: string; amount: number }[] = [];
  for (const d of input.discounts) {
    if (d.kind === 'free_shipping') continue;
    const eligible = input.lines.map((l, i) => (inScope(d.vendorId)(l) ? amounts[i] - lineDiscounts[i] : 0));
    const base = eligible.reduce((s, a) => s + a, 0);
    const wanted = d.kind === 'percentage' ? Number((BigInt(base) * BigInt(Math.min(d.value, 10_000))) / 10_000n) : d.value;
    const amount = Math.max(0, Math.min(wanted, base));
    allocate(amount, eligible).forEach((part, i) => (lineDiscounts[i] += part));
    applied.push({ code: d.code, amount });
  }
  return { lineDiscounts, applied };
}

/** Shipping groups: the chosen methods, each over its lines; a group without physical lines ships nothing. */
function shipGroups(input: PricingInput, nets: number[]) {
  const freeShipping = input.discounts.filter((d) => d.kind === 'free_shipping');
  return input.shipping.map((method) => {
    const inGroup = input.mall ? (l: PricingLine) => l.vendorId === method.vendorId : inScope(method.vendorId);
    const mine = input.lines.map((l, i) => ({ l, net: nets[i] })).filter(({ l }) => inGroup(l));
    const net = mine.reduce((s, m) => s + m.net, 0);
    const ships = mine.some(({ l }) => l.physical);
    const charged = !ships || (method.freeOver !== null && net >= method.freeOver) ? 0 : method.price;
    const waivedBy = freeShipping.find((d) => d.vendorId === null || d.vendorId === method.vendorId);
    return {
      vendorId: method.vendorId,
      net,
      charged,
      waived: waivedBy && charged > 0 ? { code: waivedBy.code, amount: charged } : null,
      codFee: ships && input.cashOnDelivery ? method.codFee : 0,
    };
  });
}

// Lines in a canonical order, so the one-unit remainders of a split never depend on the order lines were added in.
const lineOrder = (a: PricingLine, b: PricingLine) =>
  a.key.localeCompare(b.key) ||
  (a.vendorId ?? '').localeCompare(b.vendorId ?? '') ||
  a.taxRateBps - b.taxRateBps ||
  a.unitPrice - b.unitPrice ||
  a.quantity - b.quantity ||
  Number(a.physical) - Number(b.physical);

/** Prices an order: the same input always gives the same output, whatever the order of its lines. */
export function priceCart(input: PricingInput): Priced {
  const canonical = input.lines.map((line, at) => ({ line, at })).sort((a, b) => lineOrder(a.line, b.line) || a.at - b.at);
  const priced = priceCanonical({ ...input, lines: canonical.map((c) => c.line) });
  const lines: PricedLine[] = new Array<PricedLine>(input.lines.length);
  canonical.forEach((c, i) => (lines[c.at] = priced.lines[i]));
  return { ...priced, lines };
}

function priceCanonical(input: PricingInput): Priced {
  for (const l of input.lines) {
    if (!Number.isSafeInteger(l.unitPrice) || l.unitPrice < 0 || !Number.isSafeInteger(l.quantity) || l.quantity < 1) {
      throw new Error(`line ${l.key}: unit price and quantity must be non-negative integers (quantity ≥ 1)`);
    }
  }
  const amounts = input.lines.map((l) => l.unitPrice * l.quantity);
  const { lineDiscounts, applied } = discountLines(input, amounts);
  const nets = amounts.map((a, i) => a - lineDiscounts[i]);
  const groups = shipGroups(input, nets);

  const discounts = [...applied];
  for (const g of groups) {
    if (!g.waived) continue;
    const seen = discounts.find((d) => d.code === g.waived!.code);
    if (seen) seen.amount += g.waived.amount;
    else discounts.push({ ...g.waived });
  }
  // shipping_total is what the methods cost; a free-shipping code takes it back as a discount, so the figures add up:
  // total = subtotal − discount_total + shipping_total + cod_fee (+ tax when prices exclude it).
  const shippingTotal = groups.reduce((s, g) => s + g.charged, 0);
  const shippingPaid = groups.reduce((s, g) => s + g.charged - (g.waived?.amount ?? 0), 0);
  const codFee = groups.reduce((s, g) => s + g.codFee, 0);

  const taxable = new Map<number, number>();
  input.lines.forEach((l, i) => taxable.set(l.taxRateBps, (taxable.get(l.taxRateBps) ?? 0) + nets[i]));
  taxable.set(STANDARD_TAX_RATE_BPS, (taxable.get(STANDARD_TAX_RATE_BPS) ?? 0) + shippingPaid + codFee);
  const taxBreakdown = [...taxable.entries()]
    .filter(([, amount]) => amount > 0)
    .sort(([a], [b]) => b - a)
    .map(([rateBps, taxableAmount]) => ({ rateBps, taxableAmount, tax: taxOf(taxableAmount, rateBps, input.pricesIncludeTax) }));
  const taxTotal = taxBreakdown.reduce((s, t) => s + t.tax, 0);
  const beforeTax = nets.reduce((s, n) => s + n, 0) + shippingPaid + codFee;

  return {
    subtotal: amounts.reduce((s, a) => s + a, 0),
    discounts,
    discountTotal: discounts.reduce((s, d) => s + d.amount, 0),
    shippingTotal,
    codFee,
    taxBreakdown,
    taxTotal,
    total: input.pricesIncludeTax ? beforeTax : beforeTax + taxTotal,
    lines: input.lines.map((l, i) => ({ key: l.key, amount: amounts[i], discount: lineDiscounts[i], net: nets[i] })),
    groups: groups.map(({ vendorId, net, charged, waived }) => ({ vendorId, net, shipping: charged - (waived?.amount ?? 0) })),
  };
}
