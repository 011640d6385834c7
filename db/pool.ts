// The slonik pool: typed results validated by each query's zod row schema.
import { createPool, SchemaValidationError, type DatabasePool, type Interceptor } from 'slonik';

/** Validates every row against the query's `sql.type(schema)` (slonik's result-parser recipe). */
const resultParserInterceptor: Interceptor = {
  name: 'result-parser',
  transformRowAsync: async (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const result = await parser['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
  },
};

const toSafeNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return n;
};

/**
 * Opens a pool; bigint columns come back as numbers (money stays far below 2^53), timestamps as ISO strings.
 * `tracing` makes slonik open an OpenTelemetry span per query (its SQL text, never the values): only with tracing installed.
 */
export async function createDbPool(databaseUrl: string, maximumPoolSize = 10, opts: { tracing?: boolean } = {}): Promise<DatabasePool> {
  const pool = await createPool(databaseUrl, {
    maximumPoolSize,
    tracing: opts.tracing ?? false,
    interceptors: [resultParserInterceptor],
    // No `DISCARD ALL` on every release (slonik's default): nothing here leaves session state behind (settings are
    // SET LOCAL, advisory locks are transaction-scoped, no temporary tables; the named prepared statements of the cart's
    // hot path, sql.prepared, are meant to outlive a checkout of the connection: that is their point), and the
    // extra round trip per pool checkout was about a fifth of a checkout's statements (bench/checkout-profile.ts).
    resetConnection: async () => {},
    typeParsers: [
      { name: 'int8', parse: toSafeNumber },
      { name: 'numeric', parse: (v: string) => Number(v) },
      { name: 'timestamptz', parse: (v: string) => new Date(v).toISOString() },
      { name: 'timestamp', parse: (v: string) => new Date(`${v}Z`).toISOString() },
    ],
  });
  // slonik also emits query errors as 'error' events; the caller handles the rejected promise, so the event
  // needs a listener or EventEmitter throws a wrapper instead of the original error.
  pool.on('error', () => {});
  return pool;
}

export type { DatabasePool };
