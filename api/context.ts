// Per-request context added by middleware: request id, tenant, credentials.
import type { DatabasePool } from 'slonik';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';
import type { SearchBackend } from '../providers/search/types.ts';
import type { StoreOrigins } from './store-origins.ts';
import type { RateLimits } from './rate-limit.ts';

/** The tenant a request acts for. */
export type TenantContext = { id: string; mode: 'single_brand' | 'mall'; currency: string };

/** Who is calling the admin API. */
export type Principal = { keyId: string; role: 'owner' | 'admin' | 'staff' | 'vendor'; vendorId: string | null };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      tenant?: TenantContext;
      principal?: Principal;
    }
  }
}

/**
 * Dependencies of the HTTP app; tests pass their own. Without `storeOrigins` the app keeps a TTL-only registry;
 * without `rateLimits` nothing is rate limited.
 */
export type AppDeps = {
  pool: DatabasePool;
  temporal: Client;
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  search?: SearchBackend;
  storeOrigins?: StoreOrigins;
  rateLimits?: RateLimits;
};

/** The tenant of an authenticated request (middleware guarantees it). */
export function tenantOf(req: Express.Request): TenantContext {
  if (!req.tenant) throw new Error('tenant middleware did not run');
  return req.tenant;
}
