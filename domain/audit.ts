// Pure rules of audit entries: which fields changed, with secrets left out.

/** A field's value before and after (same shape as contracts' FieldChange; domain imports nothing). */
type Change = { before: unknown; after: unknown };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields of `after` whose value differs from `before` (a created resource passes `before` = null: every field is new).
 * Fields named in `secret` are recorded as changed with both values `"[redacted]"`, never in clear.
 */
export function changedFields(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  secret: readonly string[] = [],
): Record<string, Change> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: Record<string, Change> = {};
  for (const key of keys) {
    const was = before?.[key] ?? null;
    const now = after?.[key] ?? null;
    if (same(was, now)) continue;
    changes[key] = secret.includes(key) ? { before: '[redacted]', after: '[redacted]' } : { before: was, after: now };
  }
  return changes;
}
