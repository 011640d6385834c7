-- Up Migration
-- The shared store of the API's rate limits (api/rate-limit.ts), in the layout rate-limiter-flexible's
-- RateLimiterPostgres reads and writes: one row per limited key (a SHA-256, never a raw credential), the
-- points counted in its current fixed window and the window's end in epoch milliseconds. The library is told
-- the table exists, so it never runs DDL itself; it deletes rows expired for an hour every five minutes.
-- UNLOGGED: counters are worth nothing after a crash (they restart empty), so they need no WAL and no replica.
CREATE UNLOGGED TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Down Migration
DROP TABLE rate_limits;
