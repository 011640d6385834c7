// The pricing function (domain/pricing.ts): worked examples of the qualified-invoice rule, and properties checked with fast-check.
import fc from 'fast-check';
import { allocate, priceCart, taxOf, type PricingDiscount, type PricingInput, type PricingLine, type PricingShipping } from '../../domain/pricing.ts';

const buildLine = (overrides: Partial<PricingLine> = {}): PricingLine => ({
  key: 'l1',
  unitPrice: 1080,
  quantity: 1,
  taxRateBps: 1000,
  vendorId: null,
  physical: true,
  ...overrides,
});

const buildInput = (overrides: Partial<PricingInput> = {}): PricingInput => ({
  lines: [buildLine()],
  discounts: [],
  shipping: [],
  pricesIncludeTax: true,
  cashOnDelivery: false,
  ...overrides,
});

describe('priceCart: worked examples', () => {
  test('when a 1,080 JPY standard item and a 540 JPY reduced item are priced, then tax is 98 at 10 % and 40 at 8 % (inclusive)', () => {
    const priced = priceCart(buildInput({ lines: [buildLine(), buildLine({ key: 'l2', unitPrice: 540, taxRateBps: 800 })] }));
    expect(priced.taxBreakdown).toEqual([
      { rateBps: 1000, taxableAmount: 1080, tax: 98 },
      { rateBps: 800, taxableAmount: 540, tax: 40 },
    ]);
    expect(priced).toMatchObject({ subtotal: 1620, taxTotal: 138, total: 1620, discountTotal: 0, shippingTotal: 0 });
  });

  test('when ten 10 JPY lines share a rate, then tax is rounded once for the rate (9), not per line (10 × 0)', () => {
    const lines = Array.from({ length: 10 }, (_, i) => buildLine({ key: `t${i}`, unitPrice: 10 }));
    expect(priceCart(buildInput({ lines })).taxBreakdown).toEqual([{ rateBps: 1000, taxableAmount: 100, tax: 9 }]);
  });

  test('when prices exclude tax, then tax is added on top, rounded down per rate', () => {
    const priced = priceCart(
      buildInput({ pricesIncludeTax: false, lines: [buildLine({ unitPrice: 999 }), buildLine({ key: 'f', unitPrice: 505, taxRateBps: 800 })] }),
    );
    expect(priced.taxBreakdown).toEqual([
      { rateBps: 1000, taxableAmount: 999, tax: 99 },
      { rateBps: 800, taxableAmount: 505, tax: 40 },
    ]);
    expect(priced.total).toBe(999 + 505 + 99 + 40);
  });

  test('when the cart reaches the free-over amount after discounts, then shipping is free; below it, the price is charged', () => {
    const shipping: PricingShipping[] = [{ vendorId: null, price: 800, freeOver: 5000, codFee: 330 }];
    expect(priceCart(buildInput({ lines: [buildLine({ unitPrice: 5000 })], shipping })).shippingTotal).toBe(0);
    const discounted = priceCart(
      buildInput({ lines: [buildLine({ unitPrice: 5000 })], shipping, discounts: [{ code: 'TEN', kind: 'fixed', value: 10, vendorId: null }] }),
    );
    expect(discounted).toMatchObject({ shippingTotal: 800, discountTotal: 10, total: 5000 - 10 + 800 });
  });

  test('when paid cash on delivery, then the COD fee is its own amount, taxed at the standard rate', () => {
    const priced = priceCart(
      buildInput({
        cashOnDelivery: true,
        lines: [buildLine({ unitPrice: 540, taxRateBps: 800 })],
        shipping: [{ vendorId: null, price: 550, freeOver: null, codFee: 330 }],
      }),
    );
    expect(priced).toMatchObject({ shippingTotal: 550, codFee: 330, total: 540 + 550 + 330 });
    expect(priced.taxBreakdown).toEqual([
      { rateBps: 1000, taxableAmount: 880, tax: 80 },
      { rateBps: 800, taxableAmount: 540, tax: 40 },
    ]);
  });

  test('when a free-shipping code applies, then shipping_total shows the price and the discount takes it back', () => {
    const priced = priceCart(
      buildInput({
        shipping: [{ vendorId: null, price: 800, freeOver: null, codFee: 0 }],
        discounts: [{ code: 'SHIPFREE', kind: 'free_shipping', value: 0, vendorId: null }],
      }),
    );
    expect(priced).toMatchObject({ shippingTotal: 800, discounts: [{ code: 'SHIPFREE', amount: 800 }], total: 1080 });
  });

  test('when a mall code is scoped to one vendor, then only that vendor’s lines carry it and its group net is discounted', () => {
    const priced = priceCart(
      buildInput({
        lines: [buildLine({ key: 'a', unitPrice: 2000, vendorId: 'ven_a' }), buildLine({ key: 'b', unitPrice: 3000, vendorId: 'ven_b' })],
        discounts: [{ code: 'A10', kind: 'percentage', value: 1000, vendorId: 'ven_a' }],
        shipping: [
          { vendorId: 'ven_a', price: 500, freeOver: null, codFee: 0 },
          { vendorId: 'ven_b', price: 600, freeOver: null, codFee: 0 },
        ],
      }),
    );
    expect(priced.lines.map((l) => l.discount)).toEqual([200, 0]);
    expect(priced.groups).toEqual([
      { vendorId: 'ven_a', net: 1800, shipping: 500 },
      { vendorId: 'ven_b', net: 3000, shipping: 600 },
    ]);
    expect(priced.total).toBe(1800 + 3000 + 500 + 600);
  });

  test('when a mall cart has the platform’s own lines beside a vendor’s, then each group ships only its own lines', () => {
    const priced = priceCart(
      buildInput({
        mall: true,
        lines: [buildLine({ key: 'own', unitPrice: 6000, vendorId: null }), buildLine({ key: 'v', unitPrice: 1000, vendorId: 'ven_a' })],
        shipping: [
          { vendorId: null, price: 700, freeOver: 5000, codFee: 0 },
          { vendorId: 'ven_a', price: 500, freeOver: 5000, codFee: 0 },
        ],
      }),
    );
    expect(priced.groups).toEqual([
      { vendorId: null, net: 6000, shipping: 0 },
      { vendorId: 'ven_a', net: 1000, shipping: 500 },
    ]);
  });

  test('when a fixed code is larger than the cart, then it takes the lines to 0 and no further', () => {
    const priced = priceCart(buildInput({ discounts: [{ code: 'BIG', kind: 'fixed', value: 100_000, vendorId: null }] }));
    expect(priced).toMatchObject({ discountTotal: 1080, total: 0, taxTotal: 0, taxBreakdown: [] });
  });

  test('when a digital-only cart has a shipping method, then nothing is charged for shipping', () => {
    const priced = priceCart(
      buildInput({ lines: [buildLine({ physical: false })], shipping: [{ vendorId: null, price: 800, freeOver: null, codFee: 330 }], cashOnDelivery: true }),
    );
    expect(priced).toMatchObject({ shippingTotal: 0, codFee: 0, total: 1080 });
  });
});

