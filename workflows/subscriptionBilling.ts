// Subscription billing: charges each renewal off-session at the period end; a declined renewal starts dunning.
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import { dunningWait, retryDelayMs } from '../domain/dunning.ts';
import { isSubscriptionEnded } from '../domain/subscription.ts';
import type { BillingState, RenewalResult, SubscriptionActivities } from '../contracts/activities.ts';
import { cancelSubscriptionUpdate, retrySubscriptionUpdate, statusQuery, updatePaymentMethodUpdate } from '../contracts/definitions.ts';
import { businessFailure, createLock, createNotifications, GATEWAY_RETRY, RETRY_UNTIL_DONE, unwrapFailure, WHILE_OPERATOR_WAITS } from './support.ts';
import type { SubscriptionBillingInput, SubscriptionCancelArgs } from '../contracts/workflows.ts';
import type { Actor } from '../contracts/audit.ts';

// loadSubscription, endSubscription: a read and a conditional status change (safe to repeat) that must happen; no attempt limit.
const { loadSubscription, endSubscription } = proxyActivities<Pick<SubscriptionActivities, 'loadSubscription' | 'endSubscription'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
// chargeRenewal: keyed per subscription, period and attempt, so a gateway timeout is retried here with the same key and
// never counts as a dunning attempt (declines are results, not failures).
const { chargeRenewal } = proxyActivities<Pick<SubscriptionActivities, 'chargeRenewal'>>({ startToCloseTimeout: '15 seconds', retry: GATEWAY_RETRY });
// updateSubscriptionCard: keyed by the request; the back office waits on the updatePaymentMethod update.
const { updateSubscriptionCard } = proxyActivities<Pick<SubscriptionActivities, 'updateSubscriptionCard'>>(WHILE_OPERATOR_WAITS);
const acts = { loadSubscription, endSubscription, chargeRenewal, updateSubscriptionCard };

/**
 * One per subscription (`subscription:<tenant>:<sub>`), continued-as-new after each paid period. A renewal is
 * attempt 1; each soft decline is recorded, notified and retried after the next delay of the dunning schedule
 * (`past_due` meanwhile); after the last, the subscription ends `cancelled` or `unpaid`. A hard decline is not
 * retried on the same card: the customer has what was left of the schedule to update it. Gateway timeouts are
 * retried inside the activity with the same key and never count as attempts. Back office updates: retryNow,
 * updatePaymentMethod (charges at once when past due), cancel (no charge follows).
 */
