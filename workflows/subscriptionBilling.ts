// Subscription billing: charges each renewal off-session at the period end; a declined renewal starts dunning.
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, setHandler } from '@temporalio/workflow';
import type { BillingState } from '../db/queries/subscriptions.ts';
import type { RenewalResult } from '../activities/subscriptions.ts';
import { cancelSubscriptionUpdate, retrySubscriptionUpdate, statusQuery, updatePaymentMethodUpdate } from './definitions.ts';
import { acts, businessFailure, createLock, createNotifications, unwrapFailure } from './support.ts';
import type { SubscriptionBillingInput } from './types.ts';

const ENDED = ['cancelled', 'unpaid'];

/**
 * One per subscription (`subscription:<tenant>:<sub>`), continued-as-new after each paid period. A renewal is
 * attempt 1; each decline is recorded, notified and retried after the next delay of the dunning schedule
 * (`past_due` meanwhile); after the last, the subscription ends `cancelled` or `unpaid`. Gateway timeouts are
 * retried inside the activity with the same key and never count as attempts. Back office updates: retryNow,
 * updatePaymentMethod (charges at once when past due), cancel (no charge follows).
 */
export async function subscriptionBilling(input: SubscriptionBillingInput): Promise<string> {
  // Handlers are registered before the first await, so an update sent right after the start is never refused;
  // they wait for the state to load.
  let state: BillingState | undefined;
  const oneAtATime = createLock();
  const notifications = createNotifications();
  let chargeNow = false;
  let attemptsMade = 0;
  let cardUpdates = 0;
  const ended = () => state !== undefined && ENDED.includes(state.status);
  const whenLoaded = () => condition(() => state !== undefined);

  // Makes the current wait end now and returns once that attempt ran (the caller reads its outcome from the DB).
  const attemptNow = async () => {
    await whenLoaded();
    if (state!.status !== 'past_due') throw businessFailure('conflict', `only a past-due subscription can be retried now (it is ${state!.status})`);
    const target = attemptsMade + 1;
    chargeNow = true;
    await condition(() => attemptsMade >= target || ended());
  };

  setHandler(statusQuery, () => state?.status ?? 'loading');
  setHandler(retrySubscriptionUpdate, attemptNow, {
    validator: () => {
      if (state && state.status !== 'past_due') throw businessFailure('conflict', `only a past-due subscription can be retried now (it is ${state.status})`);
    },
  });
  setHandler(cancelSubscriptionUpdate, async ({ reason }: { reason: string }): Promise<void> => {
    await whenLoaded();
    await oneAtATime(async () => {
      if (ended()) return;
      state = await acts.endSubscription({ subscriptionId: input.subscriptionId, status: 'cancelled', reason });
      notifyEnded(reason);
    });
  }, {
    validator: (_args) => {
      if (ended()) throw businessFailure('conflict', `the subscription is already ${state!.status}`);
    },
  });
  setHandler(updatePaymentMethodUpdate, async ({ token }) => {
    await whenLoaded();
    await oneAtATime(async () => {
      try {
        await acts.updateSubscriptionCard({ subscriptionId: input.subscriptionId, token, requestNumber: ++cardUpdates });
      } catch (err) {
        throw unwrapFailure(err);
      }
    });
    if (state!.status === 'past_due') await attemptNow();
  }, {
    validator: ({ token }) => {
      if (ended()) throw businessFailure('conflict', `the subscription is ${state!.status}`);
      if (!token?.trim()) throw businessFailure('validation_failed', 'payment_token is required');
    },
  });

  state = await acts.loadSubscription({ subscriptionId: input.subscriptionId });
  try {
    if (ended()) return await finish();
    // Sleep until the period ends (a past-due run that was continued does not exist: we continue only after a paid period).
    await condition(() => ended(), Math.max(1, Date.parse(state!.current_period_end) - Date.now()));
    const schedule = input.dunning.retryScheduleMs;
    for (let attempt = 1; !ended(); attempt++) {
      chargeNow = false;
      const delay = schedule[attempt - 1];
      const nextAttemptAt = delay === undefined ? null : new Date(Date.now() + delay).toISOString();
      const period: number = state!.period;
      const outcome: RenewalResult | undefined = await oneAtATime(async () => (ended() ? undefined : acts.chargeRenewal({ subscriptionId: input.subscriptionId, period, attempt, nextAttemptAt })));
      attemptsMade++;
      if (!outcome) break;
      state = outcome.state;
      if (outcome.result === 'succeeded') {
        await condition(allHandlersFinished);
        await notifications.flush();
        return await continueAsNew<typeof subscriptionBilling>(input);
      }
      if (outcome.result === 'ended') break;
      notifications.send({
        tenantId: input.tenantId, to: input.email, template: 'subscription_payment_failed',
        data: { subscription_id: input.subscriptionId, attempt, decline_code: outcome.declineCode, amount: state!.amount, currency: state!.currency, next_attempt_at: nextAttemptAt },
      });
      if (delay === undefined) {
        state = await oneAtATime(() => acts.endSubscription({ subscriptionId: input.subscriptionId, status: input.dunning.exhaustedStatus, reason: `renewal failed ${attempt} times` }));
        notifyEnded('payment_failed');
        break;
      }
      await condition(() => chargeNow || ended(), delay);
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

  async function finish(): Promise<string> {
    await CancellationScope.nonCancellable(async () => {
      await condition(allHandlersFinished);
      await notifications.flush();
    });
    return state!.status;
  }

  function notifyEnded(reason: string): void {
    notifications.send({ tenantId: input.tenantId, to: input.email, template: 'subscription_cancelled', data: { subscription_id: input.subscriptionId, status: state!.status, reason } });
  }
}
