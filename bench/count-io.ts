// Preloaded (`node --import ./bench/count-io.ts`) into the API and worker processes of bench/checkout-profile.ts: counts
// every SQL statement sent through pg (slonik's driver: BEGIN, COMMIT and SAVEPOINT included) and every gRPC call made
// through @grpc/grpc-js (the Temporal client's; the worker's own polls go through its Rust core and are not seen here),
// and answers the parent's `io-counts` message with the totals. Product code is untouched: the prototypes are wrapped.
import { createRequire } from 'node:module';
import pg from 'pg';

const sql = new Map<string, number>();
const grpcCalls = new Map<string, number>();
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The statement's shape: whitespace folded, cut to 90 characters (enough to tell the queries apart, no values: they are parameters). */
export function statementKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 90);
}

const query = pg.Client.prototype.query as (...args: any[]) => any;
pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '(stream or cursor)';
  bump(sql, statementKey(text));
  return query.apply(this, args);
} as any;

// The grpc-js copy the Temporal client loads (resolved from its package, not ours).
const grpc = createRequire(import.meta.resolve('@temporalio/client'))('@grpc/grpc-js');
for (const name of ['makeUnaryRequest', 'makeServerStreamRequest', 'makeClientStreamRequest', 'makeBidiStreamRequest'] as const) {
  const original = grpc.Client.prototype[name];
  grpc.Client.prototype[name] = function (this: unknown, method: string, ...rest: unknown[]) {
    bump(grpcCalls, method.split('/').pop() ?? method);
    return original.call(this, method, ...rest);
  };
}

if (process.send) {
  process.on('message', (message) => {
    if (message === 'io-counts') process.send!({ sql: Object.fromEntries(sql), grpc: Object.fromEntries(grpcCalls) });
  });
  process.channel?.unref();
}
