import { ApplicationFailure } from '@temporalio/common';
import { SchemaValidationError } from 'slonik';
import { allAsActivities, asActivity } from '../../activities/errors.ts';
import { ConflictError } from '../../domain/errors.ts';

const failureOf = (err: unknown) =>
  asActivity(async () => {
    throw err;
  }).then(
    () => null,
    (thrown: unknown) => thrown,
  );

describe('asActivity: what is retried and what is not', () => {
  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a RangeError (invalid date)',
      (() => {
        try {
          new Date(NaN).toISOString();
        } catch (err) {
          return err;
        }
      })(),
    ],
    ['a SyntaxError', new SyntaxError('Unexpected token < in JSON')],
    ['a ReferenceError', new ReferenceError('x is not defined')],
    ['an "Invalid date" message', new Error('Invalid date in period end')],
    ['a row off its schema', new SchemaValidationError({ sql: 'SELECT 1 AS id', values: [] }, { id: 1 }, [{ message: 'Expected string' }])],
  ])('when the body throws %s, then it becomes a non-retryable internal_error naming the error', async (_what, err) => {
    const failure = await failureOf(err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'internal_error', nonRetryable: true, message: expect.stringContaining((err as Error).message) });
    expect((failure as ApplicationFailure).cause).toBe(err);
  });

  it('when the body throws a domain error, then it stays a non-retryable failure typed by its code', async () => {
    expect(await failureOf(new ConflictError('already paid'))).toMatchObject({ type: 'conflict', nonRetryable: true, message: 'already paid' });
  });

  it('when the body hits an outage (network, fetch failed, its own retryable failure), then the error is left to Temporal retries', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(await failureOf(reset)).toBe(reset);
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(await failureOf(fetchFailed)).toBe(fetchFailed);
    const retryable = ApplicationFailure.retryable('webhook answered HTTP 500', 'webhook_http_error');
    expect(await failureOf(retryable)).toBe(retryable);
  });

  it('when a set of activities is wrapped, then each keeps its result and gets the same classification', async () => {
    const wrapped = allAsActivities({ ok: async (n: number) => n + 1, broken: async () => (undefined as unknown as { x: number }).x });
    expect(await wrapped.ok(1)).toBe(2);
    await expect(wrapped.broken()).rejects.toMatchObject({ type: 'internal_error', nonRetryable: true, message: expect.stringMatching(/TypeError/) });
  });
});