export async function subscriptionBilling(input: SubscriptionBillingInput): Promise<string> {
  // Handlers are registered before the first await, so an update sent right after the start is never refused.
  let state: BillingState | undefined;
  const oneAtATime = createLock();
  const notifications = createNotifications();
  // The dunning wait is cut short (retry now, a new card); a charge is in flight; how many charges ran in this run.
  let chargeNow = false;
  let charging = false;
  let attemptsMade = 0;
  // Who asked for the next attempt now (retryNow): the attempt's audit entry names them.
  let retryActor: Actor | undefined;
  const ended = () => state !== undefined && isSubscriptionEnded(state.status);
  const settled = () => state !== undefined && !charging;

  /**
   * Waits out an attempt in flight (its outcome decides whether the subscription is past due); when it is past due,
   * ends the dunning wait now and returns once that attempt ran. The caller reads the outcome from the database.
   */
  const attemptNow = async (requireMissedPayment: boolean, actor?: Actor) => {
    await condition(settled);
    if (ended()) throw businessFailure('conflict', `the subscription is ${state!.status}`);
    if (state!.status !== 'past_due') {
      if (requireMissedPayment) throw businessFailure('conflict', `only a past-due subscription can be retried now (it is ${state!.status})`);
      return;
    }
    const target = attemptsMade + 1;
    // Two retries asked before the charge runs share it: it is recorded under the first who asked.
    retryActor ??= actor;
    chargeNow = true;
    await condition(() => attemptsMade >= target || ended());
  };

  setHandler(statusQuery, () => state?.status ?? 'loading');
  setHandler(retrySubscriptionUpdate, (args) => attemptNow(true, args?.actor), {
    validator: (_args) => {
      if (ended()) throw businessFailure('conflict', `the subscription is ${state!.status}`);
      if (settled() && state!.status !== 'past_due')
        throw businessFailure('conflict', `only a past-due subscription can be retried now (it is ${state!.status})`);
    },
  });
  setHandler(
    cancelSubscriptionUpdate,
    async ({ reason, actor }: SubscriptionCancelArgs): Promise<void> => {
      await condition(() => state !== undefined);
      await oneAtATime(async () => {
        if (ended()) return;
        state = await acts.endSubscription({ subscriptionId: input.subscriptionId, status: 'cancelled', reason, ...(actor ? { actor } : {}) });
        notifyEnded(reason);
      });
    },
    {
      validator: (_args) => {
        if (ended()) throw businessFailure('conflict', `the subscription is already ${state!.status}`);
      },
    },
  );
  setHandler(
    updatePaymentMethodUpdate,
    async ({ token, actor }) => {
      await condition(() => state !== undefined);
      // A fresh key per request: the same card update replayed by Temporal keeps its key, a new one never reuses it.
      const requestKey = uuid4();
      await oneAtATime(async () => {
        try {
          await acts.updateSubscriptionCard({ subscriptionId: input.subscriptionId, token, requestKey, ...(actor ? { actor } : {}) });
        } catch (err) {
          throw unwrapFailure(err);
        }
      });
      await attemptNow(false);
    },
    {
      validator: ({ token }) => {
        if (ended()) throw businessFailure('conflict', `the subscription is ${state!.status}`);
        if (!token?.trim()) throw businessFailure('validation_failed', 'payment_token is required');
      },
    },
  );

  // The period ends, the renewal is charged; a decline starts dunning: notify, wait, charge again, or give up.
  try {
    state = await acts.loadSubscription({ subscriptionId: input.subscriptionId });
    if (ended()) return await finish();
    await condition(ended, Math.max(1, Date.parse(state.current_period_end) - Date.now()));
    for (let attempt = 1; !ended(); attempt++) {
      const outcome = await chargeRenewal(attempt);
      if (!outcome || outcome.result === 'ended') break;
      state = outcome.state;
      if (outcome.result === 'succeeded') return await startNextPeriod();
      notifyDeclined(attempt, outcome);
      const next = await waitForNextAttempt(attempt, outcome.hard);
      if (next === 'ended') break;
      if (next === 'give up') {
        state = await oneAtATime(() =>
          acts.endSubscription({ subscriptionId: input.subscriptionId, status: input.dunning.exhaustedStatus, reason: 'payment_failed' }),
        );
        notifyEnded('payment_failed');
        break;
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // An operator cancelling the workflow (or the order being cancelled) ends the subscription for good.
    await CancellationScope.nonCancellable(async () => {
      state = await oneAtATime(() => acts.endSubscription({ subscriptionId: input.subscriptionId, status: 'cancelled', reason: 'billing workflow cancelled' }));
      notifyEnded('cancelled_by_operator');
    });
  }
  return await finish();

  /** One attempt to charge this period (none once the subscription ended); undefined when it was not made. */
  async function chargeRenewal(attempt: number): Promise<RenewalResult | undefined> {
    chargeNow = false;
    charging = true;
    const period: number = state!.period;
    const actor = retryActor;
    retryActor = undefined;
    try {
      return await oneAtATime(async () =>
        ended()
          ? undefined
          : acts.chargeRenewal({
              subscriptionId: input.subscriptionId,
              period,
              attempt,
              retryInMs: retryDelayMs(input.dunning.retryScheduleMs, attempt),
              ...(actor ? { actor } : {}),
            }),
      );
    } finally {
      charging = false;
      attemptsMade++;
    }
  }

  /**
   * After a decline: a soft one waits the next delay of the dunning schedule; a hard one is never retried on the same
   * card, so a card update (or retry now) within what was left of the schedule brings the next attempt, or it gives up.
   */
  async function waitForNextAttempt(attempt: number, hard: boolean): Promise<'retry' | 'ended' | 'give up'> {
    const { waitMs, exhausted } = dunningWait(input.dunning.retryScheduleMs, attempt, hard);
    const woken = waitMs > 0 && (await condition(() => chargeNow || ended(), waitMs));
    if (ended()) return 'ended';
    return exhausted || (hard && !woken) ? 'give up' : 'retry';
  }

  /** The period is paid: the next one starts in a fresh run. */
  async function startNextPeriod(): Promise<never> {
    await notifications.flush();
    // Nothing may be awaited between this check and continuing as new, or an accepted update could be cut off.
    await condition(allHandlersFinished);
    return continueAsNew<typeof subscriptionBilling>(input);
  }

  function notifyDeclined(attempt: number, outcome: Extract<RenewalResult, { result: 'failed' }>): void {
    notifications.send({
      tenantId: input.tenantId,
      to: input.email,
      template: 'subscription_payment_failed',
      data: {
        subscription_id: input.subscriptionId,
        attempt,
        decline_code: outcome.declineCode,
        amount: state!.amount,
        currency: state!.currency,
        next_attempt_at: state!.next_attempt_at,
        card_update_required: outcome.hard,
      },
    });
  }

  async function finish(): Promise<string> {
    await CancellationScope.nonCancellable(async () => {
      await notifications.flush();
      await condition(allHandlersFinished);
    });
    return state!.status;
  }

  function notifyEnded(reason: string): void {
    notifications.send({
      tenantId: input.tenantId,
      to: input.email,
      template: 'subscription_cancelled',
      data: { subscription_id: input.subscriptionId, status: state!.status, reason },
    });
  }
}
