// A refund's split over a mall order's vendors: proportional to their gross, never more than it, exact on a full refund.
import { refundLine, refundShares } from '../../domain/payouts.ts';

describe('refundShares', () => {
  test('when half of a two-vendor order is refunded, then each vendor gives back half of its gross', () => {
    expect(refundShares(1500, [2000, 1000], 3000)).toEqual([1000, 500]);
  });

  test('when the whole order is refunded, then each vendor gives back exactly its gross and shipping stays with the platform', () => {
    expect(refundShares(3800, [2000, 1000], 3800)).toEqual([2000, 1000]);
  });

  test('when the refund does not divide evenly, then the shares add up to at most the refund and each stays within its gross', () => {
    for (const amount of [1, 2, 7, 999, 1001, 2999]) {
      const shares = refundShares(amount, [1000, 1000, 1000], 3000);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
      for (const s of shares) expect(s).toBeLessThanOrEqual(1000);
    }
  });

  test('when more than the order total is asked, then the shares are capped at the grosses', () => {
    expect(refundShares(10_000, [300, 200], 500)).toEqual([300, 200]);
  });
});

describe('refundLine', () => {
  test('when a share is taken back, then its gross, commission and net are the negated sale split', () => {
    expect(refundLine(1000, 1000)).toEqual({ gross: -1000, commission: -100, net: -900 });
    expect(refundLine(500, 500)).toEqual({ gross: -500, commission: -25, net: -475 });
  });
});
