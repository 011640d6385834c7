// Helpers shared by workflows: activity proxies, failure shaping, one-at-a-time handlers.
import { ActivityFailure, allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Notification } from '../providers/notifications/notifier.ts';
import type { Activities } from '../activities/index.ts';
import { OrderStatusKey } from './search-attributes.ts';

/** Activities with the house retry policy: infrastructure errors retried with backoff, business failures not. */
export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const notificationActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

/**
 * Customer notifications that never hold up a business step: `send` returns at once (a failing e-mail
 * provider is retried a bounded number of times, then logged); `flush` before the workflow ends.
 */
export function createNotifications() {
  const pending: Promise<void>[] = [];
  return {
    send(message: Notification): void {
      pending.push(CancellationScope.nonCancellable(() => notificationActs.notifyCustomer(message)).catch((err) => {
        log.warn('notification not sent', { template: message.template, error: String(unwrapFailure(err)) });
      }));
    },
    async flush(): Promise<void> {
      await CancellationScope.nonCancellable(() => Promise.all(pending.splice(0)));
    },
  };
}

/** Waits for running update handlers before a cancelled workflow ends, so no update is cut off midway. */
export async function rethrowAfterHandlers(err: unknown): Promise<never> {
  if (isCancellation(err)) await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  throw err;
}

/** A business failure to send back to the API, typed by the domain error code. */
export function businessFailure(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

/** The ApplicationFailure behind an activity failure, so update callers see the business code. */
export function unwrapFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err;
}

/**
 * Runs update handlers one at a time, so concurrent updates see each other's effects. Bodies are
 * non-cancellable: an accepted update finishes its work even if an operator asked to cancel the workflow.
 */
export function createLock() {
  let busy = false;
  return <T>(body: () => Promise<T>): Promise<T> => CancellationScope.nonCancellable(async () => {
    await condition(() => !busy);
    busy = true;
    try {
      return await body();
    } finally {
      busy = false;
    }
  });
}

/** Keeps the OrderStatus search attribute current for ops. */
export function publishOrderStatus(status: string): void {
  upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
}
