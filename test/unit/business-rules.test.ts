import { dunningWait, retryDelayMs } from '../../domain/dunning.ts';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import { money } from '../../domain/money.ts';
import { isSubscriptionEnded } from '../../domain/subscription.ts';
import { cancellationRefusal, checkPlacement, codShares, isExactCodCash, type PlacementLine } from '../../domain/order.ts';

const line = (over: Partial<PlacementLine> = {}): PlacementLine => ({
  variantId: 'var_1',
  quantity: 1,
  unitPrice: 1000,
  sold: true,
  subscription: false,
  ...over,
});

describe('checkPlacement', () => {
  it('when the cart is empty, then the only problem is a validation error', () => {
    const problems = checkPlacement([], 'card');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(ValidationError);
    expect(problems[0]!.message).toBe('the cart is empty');
  });
  it('when every line is sold and nothing renews, then there is no problem', () => {
    expect(checkPlacement([line(), line({ variantId: 'var_2' })], 'cod')).toEqual([]);
  });
  it('when lines are no longer sold, then a conflict names them first', () => {
    const [first] = checkPlacement(
      [line({ variantId: 'var_a', sold: false }), line(), line({ variantId: 'var_b', sold: false, subscription: true })],
      'bank_transfer',
    );
    expect(first).toBeInstanceOf(ConflictError);
    expect(first!.details).toEqual({ variant_ids: ['var_a', 'var_b'] });
  });
  it('when a subscription is paid by anything but card, then it is refused', () => {
    for (const method of ['cod', 'bank_transfer'] as const) {
      const [first] = checkPlacement([line({ variantId: 'var_s', subscription: true })], method);
      expect(first).toBeInstanceOf(ValidationError);
      expect(first!.details).toEqual({ variant_ids: ['var_s'] });
    }
  });
  it('when a subscription is paid by card, then it is accepted', () => {
    expect(checkPlacement([line({ subscription: true })], 'card')).toEqual([]);
  });
});

describe('cancellationRefusal', () => {
  it('when nothing has shipped, then the order can be cancelled', () => {
    expect(cancellationRefusal('pending_payment')).toBeNull();
    expect(cancellationRefusal('pending_shipment')).toBeNull();
  });
  it('when the order is cancelled already, then that is the refusal', () => {
    expect(cancellationRefusal('cancelled')).toBe('the order is already cancelled');
  });
  it('when something has shipped, then cancellation is refused with the status', () => {
    for (const status of ['partially_shipped', 'shipped', 'completed'] as const) {
      expect(cancellationRefusal(status)).toBe(`an order in status ${status} can no longer be cancelled`);
    }
  });
});

describe('isExactCodCash', () => {
  const owed = money(4200, 'EUR');
  it('when exactly the amount owed was collected, then it is accepted', () => {
    expect(isExactCodCash(owed, { amount: 4200, currency: 'EUR' })).toBe(true);
  });
  it('when the amount, the currency or the cash itself is off, then it is refused', () => {
    expect(isExactCodCash(owed, { amount: 4199, currency: 'EUR' })).toBe(false);
    expect(isExactCodCash(owed, { amount: 4201, currency: 'EUR' })).toBe(false);
    expect(isExactCodCash(owed, { amount: 4200, currency: 'USD' })).toBe(false);
    expect(isExactCodCash(owed, null)).toBe(false);
    expect(isExactCodCash(owed, undefined)).toBe(false);
  });
});

describe('codShares', () => {
  it('when the order total includes shipping, then the first shipment collects it on top of its lines', () => {
    expect(codShares([3000, 2000], 5500)).toEqual([3500, 2000]);
  });
  it('when there is one shipment, then it collects the whole total', () => {
    const shares = codShares([4200], 4200);
    expect(shares).toEqual([4200]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(4200);
  });
});

describe('dunning', () => {
  const schedule = [10, 30, 50];
  it('when an attempt has a delay in the schedule, then that delay is announced; past its end, none', () => {
    expect(retryDelayMs(schedule, 1)).toBe(10);
    expect(retryDelayMs(schedule, 3)).toBe(50);
    expect(retryDelayMs(schedule, 4)).toBeNull();
  });
  it('when a soft decline leaves delays, then the wait is the next delay', () => {
    expect(dunningWait(schedule, 2, false)).toEqual({ waitMs: 30, exhausted: false });
  });
  it('when a hard decline leaves delays, then the wait is all that is left of the schedule', () => {
    expect(dunningWait(schedule, 2, true)).toEqual({ waitMs: 80, exhausted: false });
  });
  it('when the schedule is used up, then dunning is exhausted without waiting', () => {
    expect(dunningWait(schedule, 4, false)).toEqual({ waitMs: 0, exhausted: true });
    expect(dunningWait([], 1, true)).toEqual({ waitMs: 0, exhausted: true });
  });
});

describe('isSubscriptionEnded', () => {
  it('when cancelled or unpaid, then the subscription has ended', () => {
    expect(isSubscriptionEnded('cancelled')).toBe(true);
    expect(isSubscriptionEnded('unpaid')).toBe(true);
  });
  it('when active or past due, then it is still billed', () => {
    expect(isSubscriptionEnded('active')).toBe(false);
    expect(isSubscriptionEnded('past_due')).toBe(false);
  });
});
