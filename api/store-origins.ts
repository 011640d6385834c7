// Every store's allowed browser origins, held in memory so CORS answers (preflights carry no key) cost no query.
// Freshness: PostgreSQL LISTEN on a dedicated connection (the stores trigger NOTIFYs after each commit); while that
// connection is down, a snapshot lives at most `ttlMs`.
import type { DatabasePool } from 'slonik';
import type { Logger } from '../config/logger.ts';
import { allStoreOrigins } from '../db/queries/stores.ts';
import { originMatcher, type OriginMatcher } from '../domain/origins.ts';
import { PgListener } from './pg-listener.ts';

type Snapshot = { any: OriginMatcher; byKey: Map<string, OriginMatcher> };

/** How long a snapshot serves: `ttlMs` without a live listener; `listeningTtlMs` (a safety net) with one. */
export type StoreOriginsOptions = { ttlMs: number; listeningTtlMs?: number; logger?: Logger };

/** The in-memory registry of the stores' origins. */
export class StoreOrigins {
  readonly #pool: DatabasePool;
  readonly #opts: Required<Omit<StoreOriginsOptions, 'logger'>> & { logger?: Logger };
  #snapshot: Snapshot | undefined;
  #loadedAt = 0;
  // Each invalidation starts a generation; a snapshot serves only the generation its load started in.
  #generation = 0;
  #loadedGeneration = -1;
  #loading: { generation: number; promise: Promise<Snapshot> } | undefined;
  #listener: PgListener | undefined;

  constructor(pool: DatabasePool, opts: StoreOriginsOptions) {
    this.#pool = pool;
    this.#opts = { listeningTtlMs: 10 * 60_000, ...opts };
  }

  /** Whether some store admits the origin: preflights, which carry no key. */
  async allowedBySome(origin: string): Promise<boolean> {
    return (await this.#current()).any.allows(origin);
  }

  /**
   * Whether the store of this publishable key admits the origin. A missing or unknown key gets the preflight's
   * answer, so an allowed storefront can read its 401 problem body.
   */
  async allowedFor(publishableKey: string | undefined, origin: string): Promise<boolean> {
    const snapshot = await this.#current();
    const store = publishableKey ? snapshot.byKey.get(publishableKey) : undefined;
    return (store ?? snapshot.any).allows(origin);
  }

  /** Marks the snapshot stale: the next question reloads it (called after this process changes origins). */
  invalidate(): void {
    this.#generation += 1;
  }

  /** Whether the LISTEN connection is up (then changes from every process arrive within milliseconds). */
  get listening(): boolean {
    return this.#listener?.listening ?? false;
  }

  /** Starts listening for changes on a dedicated connection, reconnecting with backoff; does not wait for it. */
  listen(databaseUrl: string): void {
    if (this.#listener) return;
    this.#listener = new PgListener({
      channel: 'store_origins_changed',
      logger: this.#opts.logger,
      onNotify: () => this.invalidate(),
      // Up or down, changes may have gone unannounced: the next question reloads.
      onState: () => this.invalidate(),
    });
    this.#listener.start(databaseUrl);
  }

  /** Stops listening (shutdown). */
  async close(): Promise<void> {
    await this.#listener?.close();
  }

  #current(): Promise<Snapshot> {
    const maxAge = this.listening ? this.#opts.listeningTtlMs : this.#opts.ttlMs;
    const generation = this.#generation;
    if (this.#snapshot && this.#loadedGeneration === generation && Date.now() - this.#loadedAt < maxAge) return Promise.resolve(this.#snapshot);
    // Questions share a load, unless it began before the latest invalidation (it may have read the old origins).
    if (this.#loading?.generation === generation) return this.#loading.promise;
    const promise = this.#load(generation)
      .catch((err: unknown) => {
        // A database blip should not turn every cross-origin answer into an error: keep the last known origins.
        if (!this.#snapshot) throw err;
        this.#opts.logger?.warn({ err }, 'could not reload store origins; serving the previous ones');
        return this.#snapshot;
      })
      .finally(() => {
        if (this.#loading?.promise === promise) this.#loading = undefined;
      });
    this.#loading = { generation, promise };
    return promise;
  }

  async #load(generation: number): Promise<Snapshot> {
    const startedAt = Date.now();
    const rows = await allStoreOrigins(this.#pool);
    const byKey = new Map<string, OriginMatcher>();
    for (const row of rows) byKey.set(row.publishable_key, originMatcher(row.allowed_origins));
    const snapshot = { any: originMatcher(rows.flatMap((row) => row.allowed_origins)), byKey };
    if (generation >= this.#loadedGeneration) {
      this.#snapshot = snapshot;
      this.#loadedGeneration = generation;
      this.#loadedAt = startedAt;
    }
    return snapshot;
  }
}
