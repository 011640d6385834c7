// Payout rounding: integer-only, round half up, and commission + net always equals gross.
import { commissionFor, payoutLine } from '../../domain/payouts.ts';

/** The rule in BigInt, independent of the implementation's safe-integer fast path. */
const reference = (gross: number, bps: number) => Number((BigInt(gross) * BigInt(bps) + 5000n) / 10000n);

/** A seeded generator (mulberry32) so the property loop is the same on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('commissionFor', () => {
  test('when gross × rate is exactly half a minor unit, then the half goes up to the platform', () => {
    expect(commissionFor(5, 1000)).toBe(1);
    expect(commissionFor(15, 1000)).toBe(2);
    expect(commissionFor(25, 1000)).toBe(3);
    expect(commissionFor(1, 5000)).toBe(1);
    expect(commissionFor(10, 500)).toBe(1);
  });

  test('when gross × rate is just under half a minor unit, then it rounds down to the vendor', () => {
    expect(commissionFor(1, 4999)).toBe(0);
    expect(commissionFor(4, 1000)).toBe(0);
    expect(commissionFor(14, 1000)).toBe(1);
    expect(commissionFor(9999, 1)).toBe(1);
    expect(commissionFor(4999, 1)).toBe(0);
  });

  test('when the rate is 0 bps, then the commission is 0 for any amount', () => {
    for (const gross of [0, 1, 2, 999, 2000, 123_456_789, Number.MAX_SAFE_INTEGER]) expect(commissionFor(gross, 0)).toBe(0);
  });

  test('when the rate is 10000 bps, then the commission is the whole gross', () => {
    for (const gross of [0, 1, 2, 999, 2000, 123_456_789, Number.MAX_SAFE_INTEGER]) expect(commissionFor(gross, 10_000)).toBe(gross);
  });

  test('when the gross is 1 yen, then the commission is 1 from 5000 bps up and 0 below', () => {
    expect(commissionFor(1, 1)).toBe(0);
    expect(commissionFor(1, 1000)).toBe(0);
    expect(commissionFor(1, 4999)).toBe(0);
    expect(commissionFor(1, 5000)).toBe(1);
    expect(commissionFor(1, 9999)).toBe(1);
  });

  test('when the amounts of the mall example are used, then 10 % and 5 % of 2,000 JPY are 200 and 100', () => {
    expect(payoutLine(2000, 1000)).toEqual({ gross: 2000, commission: 200, net: 1800 });
    expect(payoutLine(2000, 500)).toEqual({ gross: 2000, commission: 100, net: 1900 });
  });

  test('when gross × rate exceeds 2^53, then the result is still exact', () => {
    const big = Number.MAX_SAFE_INTEGER; // 9007199254740991
    expect(commissionFor(big, 1)).toBe(900_719_925_474); // .0991 → down
    expect(commissionFor(big, 5000)).toBe(4_503_599_627_370_496); // .5 → up
    expect(commissionFor(big, 9999)).toBe(reference(big, 9999));
    expect(commissionFor(1_000_000_000_000_000, 1234)).toBe(123_400_000_000_000);
    expect(commissionFor(900_719_925_474_099, 10_000)).toBe(900_719_925_474_099);
    expect(payoutLine(big, 333)).toEqual({ gross: big, commission: reference(big, 333), net: big - reference(big, 333) });
  });

  test('when the gross or the rate is not a valid integer, then commissionFor throws', () => {
    expect(() => commissionFor(10.5, 1000)).toThrow(RangeError);
    expect(() => commissionFor(-1, 1000)).toThrow(/non-negative/);
    expect(() => commissionFor(Number.MAX_SAFE_INTEGER + 1, 1000)).toThrow(/safe integer/);
    expect(() => commissionFor(Number.NaN, 1000)).toThrow(RangeError);
    expect(() => commissionFor(100, -1)).toThrow(/basis points/);
    expect(() => commissionFor(100, 10_001)).toThrow(/basis points/);
    expect(() => commissionFor(100, 10.5)).toThrow(/basis points/);
  });

  test('when many (gross, rate) pairs are split, then commission + net === gross, 0 ≤ commission ≤ gross and the rule holds', () => {
    const next = random(20251123);
    const magnitudes = [10, 1_000, 100_000, 10_000_000, 1e12, Number.MAX_SAFE_INTEGER];
    const broken: { gross: number; bps: number; commission: number; net: number }[] = [];
    for (let i = 0; i < 20_000; i++) {
      const gross = Math.floor(next() * magnitudes[i % magnitudes.length]);
      const bps = i % 7 === 0 ? [0, 1, 4999, 5000, 9999, 10_000][i % 6] : Math.floor(next() * 10_001);
      const { commission, net } = payoutLine(gross, bps);
      // Within half a minor unit of the exact product, an exact half going up.
      const diff = BigInt(commission) * 10000n - BigInt(gross) * BigInt(bps);
      const ok =
        commission + net === gross &&
        commission >= 0 &&
        commission <= gross &&
        Number.isSafeInteger(commission) &&
        Number.isSafeInteger(net) &&
        commission === reference(gross, bps) &&
        diff > -5000n &&
        diff <= 5000n;
      if (!ok) broken.push({ gross, bps, commission, net });
    }
    expect(broken).toEqual([]);
  });
});
