// The cart's hold watcher (reservationExpiry) is started beside the request that placed the first hold.
import { BackgroundStarts } from './background-starts.ts';
import type { Logger } from '../config/logger.ts';
import type { Config } from '../config/config.ts';
import type { Metrics } from './metrics.ts';

/**
 * Where the cart's hold watcher is started: beside the request, HOLD_WATCH_DELAY later, at most 16 starts at once and
 * 10,000 waiting. The watcher first sleeps until the hold expires, so starting it later loses nothing (the delay is at
 * most half the hold's TTL), and a cart checked out within the delay cancels it: a quick checkout costs no watcher
 * workflow at all, and its own workflow does not share the worker with the watcher's first task. A start dropped (queue
 * full, process stopped) or made by another API instance than the checkout's leaves the holds to the hold-sweeper
 * Schedule, or to a watcher that finds nothing left to release.
 */
/** How long after a cart's first hold its watcher starts: HOLD_WATCH_DELAY, at most half the hold's TTL. */
export function holdWatchDelayMs(config: Pick<Config, 'HOLD_WATCH_DELAY' | 'CART_HOLD_TTL'>): number {
  return Math.min(config.HOLD_WATCH_DELAY, Math.floor(config.CART_HOLD_TTL / 2));
}

export function createHoldWatches(deps: { logger: Logger; metrics?: Metrics; config: Pick<Config, 'HOLD_WATCH_DELAY' | 'CART_HOLD_TTL'> }): BackgroundStarts {
  return new BackgroundStarts({
    concurrency: 16,
    maxQueued: 10_000,
    delayMs: holdWatchDelayMs(deps.config),
    onDropped: (key) => {
      deps.metrics?.workflowFailures.inc({ workflow: 'reservationExpiry' });
      deps.logger.warn({ workflowId: key }, 'hold watcher not started; the hold sweeper releases its expired holds');
    },
  });
}
