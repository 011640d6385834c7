// Work a request starts but need not wait for (the cart's hold watcher): run beside the request path, bounded, after an
// optional delay in which a later request may find it unneeded. What is lost here (the queue full, the process stopped)
// has a backstop elsewhere; callers say which.

/** Bounds of the background queue. */
export type BackgroundStartsOptions = {
  /** Calls in flight at once. */
  concurrency: number;
  /** Calls waiting at most; beyond it a call is dropped and `onDropped` told. */
  maxQueued: number;
  /** Told of a call that was not run (queue full, or still waiting when a drain gave up). */
  onDropped: (key: string) => void;
  /** How long a call waits before it may run (default 0); `cancel` within it means it never runs. */
  delayMs?: number;
};

/** Runs keyed calls in the background: one per key waiting at a time, at most `concurrency` at once. */
export class BackgroundStarts {
  private readonly delayed = new Map<string, { run: () => Promise<void>; timer: NodeJS.Timeout }>();
  private readonly waiting = new Map<string, () => Promise<void>>();
  private running = 0;
  private idle: (() => void)[] = [];
  private readonly opts: BackgroundStartsOptions;

  constructor(opts: BackgroundStartsOptions) {
    this.opts = opts;
  }

  /** Calls delayed, waiting or running. */
  get pending(): number {
    return this.delayed.size + this.waiting.size + this.running;
  }

  /** Queues `run` under `key` and returns at once; a key already delayed or waiting is not queued twice. `run` must not throw. */
  add(key: string, run: () => Promise<void>): void {
    if (this.delayed.has(key) || this.waiting.has(key)) return;
    if (this.delayed.size + this.waiting.size >= this.opts.maxQueued) return this.opts.onDropped(key);
    const delayMs = this.opts.delayMs ?? 0;
    if (delayMs <= 0) return this.enqueue(key, run);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.enqueue(key, run);
    }, delayMs);
    // A delayed call never keeps the process alive: stopping drains it (below).
    timer.unref();
    this.delayed.set(key, { run, timer });
  }

  /** Forgets the call under `key` unless it has started; true when there was one to forget. */
  cancel(key: string): boolean {
    const delayed = this.delayed.get(key);
    if (delayed) clearTimeout(delayed.timer);
    const forgotten = this.delayed.delete(key) || this.waiting.delete(key);
    this.settleIfIdle();
    return forgotten;
  }

  /** Runs what is delayed at once, then waits until nothing is pending, at most `timeoutMs`; what still waits then is dropped (and reported). */
  async drain(timeoutMs: number): Promise<void> {
    for (const [key, { run, timer }] of this.delayed) {
      clearTimeout(timer);
      this.waiting.set(key, run);
    }
    this.delayed.clear();
    this.pump();
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    for (const key of this.waiting.keys()) this.opts.onDropped(key);
    this.waiting.clear();
  }

  private enqueue(key: string, run: () => Promise<void>): void {
    this.waiting.set(key, run);
    this.pump();
  }

  private settleIfIdle(): void {
    if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.waiting.size > 0) {
      const [key, run] = this.waiting.entries().next().value as [string, () => Promise<void>];
      this.waiting.delete(key);
      this.running++;
      void run()
        .catch(() => this.opts.onDropped(key))
        .finally(() => {
          this.running--;
          this.pump();
          this.settleIfIdle();
        });
    }
  }
}
