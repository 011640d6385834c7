// ops/alerts.yml is a Prometheus rule file an on-call engineer can load as it is.
import { opsRegistry } from '../../config/ops-metrics.ts';
import { createMetrics } from '../../api/metrics.ts';
import { loadAlertRules, metricNamesIn } from '../helpers/alert-rules.ts';

// Prometheus durations (`for:`), e.g. 0m, 30s, 1h.
const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;

describe('alert rules file', () => {
  const file = loadAlertRules();
  const rules = file.groups.flatMap((g) => g.rules);

  test('when parsed, then it has named groups of rules, each with alert, expr, for, a severity and a summary', () => {
    expect(file.groups.length).toBeGreaterThan(0);
    for (const group of file.groups)
      expect({ name: group.name, rules: Array.isArray(group.rules) && group.rules.length > 0 }).toEqual({ name: expect.any(String), rules: true });
    for (const rule of rules) {
      expect({ alert: rule.alert, ok: /^[A-Z][A-Za-z0-9]+$/.test(rule.alert) }).toEqual({ alert: rule.alert, ok: true });
      expect(typeof rule.expr).toBe('string');
      expect({ alert: rule.alert, for: DURATION.test(rule.for ?? '') }).toEqual({ alert: rule.alert, for: true });
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(page|ticket)$/) });
      expect({ alert: rule.alert, summary: typeof rule.annotations?.summary }).toEqual({ alert: rule.alert, summary: 'string' });
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test('when an expression uses one of our metrics, then the worker or the API registers it under that name', async () => {
    const ours = [...(await opsRegistry.getMetricsAsJSON()), ...(await createMetrics().registry.getMetricsAsJSON())].flatMap((m) =>
      String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
    );
    const used = new Set(rules.flatMap((r) => metricNamesIn(r.expr)));
    // Theirs: the Temporal SDK's (temporal_*) and Prometheus's own; the e2e test scrapes a worker for the SDK's.
    const unknown = [...used].filter((name) => !name.startsWith('temporal_') && !['up', 'probe_success'].includes(name) && !ours.includes(name));
    expect(unknown).toEqual([]);
    for (const name of ['orders_placed_total', 'reconciler_repairs_total', 'webhook_give_ups_total', 'http_request_duration_seconds_bucket'])
      expect({ name, used: used.has(name) }).toEqual({ name, used: true });
  });

  test('when reading names out of PromQL, then labels, ranges, numbers and functions are not taken for metrics', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, task_queue) (rate(x_bucket{route="/a/:id"}[5m]))) > 2.5e-1 and up{job="j"} == 0')).toEqual([
      'x_bucket',
      'up',
    ]);
  });
});
