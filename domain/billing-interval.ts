// Subscription billing intervals: fixed (`5s`, `7d`) or calendar (`1mo`, `1y`), and period ends from an anchor.
import { parseDuration } from './duration.ts';

/** A parsed billing interval: fixed milliseconds, or whole calendar months (a year is 12). */
export type BillingInterval = { kind: 'fixed'; ms: number } | { kind: 'calendar'; months: number };

/** Parses `1mo`, `3mo`, `1y`, or any config duration (`30d`, `5s`); throws on anything else. */
export function parseBillingInterval(text: string): BillingInterval {
  const calendar = /^\s*(\d+)\s*(mo|y)\s*$/.exec(text);
  if (calendar) {
    const count = Number(calendar[1]);
    if (count <= 0) throw new Error(`billing interval "${text}" must be positive`);
    return { kind: 'calendar', months: calendar[2] === 'y' ? count * 12 : count };
  }
  try {
    return { kind: 'fixed', ms: parseDuration(text) };
  } catch {
    throw new Error(`invalid billing interval "${text}" (expected e.g. 1mo, 1y, 7d, 5s)`);
  }
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
  if (!Number.isInteger(period) || period < 1) throw new Error(`period must be a positive integer, got ${period}`);
  if (interval.kind === 'fixed') return new Date(anchor.getTime() + interval.ms * period);
  const totalMonths = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + interval.months * period;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  return new Date(Date.UTC(year, month, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}
