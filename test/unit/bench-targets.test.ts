import { judgeTargets, type BenchFigures } from '../../bench/targets.ts';
import { cpuTimes, postgresCpuBetween } from '../../bench/process-cpu.ts';

/** Figures that meet every target of DESIGN.md §9, with `overrides`. */
function buildFigures(overrides: Partial<BenchFigures> = {}): BenchFigures {
  return {
    baselineRps: 20_000,
    products: { rps50: 8000, p50At1: 1 },
    search: { rps50: 900, p50At1: 4 },
    firstHolds: { rps: 800, p99: 40 },
    moreHolds: { rps: 1500, p99: 20 },
    checkoutAt20: { rate_per_s: 20, failed: 0, p50: 40, p99: 150 },
    ceilings: { checkout_per_s: 20, one_activity_per_s: 20 },
    guest: { p50: 80, p99: 250 },
    apiIdleRssMb: 80,
    workerIdleRssMb: 200,
    workerPeakRssUnderCheckoutMb: 280,
    apiReadyMs: 900,
    importSeconds: 30,
    ...overrides,
  };
}

const missed = (f: BenchFigures) =>
  judgeTargets(f)
    .filter((t) => !t.met)
    .map((t) => t.target);

describe('bench targets (DESIGN.md §9)', () => {
  it('when every figure is inside its bar, then every target is met, and there is one per row of §9', () => {
    expect(missed(buildFigures())).toEqual([]);
    expect(judgeTargets(buildFigures())).toHaveLength(19);
  });

  it('when the product list is under 0.3 x the baseline, then only that target is missed and its ratio is printed', () => {
    const results = judgeTargets(buildFigures({ products: { rps50: 5000, p50At1: 1 } }));
    expect(results.filter((t) => !t.met).map((t) => t.measured)).toEqual(['0.250 x (5000 vs 20000 req/s)']);
  });

  it('when the further holds miss their rate with their CPU measured, then the miss says what rate that CPU allows', () => {
    const results = judgeTargets(buildFigures({ moreHolds: { rps: 404, p99: 20, cpuCapPerS: 410.5 } }));
    expect(results.filter((t) => !t.met).map((t) => t.measured)).toEqual(['404/s (CPU per add caps the cores at 410.5/s)']);
  });

  it('when checkouts failed at 20/s, then "sustained" is missed even with fast answers', () => {
    expect(missed(buildFigures({ checkoutAt20: { rate_per_s: 20, failed: 1, p50: 40, p99: 150 } }))).toEqual(['checkout offered at 20/s sustained = offered']);
  });

  it('when the checkout ceiling is under 0.75 x the one-activity ceiling, then the ceiling target is missed', () => {
    expect(missed(buildFigures({ ceilings: { checkout_per_s: 10, one_activity_per_s: 15 } }))).toEqual([
      'checkout ceiling >= 0.75 x one-activity workflow ceiling',
    ]);
  });

  it('when the ceiling misses with the CPU of both measured, then the miss says how many one-activity workflows a checkout costs', () => {
    const results = judgeTargets(buildFigures({ ceilings: { checkout_per_s: 10, one_activity_per_s: 20, checkoutCpuTimes: 2.5 } }));
    expect(results.filter((t) => !t.met).map((t) => t.measured)).toEqual([
      '0.500 x (10/s vs 20/s) (a checkout costs the CPU of 2.5 one-activity workflows: about 0.40 x on shared cores)',
    ]);
  });

  it('when a memory figure could not be taken, then its target is missed, not assumed met', () => {
    expect(missed(buildFigures({ workerPeakRssUnderCheckoutMb: null }))).toEqual(['worker RSS <= 300 MB under the checkout load']);
  });
});

describe('bench CPU comparison', () => {
  it('when a checkout used 150 ms of CPU and a one-activity workflow 60 ms, then it costs 2.5 of them; against nothing measured, 0', () => {
    const cpu = (temporal: number, worker: number, api = 0, postgres = 0) => ({ temporal, worker, api, postgres });
    expect(cpuTimes(cpu(55, 65, 6, 24), cpu(35, 25))).toBe(2.5);
    expect(cpuTimes(cpu(55, 65), cpu(0, 0))).toBe(0);
  });

  it('when a busy PostgreSQL backend ends between two readings, then it lowers nothing, and a backend started since counts from its start', () => {
    const before = new Map([
      [10, 5_000],
      [11, 40_000],
    ]);
    const after = new Map([
      [10, 5_300],
      [12, 120],
    ]);
    expect(postgresCpuBetween(before, after)).toBe(420);
  });
});
