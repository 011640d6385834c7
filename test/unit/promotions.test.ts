// The rules of discount codes (domain/promotions.ts): examples per reason, and properties checked with fast-check.
import fc from 'fast-check';
import { DiscountInvalidError, domainErrorFromCode } from '../../domain/errors.ts';
import {
  customerKeyOf,
  DISCOUNT_REFUSALS,
  pricingValueOf,
  promotionRefusal,
  refusalMessage,
  type PromotionRules,
  type RefusalContext,
} from '../../domain/promotions.ts';

const NOW = Date.parse('2026-11-30T09:00:00Z');
const HOUR = 3_600_000;

const buildPromotion = (overrides: Partial<PromotionRules> = {}): PromotionRules => ({
  type: 'percentage',
  value: 10,
  currency: 'JPY',
  active: true,
  minSubtotal: null,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  usageLimitPerCustomer: null,
  timesUsed: 0,
  vendorId: null,
  ...overrides,
});

const buildContext = (overrides: Partial<RefusalContext> = {}): RefusalContext => ({
  now: NOW,
  currency: 'JPY',
  subtotalInScope: 5000,
  usedByCustomer: 0,
  vendorIdsInCart: [null],
  ...overrides,
});

describe('promotionRefusal: one reason per rule', () => {
  test('when nothing limits the code, then it applies', () => {
    expect(promotionRefusal(buildPromotion(), buildContext())).toBeNull();
  });

  test('when the code is switched off, then inactive', () => {
    expect(promotionRefusal(buildPromotion({ active: false }), buildContext())).toBe('inactive');
  });

  test('when the window has not opened, then not_started; at its start it applies', () => {
    expect(promotionRefusal(buildPromotion({ startsAt: NOW + 1 }), buildContext())).toBe('not_started');
    expect(promotionRefusal(buildPromotion({ startsAt: NOW }), buildContext())).toBeNull();
  });

  test('when the window has closed, then expired; its end is exclusive', () => {
    expect(promotionRefusal(buildPromotion({ endsAt: NOW - HOUR }), buildContext())).toBe('expired');
    expect(promotionRefusal(buildPromotion({ endsAt: NOW }), buildContext())).toBe('expired');
    expect(promotionRefusal(buildPromotion({ endsAt: NOW + 1 }), buildContext())).toBeNull();
  });

  test('when the cart is in another currency, then not_applicable', () => {
    expect(promotionRefusal(buildPromotion({ currency: 'USD' }), buildContext())).toBe('not_applicable');
  });

  test("when a vendor-scoped code meets a cart without that vendor's lines, then not_applicable; with one it applies", () => {
    const scoped = buildPromotion({ vendorId: 'ven_a' });
    expect(promotionRefusal(scoped, buildContext({ vendorIdsInCart: [null, 'ven_b'] }))).toBe('not_applicable');
    expect(promotionRefusal(scoped, buildContext({ vendorIdsInCart: ['ven_b', 'ven_a'] }))).toBeNull();
  });

  test('when the subtotal in scope is under the minimum, then min_subtotal; exactly the minimum applies', () => {
    expect(promotionRefusal(buildPromotion({ minSubtotal: 5001 }), buildContext())).toBe('min_subtotal');
    expect(promotionRefusal(buildPromotion({ minSubtotal: 5000 }), buildContext())).toBeNull();
  });

  test('when every use is taken, then exhausted', () => {
    expect(promotionRefusal(buildPromotion({ usageLimit: 10, timesUsed: 10 }), buildContext())).toBe('exhausted');
    expect(promotionRefusal(buildPromotion({ usageLimit: 10, timesUsed: 9 }), buildContext())).toBeNull();
  });

  test('when the customer used their share, then per_customer_limit; an unknown customer is not counted yet', () => {
    const once = buildPromotion({ usageLimitPerCustomer: 1 });
    expect(promotionRefusal(once, buildContext({ usedByCustomer: 1 }))).toBe('per_customer_limit');
    expect(promotionRefusal(once, buildContext({ usedByCustomer: 0 }))).toBeNull();
    expect(promotionRefusal(once, buildContext({ usedByCustomer: null }))).toBeNull();
  });

  test('when several rules fail, then the first in order is reported (an expired, exhausted code is expired)', () => {
    expect(promotionRefusal(buildPromotion({ endsAt: NOW - 1, usageLimit: 1, timesUsed: 1, active: false }), buildContext())).toBe('inactive');
    expect(promotionRefusal(buildPromotion({ endsAt: NOW - 1, usageLimit: 1, timesUsed: 1 }), buildContext())).toBe('expired');
  });
});

