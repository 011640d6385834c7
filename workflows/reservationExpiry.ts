// Reservation expiry: sleeps until a cart's holds expire, releases them, ends when none are left.
import { condition, continueAsNew, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { cartClosedSignal, holdsChangedSignal, statusQuery } from '../contracts/definitions.ts';
import type { HoldActivities } from '../contracts/activities.ts';
import { RETRY_UNTIL_DONE } from './support.ts';
import type { HoldsInput } from '../contracts/workflows.ts';

// releaseExpiredCartHolds: releases only holds still held and expired (safe to repeat); stock must go back, so no attempt limit.
const acts = proxyActivities<Pick<HoldActivities, 'releaseExpiredCartHolds'>>({ startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE });

// Timers fire a little after the database says the hold expired, so the release always finds it.
const GRACE_MS = 200;
const PASSES_BEFORE_CONTINUE_AS_NEW = 200;

/** One per cart (`holds:<tenant>:<cart>`), signal-with-started by the API on every cart change. */
export async function reservationExpiry(input: HoldsInput): Promise<string> {
  let changed = false;
  let closed = false;
  let status = 'watching';
  setHandler(holdsChangedSignal, () => void (changed = true));
  setHandler(cartClosedSignal, () => void (closed = true));
  setHandler(statusQuery, () => status);

  // Started with the first holds' expiry (newer API), nothing can have expired yet: the first pass sleeps until then
  // instead of asking the database, one activity and one workflow task fewer per cart. Runs recorded before the
  // `first-pass-sleeps` patch, and a continued run (no expiry in its input), ask first.
  let sleepFirst = input.holdExpiresAt && patched('first-pass-sleeps') ? Math.max(0, Date.parse(input.holdExpiresAt) - Date.now()) : null;
  for (let pass = 0; pass < PASSES_BEFORE_CONTINUE_AS_NEW; pass++) {
    changed = false;
    let waitMs = sleepFirst ?? 0;
    if (sleepFirst === null) {
      const result = await acts.releaseExpiredCartHolds(input);
      if (closed) break;
      if (result.remaining === 0 && !changed) {
        status = 'no holds left';
        return status;
      }
      waitMs = result.nextExpiryInMs ?? 0;
    }
    sleepFirst = null;
    status = `holding until ${waitMs} ms from last check`;
    await condition(() => changed || closed, waitMs + GRACE_MS);
    if (closed) break;
  }
  if (closed) {
    status = 'cart closed';
    return status;
  }
  return continueAsNew<typeof reservationExpiry>({ tenantId: input.tenantId, cartId: input.cartId });
}
