// Durations as written in config: 500ms, 2s, 15m, 72h, 7d.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration like `15m` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) throw new Error(`invalid duration "${text}" (expected e.g. 500ms, 2s, 15m, 72h, 7d)`);
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2]]);
  if (ms <= 0) throw new Error(`duration "${text}" must be positive`);
  return ms;
}

/** Parses a comma-separated list of durations such as `1d,3d,5d,7d`. */
export function parseDurationList(text: string): number[] {
  return text.split(',').map((part) => parseDuration(part));
}
