// Reservation expiry: sleeps until a cart's holds expire, releases them, ends when none are left.
import { condition, continueAsNew, setHandler } from '@temporalio/workflow';
import { cartClosedSignal, holdsChangedSignal, statusQuery } from './definitions.ts';
import { acts } from './support.ts';
import type { HoldsInput } from './types.ts';

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

  for (let pass = 0; pass < PASSES_BEFORE_CONTINUE_AS_NEW; pass++) {
    changed = false;
    const result = await acts.releaseExpiredCartHolds(input);
    if (closed) break;
    if (result.remaining === 0 && !changed) {
      status = 'no holds left';
      return status;
    }
    status = `holding until ${result.nextExpiryInMs ?? 0} ms from last check`;
    await condition(() => changed || closed, (result.nextExpiryInMs ?? 0) + GRACE_MS);
    if (closed) break;
  }
  if (closed) {
    status = 'cart closed';
    return status;
  }
  return continueAsNew<typeof reservationExpiry>(input);
}
