// Prometheus metrics of the API process.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Creates a registry with the product's metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    workflowStarts: new Counter({
      name: 'workflow_starts_total',
      help: 'Workflows started or signalled-with-start by the API',
      labelNames: ['workflow'],
      registers: [registry],
    }),
    workflowFailures: new Counter({
      name: 'workflow_start_failures_total',
      help: 'Workflow starts, signals or updates that failed for infrastructure reasons',
      labelNames: ['workflow'],
      registers: [registry],
    }),
    holdsPlaced: new Counter({ name: 'holds_placed_total', help: 'Stock holds placed', registers: [registry] }),
    holdsReleased: new Counter({ name: 'holds_released_total', help: 'Stock holds released by cart changes', registers: [registry] }),
    stockOuts: new Counter({ name: 'stock_outs_total', help: 'Requests refused with insufficient_stock', registers: [registry] }),
  };
}

/** The metrics object. */
export type Metrics = ReturnType<typeof createMetrics>;
