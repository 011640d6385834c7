// Per-key request counting that decides in process memory and syncs with a shared store in batches, so a
// steady stream of reads costs a few store writes per key per second, not one each.
import { RateLimiterRes } from 'rate-limiter-flexible';

/** The part of a rate-limiter-flexible limiter used here: atomically add points to a key's shared window. */
export type SharedCounter = { consume(key: string, points: number): Promise<RateLimiterRes> };

/** What one request gets: allowed or not, and the numbers for the RateLimit-* and Retry-After headers. */
export type Decision = { allowed: boolean; limit: number; remaining: number; resetMs: number };

type KeyState = {
  pending: number; // allowed here, not yet written to the store
  sending: number; // in the store write under way
  shared: number; // the store's count (every process) as of the last write
  resetAt: number; // end of the window: the store's once known, else counted from the first request here
  resetFromStore: boolean;
  blockedUntil: number; // over the limit: refused without counting until then
};

/**
 * Options: `points` per `windowMs`. A key's count is written every `batch` points, and also every `syncIntervalMs`
 * once half its budget is used: a casual client (fewer than `batch` requests per window) never causes a write.
 */
export type BatchedLimiterOptions = {
  points: number;
  windowMs: number;
  syncIntervalMs: number;
  /** Default: a tenth of `points`, so a key costs at most ~10 count-triggered writes per window per process. */
  batch?: number;
  /** Keys remembered in memory; beyond it the oldest are flushed and forgotten. */
  maxKeys?: number;
  onStoreError?: (err: unknown) => void;
};

/**
 * A key is refused once `shared + sending + pending` reaches `points`, then blocked in memory until its window
 * ends. A process learns the others' counts at its own writes, so after the true count crosses `points` each
 * process may still allow up to one batch (near the limit: one sync interval of its traffic, if fewer) before it
 * refuses: N processes may together allow a little more than `points`.
 */
export class BatchedLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly batch: number;
  private readonly maxKeys: number;
  private readonly timer: NodeJS.Timeout;
  private readonly counter: SharedCounter;
  private readonly opts: BatchedLimiterOptions;

  constructor(counter: SharedCounter, opts: BatchedLimiterOptions) {
    this.counter = counter;
    this.opts = opts;
    this.batch = Math.max(1, opts.batch ?? Math.ceil(opts.points / 10));
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.timer = setInterval(() => this.sweep(), opts.syncIntervalMs);
    this.timer.unref();
  }

  /** Counts one request for `key` (synchronous: no store round trip on the request path). */
  take(key: string, now = Date.now()): Decision {
    const { points, windowMs } = this.opts;
    let s = this.keys.get(key);
    if (!s) {
      if (this.keys.size >= this.maxKeys) this.evictOldest();
      s = { pending: 0, sending: 0, shared: 0, resetAt: now + windowMs, resetFromStore: false, blockedUntil: 0 };
      this.keys.set(key, s);
    } else if (now >= s.resetAt && s.sending === 0) {
      // The window is over here and in the store (same end): start a fresh one.
      Object.assign(s, { pending: 0, shared: 0, resetAt: now + windowMs, resetFromStore: false, blockedUntil: 0 });
    }
    if (s.blockedUntil > now) return { allowed: false, limit: points, remaining: 0, resetMs: s.blockedUntil - now };
    const used = s.shared + s.sending + s.pending;
    if (used >= points) {
      s.blockedUntil = s.resetAt;
      this.flush(key, s);
      return { allowed: false, limit: points, remaining: 0, resetMs: Math.max(s.resetAt - now, 0) };
    }
    s.pending += 1;
    if (s.pending >= this.batch) this.flush(key, s);
    return { allowed: true, limit: points, remaining: points - used - 1, resetMs: Math.max(s.resetAt - now, 0) };
  }

  /** How long `key` is refused from now without counting a request (0 when it may go on). */
  blockedFor(key: string, now = Date.now()): number {
    const s = this.keys.get(key);
    if (!s || now >= s.resetAt) return 0;
    if (s.blockedUntil > now) return s.blockedUntil - now;
    return s.shared + s.sending + s.pending >= this.opts.points ? s.resetAt - now : 0;
  }

  /** Writes what is pending now and resolves once no store write is under way. */
  async settled(): Promise<void> {
    for (const [key, s] of this.keys) this.flush(key, s);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the sync timer, writes what the sync would write (keys near their limit) and waits for the writes under way. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.sweep();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private sweep(now = Date.now()): void {
    const warm = this.opts.points / 2;
    for (const [key, s] of this.keys) {
      if (s.sending === 0 && now >= s.resetAt) this.keys.delete(key);
      else if (s.pending > 0 && s.shared + s.pending >= warm) this.flush(key, s);
    }
  }

  private evictOldest(): void {
    const oldest = this.keys.entries().next().value;
    if (!oldest) return;
    this.flush(oldest[0], oldest[1]);
    this.keys.delete(oldest[0]);
  }

  // One write per key at a time: points taken meanwhile wait in `pending` for the next one.
  private flush(key: string, s: KeyState): void {
    if (s.sending > 0 || s.pending === 0) return;
    s.sending = s.pending;
    s.pending = 0;
    const done = this.write(key, s).finally(() => {
      this.inFlight.delete(done);
      if (s.pending >= this.batch) this.flush(key, s);
    });
    this.inFlight.add(done);
  }

  private async write(key: string, s: KeyState): Promise<void> {
    const sent = s.sending;
    let res: RateLimiterRes | undefined;
    try {
      res = await this.counter.consume(key, sent);
    } catch (err) {
      // The store answers "over the limit" by rejecting with the same result object.
      if (err instanceof RateLimiterRes) res = err;
      else this.opts.onStoreError?.(err);
    }
    const now = Date.now();
    if (res) {
      const windowOver = now >= s.resetAt;
      // Within a window the count never goes down: an insurance limiter taking over mid-window knows only what it
      // counted itself since; its (later) reset is kept too, which errs on the side of refusing.
      s.shared = windowOver ? res.consumedPoints : Math.max(s.shared + sent, res.consumedPoints);
      if (res.msBeforeNext > 0) {
        const storeReset = now + res.msBeforeNext;
        s.resetAt = windowOver || !s.resetFromStore ? storeReset : Math.max(s.resetAt, storeReset);
        s.resetFromStore = true;
      }
    } else {
      // Neither the store nor its insurance answered: keep the points as counted here.
      s.shared += sent;
    }
    if (s.shared + s.pending > this.opts.points) s.blockedUntil = s.resetAt;
    s.sending = 0;
  }
}
