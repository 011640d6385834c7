// Business failures cross Temporal as non-retryable ApplicationFailures typed by the domain error code; so do programming
// errors (typed `internal_error`), which no retry can fix. Everything else (network, database) is retried.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, INTERNAL_FAILURE_TYPE } from '../domain/errors.ts';
import { isDbProgrammingError, translateDbError } from '../db/errors.ts';

const PROGRAMMING_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError];

/**
 * True for a bug in our code or data (TypeError, RangeError, SyntaxError, ReferenceError, an invalid date, SQL that
 * cannot run or rows off their schema), not an outage.
 */
export function isProgrammingError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (isDbProgrammingError(err)) return true;
  // fetch() reports network failures as `TypeError: fetch failed` with the system error as cause: an outage, retried.
  const cause = err.cause as { code?: unknown } | undefined;
  if (err instanceof TypeError && (err.message === 'fetch failed' || typeof cause?.code === 'string')) return false;
  return PROGRAMMING_ERRORS.some((type) => err instanceof type) || /invalid (time value|date)/i.test(err.message);
}

function logProgrammingError(err: Error): string {
  let activity = 'activity';
  try {
    const context = Context.current();
    activity = context.info.activityType;
    context.log.error(`${activity} failed on a programming error; not retried`, { error: String(err), stack: err.stack });
  } catch {
    // Outside an activity (a direct call in a test): nothing to log to, the failure still says what happened.
  }
  return activity;
}

/**
 * Runs an activity body; domain and constraint errors become non-retryable failures typed by their code, programming
 * errors non-retryable `internal_error` failures (logged with their stack), anything else is retried.
 */
export async function asActivity<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    const domain = err instanceof DomainError ? err : translateDbError(err);
    if (domain)
      throw ApplicationFailure.create({ message: domain.message, type: domain.code, nonRetryable: true, details: domain.details ? [domain.details] : [] });
    if (isProgrammingError(err)) {
      const activity = logProgrammingError(err);
      throw ApplicationFailure.create({
        message: `${activity} failed: ${err.name}: ${err.message}`,
        type: INTERNAL_FAILURE_TYPE,
        nonRetryable: true,
        cause: err,
      });
    }
    throw err;
  }
}

type ActivityFn = (...args: never[]) => Promise<unknown>;

/** Wraps every activity of a set in asActivity, so none can retry a programming error forever (whoever wrote it). */
export function allAsActivities<T extends Record<string, ActivityFn>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, (...args: never[]) => asActivity(() => fn(...args))])) as T;
}
