// Business failures cross Temporal as non-retryable ApplicationFailures typed by the domain error code.
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors.ts';
import { translateDbError } from '../db/errors.ts';

/** Runs an activity body; domain and constraint errors become non-retryable failures, anything else is retried. */
export async function asActivity<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const domain = err instanceof DomainError ? err : translateDbError(err);
    if (domain) throw ApplicationFailure.create({ message: domain.message, type: domain.code, nonRetryable: true, details: domain.details ? [domain.details] : [] });
    throw err;
  }
}
