// Runs the HTTP server for a config, with graceful shutdown.
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import { createDbPool } from '../db/pool.ts';
import { createApp } from './app.ts';
import { createHoldWatches } from './hold-watches.ts';
import { CatalogCache } from './catalog-cache.ts';
import { createMetrics } from './metrics.ts';
import { StoreOrigins } from './store-origins.ts';
import { createRateLimits } from './rate-limit.ts';
import { createApiKeys } from './auth.ts';
import { dataConverter } from '../providers/codec/data-converter.ts';
import { installTracing, temporalClientInterceptors } from '../config/tracing.ts';

/** Starts the API on config.PORT; `stop()` stops accepting, drains, closes connections. */
export async function startApi(config: Config, logger: Logger, address: string): Promise<{ server: Server; stop(): Promise<void> }> {
  const tracing = await installTracing(config);
  const pool = await createDbPool(config.DATABASE_URL, config.DB_POOL_SIZE, { tracing: Boolean(tracing) });
  const connection = await Connection.connect({ address });
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config),
    interceptors: temporalClientInterceptors(tracing),
  });
  // Its own connection LISTENs for origin changes; not awaited, so start-up does not wait for it.
  const storeOrigins = new StoreOrigins(pool, { ttlMs: config.CORS_ORIGINS_CACHE_TTL, logger });
  storeOrigins.listen(config.DATABASE_URL);
  // Likewise for API key revocations; last_used_at is written in one batch per API_KEY_TOUCH_INTERVAL.
  const apiKeys = createApiKeys(pool, { ttlMs: config.API_KEY_CACHE_TTL, touchIntervalMs: config.API_KEY_TOUCH_INTERVAL, logger });
  apiKeys.cache.listen(config.DATABASE_URL);
  apiKeys.usage.start();
  const rateLimits = createRateLimits(config, logger);
  const metrics = createMetrics();
  const holdWatches = createHoldWatches({ logger, metrics, config });
  // Catalog changes reach it by LISTEN on its own connection; not awaited, like the other listeners.
  const catalogCache = config.CATALOG_CACHE_ENABLED ? new CatalogCache({ ttlMs: config.CATALOG_CACHE_TTL, logger }) : undefined;
  catalogCache?.listen(config.DATABASE_URL);
  const app = createApp({ pool, temporal, config, logger, metrics, storeOrigins, rateLimits, apiKeys, holdWatches, catalogCache, tracer: tracing?.tracer });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  logger.info({ port: config.PORT }, 'api listening');
  return {
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await storeOrigins.close();
      // Hold watchers the last requests asked for; what does not start in time is the sweeper's.
      await holdWatches.drain(2_000);
      await catalogCache?.close();
      // After the drain, so the last requests' keys are written too.
      await apiKeys.usage.close();
      await apiKeys.cache.close();
      await connection.close();
      await rateLimits.close();
      await pool.end();
      await tracing?.shutdown();
    },
  };
}
