// Per-request context added by middleware: request id, tenant, credentials.
import type { DatabasePool } from 'slonik';
import type { Client } from '@temporalio/client';
import type { Tracer } from '@opentelemetry/api';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';
import type { SearchBackend } from '../providers/search/types.ts';
import type { FileStorage } from '../providers/files/storage.ts';
import type { StoreOrigins } from './store-origins.ts';
import type { RateLimits } from './rate-limit.ts';
import type { ApiKeyCache } from './key-cache.ts';
import type { KeyUsage } from './key-usage.ts';
import { UnauthenticatedError } from '../domain/errors.ts';
import type { KeyRole } from '../domain/roles.ts';
import type { BackgroundStarts } from './background-starts.ts';
import type { CatalogCache } from './catalog-cache.ts';
import type { Actor } from '../contracts/audit.ts';

/** The tenant a request acts for. */
export type TenantContext = { id: string; mode: 'single_brand' | 'mall'; currency: string };

/** Who is calling the admin API. */
export type Principal = { keyId: string; role: KeyRole; vendorId: string | null };

/** What an API key resolves to: its tenant and who it is. */
export type KeyPrincipal = { tenant: TenantContext; principal: Principal };

/** The key services of one API process, shared by every router: the lookup cache and the last_used_at batcher. */
export type ApiKeys = { cache: ApiKeyCache<KeyPrincipal>; usage: KeyUsage };

/** The signed-in storefront customer of a request (`Authorization: Bearer <customer token>`). */
export type CustomerContext = { id: string; email: string; name: string | null; token_id: string };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      tenant?: TenantContext;
      principal?: Principal;
      customer?: CustomerContext;
    }
  }
}

/**
 * Dependencies of the HTTP app; tests pass their own. Without `storeOrigins` the app keeps a TTL-only registry,
 * without `apiKeys` a key cache that does not listen (entries live 1 s); without `rateLimits` nothing is rate limited.
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
  apiKeys?: ApiKeys;
  /** Set when tracing is installed (config/tracing.ts): each request gets a server span. */
  tracer?: Tracer;
  /** Starts beside the request path (the cart's hold watcher); the server drains it at shutdown. */
  holdWatches?: BackgroundStarts;
  /** Rendered catalog answers (lists, search, categories); none when CATALOG_CACHE_ENABLED=false. */
  catalogCache?: CatalogCache;
  /** Where uploaded files live (default: FILE_STORAGE_DIR on local disk). */
  files?: FileStorage;
};

/** The tenant of an authenticated request (middleware guarantees it). */
export function tenantOf(req: Express.Request): TenantContext {
  if (!req.tenant) throw new Error('tenant middleware did not run');
  return req.tenant;
}

/** The signed-in customer of a request, or 401. */
export function customerOf(req: Express.Request): CustomerContext {
  if (!req.customer) throw new UnauthenticatedError('sign in first: send Authorization: Bearer <customer token>');
  return req.customer;
}

/** The API key behind an authenticated back-office or vendor request, as audit entries and workflow arguments carry it. */
export function actorOf(req: Express.Request): Actor {
  if (!req.principal) throw new Error('API key middleware did not run');
  return { keyId: req.principal.keyId, role: req.principal.role, requestId: req.id };
}
