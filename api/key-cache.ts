// API key lookups by hash, cached per process. Freshness: the api_keys trigger NOTIFYs each new key and each
// revocation or role change (payload: the key id) on a dedicated LISTEN connection; while that connection is down,
// an entry lives at most `downTtlMs` (1 s), so a revocation takes effect on every process within a second either way.
import type { Logger } from '../config/logger.ts';
import { PgListener } from './pg-listener.ts';

const CHANNEL = 'api_keys_changed';
const MAX_ENTRIES = 10_000;

/** Entry lifetimes: `ttlMs` for a known key while listening; `downTtlMs` otherwise; unknown hashes at most `negativeTtlMs`. */
export type ApiKeyCacheOptions = { ttlMs: number; downTtlMs?: number; negativeTtlMs?: number; logger?: Logger };

type Entry<T> = { value: T | null; at: number };

/** The cache of one API process: what a key hash resolves to (null: unknown or revoked). */
export class ApiKeyCache<T extends { principal: { keyId: string } }> {
  readonly #load: (keyHash: string) => Promise<T | null>;
  readonly #ttlMs: number;
  readonly #downTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #logger?: Logger;
  readonly #entries = new Map<string, Entry<T>>();
  // Bumped by every change heard of: a load that started before it may have read the old row and is not kept.
  #generation = 0;
  #listener: PgListener | undefined;

  constructor(load: (keyHash: string) => Promise<T | null>, opts: ApiKeyCacheOptions) {
    this.#load = load;
    this.#ttlMs = opts.ttlMs;
    this.#downTtlMs = Math.min(opts.downTtlMs ?? 1_000, opts.ttlMs);
    this.#negativeTtlMs = Math.min(opts.negativeTtlMs ?? 2_000, opts.ttlMs);
    this.#logger = opts.logger;
  }

  /** What the key with this hash resolves to, from the cache while fresh. */
  async lookup(keyHash: string): Promise<T | null> {
    const hit = this.#entries.get(keyHash);
    if (hit && Date.now() - hit.at < this.#maxAge(hit.value)) return hit.value;
    const generation = this.#generation;
    const at = Date.now();
    const value = await this.#load(keyHash);
    if (generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(keyHash, { value, at });
    }
    return value;
  }

  /**
   * Forgets the key with this id, and every cached "unknown" (it may be the hash of a key just created). Called for
   * each notification, and by this process right after it changes a key (before any notification arrives).
   */
  changed(keyId: string): void {
    this.#generation += 1;
    for (const [hash, entry] of this.#entries) if (entry.value === null || entry.value.principal.keyId === keyId) this.#entries.delete(hash);
  }

  /** Whether the LISTEN connection is up (then entries live `ttlMs`). */
  get listening(): boolean {
    return this.#listener?.listening ?? false;
  }

  /** Starts listening for key changes on a dedicated connection; does not wait for it. */
  listen(databaseUrl: string): void {
    this.#listener ??= new PgListener({
      channel: CHANNEL,
      logger: this.#logger,
      onNotify: (keyId) => this.changed(keyId),
      // Changes made while nobody listened were never announced: start over (both when lost and when back).
      onState: () => this.#clear(),
    });
    this.#listener.start(databaseUrl);
  }

  /** Stops listening (shutdown). */
  async close(): Promise<void> {
    await this.#listener?.close();
  }

  #clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  #maxAge(value: T | null): number {
    const ttl = this.listening ? this.#ttlMs : this.#downTtlMs;
    return value === null ? Math.min(ttl, this.#negativeTtlMs) : ttl;
  }
}
