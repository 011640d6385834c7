// Business counters of any process (activities in the worker, the reconciler, the API's repairs): one registry per
// process, always live (incrementing needs no setup), served by the worker's metrics port and the API's /metrics.
import { Counter, Registry } from 'prom-client';

/** The registry holding the counters below; merged into each process's Prometheus answer. */
export const opsRegistry = new Registry();

/** The product's operational counters; names are what ops/alerts.yml refers to. */
export const opsMetrics = {
  ordersPlaced: new Counter({
    name: 'orders_placed_total',
    help: 'Orders created by checkout (counted once, by the transaction that inserted the order)',
    labelNames: ['payment_method'],
    registers: [opsRegistry],
  }),
  holdsExpired: new Counter({
    name: 'holds_expired_total',
    help: 'Stock holds released because they expired (by their cart workflow or the hold sweeper)',
    labelNames: ['by'],
    registers: [opsRegistry],
  }),
  reconcilerRepairs: new Counter({
    name: 'reconciler_repairs_total',
    help: 'Open orders whose process was closed or missing, by what the order reconciler did: resumed (a new run from the database, which may cancel what cannot resume) or failed (tried again next pass)',
    labelNames: ['outcome'],
    registers: [opsRegistry],
  }),
  webhookGiveUps: new Counter({
    name: 'webhook_give_ups_total',
    help: 'Webhook deliveries given up (retries ran out or the URL was refused)',
    registers: [opsRegistry],
  }),
};

/** What a repair of the reconciler ended in (the `outcome` label of reconciler_repairs_total). */
export type RepairOutcome = 'resumed' | 'failed';