describe('promotionRefusal: properties', () => {
  const window = fc
    .tuple(fc.integer({ min: 0, max: 10 * 365 * 24 }), fc.integer({ min: 1, max: 24 * 365 }))
    .map(([startHour, hours]) => ({ startsAt: NOW - 5 * 365 * 24 * HOUR + startHour * HOUR, endsAt: NOW - 5 * 365 * 24 * HOUR + (startHour + hours) * HOUR }));
  const now = fc.integer({ min: NOW - 6 * 365 * 24 * HOUR, max: NOW + 6 * 365 * 24 * HOUR });

  test('when the clock is outside the window, then the code is never valid; inside, the window never refuses it', () => {
    fc.assert(
      fc.property(window, now, ({ startsAt, endsAt }, at) => {
        const refusal = promotionRefusal(buildPromotion({ startsAt, endsAt }), buildContext({ now: at }));
        if (at < startsAt) return refusal === 'not_started';
        if (at >= endsAt) return refusal === 'expired';
        return refusal === null;
      }),
    );
  });

  test('when a limit is set, then a code is refused exactly when its uses (or the customer’s) reached it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 6 }),
        (limit, used, perCustomer, mine) => {
          const refusal = promotionRefusal(
            buildPromotion({ usageLimit: limit, timesUsed: used, usageLimitPerCustomer: perCustomer }),
            buildContext({ usedByCustomer: mine }),
          );
          const expected = used >= limit ? 'exhausted' : mine >= perCustomer ? 'per_customer_limit' : null;
          return refusal === expected;
        },
      ),
    );
  });

  test('when any promotion meets any cart, then the answer is null or one of the documented reasons, each with a message', () => {
    const promotion = fc.record({
      type: fc.constantFrom('percentage' as const, 'fixed' as const, 'free_shipping' as const),
      value: fc.integer({ min: 0, max: 100_000 }),
      currency: fc.constantFrom('JPY', 'USD'),
      active: fc.boolean(),
      minSubtotal: fc.option(fc.integer({ min: 0, max: 100_000 })),
      startsAt: fc.option(fc.integer({ min: NOW - HOUR, max: NOW + HOUR })),
      endsAt: fc.option(fc.integer({ min: NOW - HOUR, max: NOW + HOUR })),
      usageLimit: fc.option(fc.integer({ min: 1, max: 10 })),
      usageLimitPerCustomer: fc.option(fc.integer({ min: 1, max: 3 })),
      timesUsed: fc.integer({ min: 0, max: 12 }),
      vendorId: fc.option(fc.constantFrom('ven_a', 'ven_b')),
    });
    const cart = fc.record({
      now: fc.constant(NOW),
      currency: fc.constantFrom('JPY', 'USD'),
      subtotalInScope: fc.integer({ min: 0, max: 100_000 }),
      usedByCustomer: fc.option(fc.integer({ min: 0, max: 4 })),
      vendorIdsInCart: fc.array(fc.option(fc.constantFrom('ven_a', 'ven_b')), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(promotion, cart, (p, c) => {
        const refusal = promotionRefusal(p, c);
        return refusal === null || (DISCOUNT_REFUSALS.includes(refusal) && refusalMessage(refusal, 'SALE').includes('SALE'));
      }),
    );
  });
});

describe('customer keys and pricing values', () => {
  test('when a customer is signed in, then their id counts; a guest counts by lower-cased e-mail; nobody is null', () => {
    expect(customerKeyOf('cus_1', 'A@Example.jp')).toBe('cus_1');
    expect(customerKeyOf(null, ' Hanako@Example.JP ')).toBe('email:hanako@example.jp');
    expect(customerKeyOf(null, null)).toBeNull();
  });

  test('when a percentage is handed to the pricing function, then it is in basis points; fixed stays minor units', () => {
    expect(pricingValueOf('percentage', 15)).toBe(1500);
    expect(pricingValueOf('fixed', 300)).toBe(300);
    expect(pricingValueOf('free_shipping', 0)).toBe(0);
  });
});

describe('discount_invalid across Temporal', () => {
  test('when a discount_invalid failure is rebuilt from its code, then it is a DiscountInvalidError keeping the reason and code', () => {
    const rebuilt = domainErrorFromCode('discount_invalid', 'discount code SALE has expired', { reason: 'expired', code: 'SALE' });
    expect(rebuilt).toBeInstanceOf(DiscountInvalidError);
    expect([rebuilt?.code, rebuilt?.details]).toEqual(['discount_invalid', { reason: 'expired', code: 'SALE' }]);
  });
});
