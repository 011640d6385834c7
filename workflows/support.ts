// Helpers shared by workflows: notifications, failure shaping, one-at-a-time handlers (each workflow proxies its own activities).
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  upsertSearchAttributes,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Notification } from '../domain/notification.ts';
import type { OrderActivities } from '../contracts/activities.ts';
import { OrderStatusKey } from '../contracts/search-attributes.ts';

/** Retry policy of a step that must happen and is idempotent: backoff up to 30 s, no attempt limit (business failures are never retried). */
export const RETRY_UNTIL_DONE = { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' } satisfies RetryPolicy;

/** Retry policy of a card-gateway call: idempotency keys make every retry safe; backoff up to 5 minutes so an outage is not hammered. */
export const GATEWAY_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } satisfies RetryPolicy;

/**
 * Timeouts of a step an operator's update waits on: short attempts, retried until done. No overall limit on purpose: these
 * steps commit before they answer, so giving up could leave the database changed and the workflow unaware (a confirmed
 * payment later expired, a shipped parcel never captured). The API stops waiting after PROCESS_ANSWER_TIMEOUT anyway.
 */
export const WHILE_OPERATOR_WAITS = { startToCloseTimeout: '15 seconds', retry: RETRY_UNTIL_DONE } as const;

// notifyCustomer: a bounded number of attempts; a notice is never worth holding up (or failing) the business step.
const notificationActs = proxyActivities<Pick<OrderActivities, 'notifyCustomer'>>({
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
      pending.push(
        CancellationScope.nonCancellable(() => notificationActs.notifyCustomer(message)).catch((err) => {
          log.warn('notification not sent', { template: message.template, error: String(unwrapFailure(err)) });
        }),
      );
    },
    async flush(): Promise<void> {
      await CancellationScope.nonCancellable(() => Promise.all(pending.splice(0)));
    },
  };
}

/** Customer notifications of one workflow run. */
export type Notifications = ReturnType<typeof createNotifications>;

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
  return <T>(body: () => Promise<T>): Promise<T> =>
    CancellationScope.nonCancellable(async () => {
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
