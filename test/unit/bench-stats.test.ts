import { ceiling, percentile, ratio, sustained } from '../../bench/stats.ts';

const step = (offered: number, achieved: number, p99: number) => ({ offered_per_s: offered, achieved_per_s: achieved, p99_ms: p99, failed: 0 });

describe('bench stats: percentiles and the ceiling of a ramp', () => {
  it('when samples are unsorted, then the P50 and P99 are taken by nearest rank over the sorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 0.5)).toBe(51);
    expect(percentile(samples, 0.99)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('when a step answers under 95 % of the offered rate or its P99 reaches 1 s, then it is not sustained', () => {
    expect(sustained(step(20, 19, 400))).toBe(true);
    expect(sustained(step(20, 18.9, 400))).toBe(false);
    expect(sustained(step(20, 20, 1000))).toBe(false);
    expect(sustained(step(20, 0, NaN))).toBe(false);
  });

  it('when a step fails, then the ceiling is the last sustained rate before it, even if a later step passes', () => {
    expect(ceiling([step(2, 2, 100), step(5, 5, 200), step(10, 6, 3000), step(15, 15, 300)])).toBe(5);
    expect(ceiling([step(2, 1, 2000)])).toBe(0);
    expect(ceiling([step(2, 2, 100), step(30, 29, 900)])).toBe(30);
  });

  it('when the baseline ceiling is 0, then the ratio is NaN rather than infinite', () => {
    expect(ratio(15, 20)).toBe(0.75);
    expect(ratio(5, 0)).toBeNaN();
  });
});
