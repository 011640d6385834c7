// Failed sign-ins per store and e-mail: SIGN_IN_FAILURE_LIMIT failures within SIGN_IN_FAILURE_WINDOW → 429 until the
// window ends. Each attempt takes a point in the shared `rate_limits` table atomically BEFORE the password is checked
// (so a burst of parallel guesses cannot all pass a read-only check), and a correct password gives it back: only
// failures stay counted. While PostgreSQL does not answer, a per-process memory count takes over.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../config/logger.ts';
import { RateLimitedError } from '../domain/errors.ts';

/** Counts sign-in attempts; only failed ones stay counted. */
export type SignInLimit = {
  /**
   * Takes one attempt for the e-mail before its password is checked: throws RateLimitedError (429, Retry-After) once
   * the e-mail has used up its failures in this window. Call `succeeded()` when the password was right.
   */
  attempt(tenantId: string, email: string): Promise<{ succeeded(): Promise<void> }>;
};

// The stored key: a hash, so the table never holds an e-mail address.
const keyOf = (tenantId: string, email: string) => createHash('sha256').update(`${tenantId}\n${email.trim().toLowerCase()}`).digest('base64url');

/** The limit on `pool` (the rate-limit store's `pg` pool), or in memory only when none is given (apps without a store). */
export function createSignInLimit(opts: { pool?: pg.Pool; points: number; windowMs: number; logger: Logger }): SignInLimit {
  const duration = Math.max(1, Math.ceil(opts.windowMs / 1000));
  const memory = new RateLimiterMemory({ keyPrefix: 'signin', points: opts.points, duration });
  const limiter: RateLimiterAbstract = opts.pool
    ? new RateLimiterPostgres({
        storeClient: opts.pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: 'signin',
        points: opts.points,
        duration,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async attempt(tenantId, email) {
      const key = keyOf(tenantId, email);
      try {
        await limiter.consume(key, 1);
      } catch (err) {
        // consume rejects with a RateLimiterRes once over the limit; anything else is the store failing.
        if (!(err instanceof RateLimiterRes)) {
          opts.logger.warn({ err }, 'sign-in limit store failed; not limiting this attempt');
          return { succeeded: async () => {} };
        }
        const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw Object.assign(new RateLimitedError(`too many failed sign-ins for this e-mail; retry in ${seconds} s`, { retry_after: seconds }), {
          retryAfterSeconds: seconds,
        });
      }
      return {
        succeeded: async () => {
          await limiter.reward(key, 1).catch((err: unknown) => opts.logger.warn({ err }, 'sign-in limit store failed; a good sign-in stays counted'));
        },
      };
    },
  };
}
