// The cart's hold watcher (reservationExpiry) is started beside the request that placed the first hold.
import { BackgroundStarts } from './background-starts.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';

/**
 * Where the cart's hold watcher is started: beside the request, at most 16 starts at once and 10,000 waiting. A start
 * dropped (queue full, process stopped) leaves the holds to the hold-sweeper Schedule, which releases expired ones.
 */
export function createHoldWatches(deps: { logger: Logger; metrics?: Metrics }): BackgroundStarts {
  return new BackgroundStarts({
    concurrency: 16,
    maxQueued: 10_000,
    onDropped: (key) => {
      deps.metrics?.workflowFailures.inc({ workflow: 'reservationExpiry' });
      deps.logger.warn({ workflowId: key }, 'hold watcher not started; the hold sweeper releases its expired holds');
    },
  });
}
