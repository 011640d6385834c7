// Rate limits of /store (per publishable key + client address) and /admin, /vendor (per credential), held across
// API processes in PostgreSQL through rate-limiter-flexible, counted in batches (api/batched-limiter.ts).
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import type { Rate } from '../domain/rate.ts';
import { RateLimitedError } from '../domain/errors.ts';
import { BatchedLimiter, type Decision } from './batched-limiter.ts';
import { createSignInLimit, type SignInLimit } from './sign-in-limit.ts';

/** The two limit middlewares, the failed sign-in limit, and what closes their store. */
export type RateLimits = { store: RequestHandler; admin: RequestHandler; signIn: SignInLimit; close(): Promise<void> };

const TABLE = 'rate_limits';
const pass: RequestHandler = (_req, _res, next) => next();

/** The stored key of a limit (after its `store:`/`admin:` prefix): hashed, so the store never holds a credential and any header fits varchar(255). */
export function rateLimitKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

// Publishable keys are public (they ship in storefront code): kept as they are in memory, hashed only when
// written, which keeps hashing off the hot path of catalog reads. A header far longer than a real key is hashed.
function storeKey(req: Request): string {
  const key = req.get('x-publishable-key') ?? '';
  return key.length <= 128 ? `${key}\n${req.ip ?? ''}` : rateLimitKey(key, req.ip ?? '');
}

// Credentials are hashed at once: the process never keeps a bearer key (admin traffic is light enough to pay for it).
function adminKey(req: Request): string {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  // Without a credential the caller is known only by its address.
  return bearer ? rateLimitKey('bearer', bearer) : rateLimitKey('address', req.ip ?? '');
}

function refuse(res: Response, next: NextFunction, waitMs: number, why: string): void {
  const seconds = Math.max(Math.ceil(waitMs / 1000), 1);
  res.setHeader('Retry-After', String(seconds));
  next(new RateLimitedError(`${why}; retry in ${seconds} s`));
}

/**
 * A credential bucket exists for whatever key a caller sends, so a caller inventing a new key per request would
 * never reach a limit: every 401 also counts against the client address (`failures`), and an address over that
 * limit is refused before its credential is even looked at.
 */
function middleware(limiter: BatchedLimiter, keyOf: (req: Request) => string, failures: BatchedLimiter | null): RequestHandler {
  return (req, res, next) => {
    // CORS preflights carry no credentials and must stay free (browsers send one before many requests).
    if (req.method === 'OPTIONS') return next();
    if (failures) {
      const address = `address\n${req.ip ?? ''}`;
      const wait = failures.blockedFor(address);
      if (wait > 0) return refuse(res, next, wait, 'too many requests with unknown credentials from this address');
      res.once('finish', () => {
        if (res.statusCode === 401) failures.take(address);
      });
    }
    const d: Decision = limiter.take(keyOf(req));
    const resetSeconds = Math.ceil(d.resetMs / 1000);
    res.setHeader('RateLimit-Limit', String(d.limit));
    res.setHeader('RateLimit-Remaining', String(d.remaining));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (d.allowed) return next();
    refuse(res, next, d.resetMs, 'too many requests');
  };
}

/** One limiter: batched counts in PostgreSQL (`rate_limits`, keys under `keyPrefix`), insured by an in-memory limiter. */
export function createSharedLimiter(
  pool: pg.Pool,
  rate: Rate,
  opts: { keyPrefix: string; syncIntervalMs: number; onStoreError?: (err: unknown) => void; clearExpired?: boolean },
): BatchedLimiter {
  const { keyPrefix } = opts;
  const insuranceLimiter = new RateLimiterMemory({ keyPrefix, points: rate.points, duration: rate.windowSeconds });
  const shared = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: TABLE,
    tableCreated: true,
    clearExpiredByTimeout: opts.clearExpired ?? false,
    keyPrefix,
    points: rate.points,
    duration: rate.windowSeconds,
    insuranceLimiter,
  });
  const hashed = { consume: (key: string, points: number) => shared.consume(rateLimitKey(key), points) };
  return new BatchedLimiter(hashed, {
    points: rate.points,
    windowMs: rate.windowSeconds * 1000,
    syncIntervalMs: opts.syncIntervalMs,
    onStoreError: opts.onStoreError,
  });
}

/**
 * Builds the limits from config: a small dedicated `pg` pool (the library speaks `pg`, not slonik) for the shared
 * counts in `rate_limits`, a per-process in-memory insurance limiter used while PostgreSQL does not answer, so a
 * request never fails because the limiter's store is down. `storeClient` replaces the pool (tests).
 */
export function createRateLimits(config: Config, logger: Logger, storeClient?: pg.Pool): RateLimits {
  // The sign-in limit is a security rule, not a traffic budget: it applies even when both request limits are off.
  // Every wait has a bound: a slow or unreachable database sends the count to the insurance limiter instead.
  const pool =
    storeClient ??
    new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: 2,
      connectionTimeoutMillis: 1_000,
      query_timeout: 2_000,
      statement_timeout: 2_000,
      idleTimeoutMillis: 30_000,
    });
  pool.on('error', (err) => logger.warn({ err }, 'rate limit store connection failed'));
  let lastWarned = 0;
  const onStoreError = (err: unknown) => {
    if (Date.now() - lastWarned < 60_000) return;
    lastWarned = Date.now();
    logger.warn({ err }, 'rate limit store and insurance both failed; counting in this process only');
  };
  const limiters: BatchedLimiter[] = [];
  const shared = (rate: Rate, keyPrefix: string) => {
    const limiter = createSharedLimiter(pool, rate, {
      keyPrefix,
      syncIntervalMs: config.RATE_LIMIT_SYNC_INTERVAL,
      onStoreError,
      clearExpired: keyPrefix === 'store',
    });
    limiters.push(limiter);
    return limiter;
  };
  const failures = config.AUTH_FAILURE_LIMIT ? shared(config.AUTH_FAILURE_LIMIT, 'auth-failures') : null;
  const build = (rate: Rate | null, keyPrefix: string, keyOf: (req: Request) => string): RequestHandler =>
    rate ? middleware(shared(rate, keyPrefix), keyOf, failures) : pass;
  const signIn = createSignInLimit({ pool, points: config.SIGN_IN_FAILURE_LIMIT, windowMs: config.SIGN_IN_FAILURE_WINDOW, logger });
  return {
    signIn,
    store: build(config.STORE_RATE_LIMIT, 'store', storeKey),
    admin: build(config.ADMIN_RATE_LIMIT, 'admin', adminKey),
    async close() {
      await Promise.all(limiters.map((l) => l.close()));
      if (!storeClient) await pool.end();
    },
  };
}