describe('allocate', () => {
  test('when 10 is split over 1:1:1, then the parts are 4, 3, 3 (largest remainder, ties to the first)', () => {
    expect(allocate(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });
});

const vendorIds = fc.constantFrom<string | null>(null, 'ven_a', 'ven_b');
const lineArb = fc.record({
  key: fc.string({ maxLength: 4 }),
  unitPrice: fc.integer({ min: 0, max: 5_000_000 }),
  quantity: fc.integer({ min: 1, max: 100 }),
  taxRateBps: fc.constantFrom(1000, 800, 0),
  vendorId: vendorIds,
  physical: fc.boolean(),
});
const discountArb: fc.Arbitrary<PricingDiscount> = fc.record({
  code: fc.constantFrom('A', 'B', 'C'),
  kind: fc.constantFrom<PricingDiscount['kind']>('percentage', 'fixed', 'free_shipping'),
  value: fc.integer({ min: 0, max: 20_000 }),
  vendorId: vendorIds,
});
const shippingArb = fc.record({
  vendorId: vendorIds,
  price: fc.integer({ min: 0, max: 5000 }),
  freeOver: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  codFee: fc.integer({ min: 0, max: 1000 }),
});
const inputArb: fc.Arbitrary<PricingInput> = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 8 }),
  discounts: fc.array(discountArb, { maxLength: 3 }),
  shipping: fc.array(shippingArb, { maxLength: 2 }),
  pricesIncludeTax: fc.boolean(),
  cashOnDelivery: fc.boolean(),
  mall: fc.boolean(),
});

describe('priceCart: properties', () => {
  test('when any cart is priced, then no figure is negative and the figures add up', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = priceCart(input);
        for (const n of [p.subtotal, p.discountTotal, p.shippingTotal, p.codFee, p.taxTotal, p.total]) expect(n).toBeGreaterThanOrEqual(0);
        const beforeTax = p.subtotal - p.discountTotal + p.shippingTotal + p.codFee;
        expect(p.total).toBe(input.pricesIncludeTax ? beforeTax : beforeTax + p.taxTotal);
        expect(p.taxBreakdown.reduce((s, t) => s + t.taxableAmount, 0)).toBe(beforeTax);
        expect(p.taxBreakdown.reduce((s, t) => s + t.tax, 0)).toBe(p.taxTotal);
        expect(p.lines.reduce((s, l) => s + l.net, 0) + p.lines.reduce((s, l) => s + l.discount, 0)).toBe(p.subtotal);
      }),
    );
  });

  test('when discounts apply, then none exceeds what it applies to and no line goes below 0', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = priceCart(input);
        for (const l of p.lines) expect(l.net).toBeGreaterThanOrEqual(0);
        expect(p.discountTotal).toBeLessThanOrEqual(p.subtotal + p.shippingTotal);
        for (const d of p.discounts) expect(d.amount).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  test('when tax is computed, then each rate is rounded down once over the rate’s whole taxable amount', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const t of priceCart(input).taxBreakdown) {
          const exact = input.pricesIncludeTax ? (t.taxableAmount * t.rateBps) / (10_000 + t.rateBps) : (t.taxableAmount * t.rateBps) / 10_000;
          expect(t.tax).toBe(taxOf(t.taxableAmount, t.rateBps, input.pricesIncludeTax));
          expect(t.tax).toBeLessThanOrEqual(exact + 1e-6);
          expect(t.tax).toBeGreaterThan(exact - 1);
        }
      }),
    );
  });

  test('when the same cart is priced twice or its lines are reordered, then the totals are the same', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const a = priceCart(input);
        expect(priceCart(structuredClone(input))).toEqual(a);
        const b = priceCart({ ...input, lines: [...input.lines].reverse() });
        for (const k of ['subtotal', 'discountTotal', 'shippingTotal', 'codFee', 'taxTotal', 'total'] as const) expect(b[k]).toBe(a[k]);
        expect(b.taxBreakdown).toEqual(a.taxBreakdown);
      }),
    );
  });

  test('when an amount is allocated, then the parts add up and none exceeds its weight', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 10 }), fc.nat(), (weights, seed) => {
        const sum = weights.reduce((s, w) => s + w, 0);
        const amount = sum === 0 ? 0 : seed % (sum + 1);
        const parts = allocate(amount, weights);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(amount);
        parts.forEach((p, i) => expect(p).toBeLessThanOrEqual(weights[i]));
      }),
    );
  });
});
