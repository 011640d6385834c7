// Failed sign-ins per store and e-mail: SIGN_IN_FAILURE_LIMIT failures within SIGN_IN_FAILURE_WINDOW → 429 until the
// window ends. Only failures count, and each one is written to the shared `rate_limits` table at once (failures are
// rare), so the limit holds across API processes; while PostgreSQL does not answer, a per-process memory count takes over.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../config/logger.ts';
import { RateLimitedError } from '../domain/errors.ts';

/** Checks and records failed sign-ins. */
export type SignInLimit = {
  /** Throws RateLimitedError (429, Retry-After) when the e-mail has used up its failures in this window. */
  check(tenantId: string, email: string): Promise<void>;
  /** Counts one failure. */
  fail(tenantId: string, email: string): Promise<void>;
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
    async check(tenantId, email) {
      const res = await limiter.get(keyOf(tenantId, email)).catch((err: unknown) => {
        opts.logger.warn({ err }, 'sign-in limit store failed; not limiting this attempt');
        return null;
      });
      if (res && res.consumedPoints >= opts.points) {
        const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw Object.assign(new RateLimitedError(`too many failed sign-ins for this e-mail; retry in ${seconds} s`, { retry_after: seconds }), {
          retryAfterSeconds: seconds,
        });
      }
    },
    async fail(tenantId, email) {
      // consume rejects with a RateLimiterRes once over the limit: that is the expected outcome, not an error.
      await limiter.consume(keyOf(tenantId, email), 1).catch((err: unknown) => {
        if (!(err instanceof RateLimiterRes)) opts.logger.warn({ err }, 'sign-in limit store failed; this failure was not counted');
      });
    },
  };
}
