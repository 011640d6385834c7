// Reads ops/alerts.yml (Prometheus rule file) and the metric names its expressions use.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** One alerting rule as Prometheus reads it. */
export type AlertRule = { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

/** The rule file, parsed. */
export function loadAlertRules(): { groups: { name: string; rules: AlertRule[] }[] } {
  return parse(readFileSync(path.join(process.cwd(), 'ops', 'alerts.yml'), 'utf8'));
}

// PromQL words that are not metric names: aggregations, functions, keywords.
const PROMQL_WORDS = new Set([
  'sum',
  'rate',
  'increase',
  'histogram_quantile',
  'by',
  'without',
  'on',
  'ignoring',
  'max',
  'min',
  'avg',
  'count',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'absent',
  'clamp_min',
  'group_left',
  'group_right',
  'le',
]);

/** Metric names in a PromQL expression: strings, label matchers, ranges, `by (…)` lists and numbers removed, then every identifier left. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '');
  const names = (bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []).filter((w) => !PROMQL_WORDS.has(w));
  return [...new Set(names)];
}
