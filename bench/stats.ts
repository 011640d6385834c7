// Pure helpers of the checkout measurements: percentiles, and the ceiling of an open-loop ramp.

/** The `q` quantile (0..1) of `samples` by the nearest-rank rule run.ts uses; NaN when there are none. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One step of a ramp: the rate offered, the rate answered successfully, and the P99 of the successful answers (ms). */
export type RampStep = { offered_per_s: number; achieved_per_s: number; p99_ms: number; failed: number };

/** Sustainable: P99 under `maxP99Ms` and at least `minShare` of the offered rate answered successfully. */
export function sustained(step: RampStep, maxP99Ms = 1000, minShare = 0.95): boolean {
  return Number.isFinite(step.p99_ms) && step.p99_ms < maxP99Ms && step.achieved_per_s >= minShare * step.offered_per_s;
}

/**
 * The highest offered rate sustained before the first step that is not (steps in increasing rate order): the ramp stops
 * there, since the backlog of an overloaded step spills into the next one. 0 when even the first step is not sustained.
 */
export function ceiling(steps: readonly RampStep[], maxP99Ms = 1000, minShare = 0.95): number {
  let best = 0;
  for (const step of steps) {
    if (!sustained(step, maxP99Ms, minShare)) break;
    best = step.offered_per_s;
  }
  return best;
}

/** `part` ÷ `whole` to three decimals; NaN when the whole is 0. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? NaN : +(part / whole).toFixed(3);
}
