// Rate limits as written in config: `600` (per minute), `600/min`, `10/s`, `5000/h`, or `off`.
const WINDOW_SECONDS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** A request budget: `points` requests per `windowSeconds`. */
export type Rate = { points: number; windowSeconds: number };

/** Parses a rate like `600/min` (a bare number is per minute); `off` → null (no limit); throws on anything else. */
export function parseRate(text: string): Rate | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off') return null;
  const match = /^(\d+)\s*(?:\/\s*([a-z]+))?$/.exec(trimmed);
  const windowSeconds = WINDOW_SECONDS[match?.[2] ?? 'min'];
  if (!match || !windowSeconds) throw new Error(`invalid rate "${text}" (expected e.g. 600, 600/min, 10/s, 5000/h, or off)`);
  const points = Number(match[1]);
  if (!Number.isSafeInteger(points) || points < 1) throw new Error(`rate "${text}" must allow at least one request`);
  return { points, windowSeconds };
}
