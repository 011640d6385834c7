// Subscription billing intervals: fixed (`7d`, `5s` in tests) or calendar (`1mo`, `1y`), bounded, and period ends from an anchor.
import { parseDuration } from './duration.ts';

/** A parsed billing interval: fixed milliseconds, or whole calendar months (a year is 12). */
export type BillingInterval = { kind: 'fixed'; ms: number } | { kind: 'calendar'; months: number };

const DAY_MS = 86_400_000;
/** Bounds of a billing interval: a day to a year (a year is 12 months or 365 days); a second when short ones are allowed. */
const BILLING_INTERVAL_BOUNDS = { minMs: DAY_MS, minShortMs: 1_000, maxMonths: 12, maxFixedMs: 365 * DAY_MS } as const;

/**
 * Parses `1mo`, `3mo`, `1y`, or any config duration (`30d`, `5s`) between a day and a year; below a day only with
 * `allowShort` (tests, demos), never below a second. Throws a RangeError on anything else: an interval out of
 * these bounds cannot be billed (its period ends would be invalid dates), and nothing should retry it.
 */
export function parseBillingInterval(text: string, { allowShort = false }: { allowShort?: boolean } = {}): BillingInterval {
  const calendar = /^\s*(\d+)\s*(mo|y)\s*$/.exec(text);
  if (calendar) {
    const count = Number(calendar[1]);
    if (count <= 0) throw new RangeError(`billing interval "${text}" must be positive`);
    const months = calendar[2] === 'y' ? count * 12 : count;
    if (months > BILLING_INTERVAL_BOUNDS.maxMonths) throw new RangeError(`billing interval "${text}" is longer than a year (at most 1y, 12mo or 365d)`);
    return { kind: 'calendar', months };
  }
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new RangeError(`invalid billing interval "${text}" (expected e.g. 1mo, 1y, 7d)`);
  }
  if (ms > BILLING_INTERVAL_BOUNDS.maxFixedMs) throw new RangeError(`billing interval "${text}" is longer than a year (at most 1y, 12mo or 365d)`);
  const min = allowShort ? BILLING_INTERVAL_BOUNDS.minShortMs : BILLING_INTERVAL_BOUNDS.minMs;
  if (ms < min) throw new RangeError(`billing interval "${text}" is shorter than ${allowShort ? 'a second' : 'a day (at least 1d)'}`);
  return { kind: 'fixed', ms };
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * End of the `period`-th billing period (1-based) of a subscription anchored at `anchor`. Calendar intervals
 * count months from the anchor, never from the previous end, so 31 Jan → 28/29 Feb → 31 Mar (clamped to the
 * month's last day, then back to the anchor's day). Times of day stay those of the anchor (UTC).
 */
export function periodEnd(anchor: Date, interval: BillingInterval, period: number): Date {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, got ${period}`);
  if (interval.kind === 'fixed') return valid(new Date(anchor.getTime() + interval.ms * period));
  const totalMonths = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + interval.months * period;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return valid(new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds())));
}

// Past year 275760 a Date is invalid: say so here rather than let an `Invalid time value` surface far away.
function valid(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new RangeError('the billing period ends at an invalid date (interval or period too large)');
  return date;
}
