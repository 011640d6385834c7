// Dunning: when a declined subscription renewal is tried again, and when the schedule is used up.

/** The wait announced to the customer before the next attempt (null: no further attempt is scheduled). */
export function retryDelayMs(scheduleMs: readonly number[], attempt: number): number | null {
  return scheduleMs[attempt - 1] ?? null;
}

/**
 * What follows a declined attempt (1-based): a soft decline waits the next delay of the schedule; a hard decline is
 * never retried on the same card, so it waits out all that is left of the schedule for a card update. `exhausted`:
 * no delay was left, the subscription ends now.
 */
export function dunningWait(scheduleMs: readonly number[], attempt: number, hard: boolean): { waitMs: number; exhausted: boolean } {
  const left = scheduleMs.slice(attempt - 1);
  if (left.length === 0) return { waitMs: 0, exhausted: true };
  return { waitMs: hard ? left.reduce((a, b) => a + b, 0) : left[0]!, exhausted: false };
}
