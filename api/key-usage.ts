// last_used_at without a write per request: each API process collects the ids of the keys it saw and writes them
// all with one UPDATE per interval (the statement also skips keys another process touched within the interval).

/** Writes a batch of key ids (db/queries/api-keys.ts touchApiKeys, or a recording stub in tests). */
export type TouchKeys = (keyIds: string[]) => Promise<void>;

/** The batcher of one API process. */
export class KeyUsage {
  readonly #touch: TouchKeys;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(touch: TouchKeys, opts: { intervalMs: number; onError?: (err: unknown) => void }) {
    this.#touch = touch;
    this.#intervalMs = opts.intervalMs;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Notes that a key was used (memory only). */
  record(keyId: string): void {
    this.#pending.add(keyId);
  }

  /** Flushes every `intervalMs` until closed. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Writes what was recorded since the last flush: one statement, or none when nothing was used; never two at once. */
  async flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.size === 0) return;
    const ids = [...this.#pending];
    this.#pending = new Set();
    this.#flushing = this.#touch(ids)
      .catch((err: unknown) => {
        // Lost touches are only a staler last_used_at; retry them with the next batch.
        for (const id of ids) this.#pending.add(id);
        this.#onError(err);
      })
      .finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  /** Stops the timer and writes what is left (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }
}
