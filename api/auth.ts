// Credentials → tenant: publishable keys for /store, bearer API keys for /admin (one key cache per process, kept fresh by NOTIFY).
import type { RequestHandler } from 'express';
import type { DatabasePool } from 'slonik';
import { tenantByPublishableKey } from '../db/queries/tenants.ts';
import { principalByKeyHash } from '../db/queries/api-keys.ts';
import { customerByTokenHash } from '../db/queries/customers.ts';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors.ts';
import { hashSecret } from '../domain/secrets.ts';
import { touchApiKeys } from '../db/queries/api-keys.ts';
import type { Logger } from '../config/logger.ts';
import { tenantOf, type ApiKeys, type KeyPrincipal, type Principal, type TenantContext } from './context.ts';
import { ApiKeyCache } from './key-cache.ts';
import { KeyUsage } from './key-usage.ts';

const CACHE_MS = 30_000;

// Publishable keys only: API keys have their own cache (api/key-cache.ts), invalidated on revocation.
function cached<T>(load: (key: string) => Promise<T | null>) {
  const entries = new Map<string, { value: T | null; until: number }>();
  return async (key: string): Promise<T | null> => {
    const hit = entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load(key);
    if (entries.size > 10_000) entries.clear();
    // Unknown keys are cached for a shorter time so a freshly created key works quickly.
    entries.set(key, { value, until: Date.now() + (value ? CACHE_MS : 2_000) });
    return value;
  };
}

/** Resolves `X-Publishable-Key` to the store's tenant (401 when missing or unknown). */
export function storefrontAuth(pool: DatabasePool): RequestHandler {
  const lookup = cached<TenantContext>((key) => tenantByPublishableKey(pool, key));
  return async (req, _res, next) => {
    const key = req.get('x-publishable-key');
    if (!key) throw new UnauthenticatedError('the X-Publishable-Key header is required');
    const tenant = await lookup(key);
    if (!tenant) throw new UnauthenticatedError('unknown publishable key');
    req.tenant = tenant;
    next();
  };
}

/** Builds the key services of one API process (call `cache.listen(url)` and `usage.start()` to run them, `close()` both at shutdown). */
export function createApiKeys(pool: DatabasePool, opts: { ttlMs: number; touchIntervalMs: number; logger?: Logger }): ApiKeys {
  const cache = new ApiKeyCache<KeyPrincipal>(
    async (hash) => {
      const row = await principalByKeyHash(pool, hash);
      return (
        row && {
          tenant: { id: row.tenant_id, mode: row.mode, currency: row.currency },
          principal: { keyId: row.key_id, role: row.role, vendorId: row.vendor_id },
        }
      );
    },
    { ttlMs: opts.ttlMs, logger: opts.logger },
  );
  const usage = new KeyUsage((ids) => touchApiKeys(pool, ids, opts.touchIntervalMs), {
    intervalMs: opts.touchIntervalMs,
    onError: (err) => opts.logger?.warn({ err }, 'could not write last_used_at of API keys; retrying with the next batch'),
  });
  return { cache, usage };
}

/** Resolves `Authorization: Bearer <api key>`; `allow`, when given, lists the roles that may pass (routes: api/route-roles.ts). */
export function apiKeyAuth(apiKeys: ApiKeys, allow?: Principal['role'][]): RequestHandler {
  const { cache, usage } = apiKeys;
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError('an Authorization: Bearer <api key> header is required');
    const found = await cache.lookup(hashSecret(match[1]));
    if (!found) throw new UnauthenticatedError('unknown or revoked API key');
    usage.record(found.principal.keyId);
    if (allow && !allow.includes(found.principal.role)) throw new ForbiddenError(`a ${found.principal.role} key may not use this API`);
    req.tenant = found.tenant;
    req.principal = found.principal;
    next();
  };
}

/**
 * After storefrontAuth: an `Authorization: Bearer <customer token>` header, when sent, must name a live token of this
 * store (else 401, also for another store's token); the customer is then `req.customer`. Not cached: a sign-out or a
 * password reset must take effect at once (one indexed lookup by the token's hash).
 */
export function customerAuth(pool: DatabasePool): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError('Authorization must be Bearer <customer token>');
    const session = await customerByTokenHash(pool, tenantOf(req).id, hashSecret(match[1]));
    if (!session) throw new UnauthenticatedError('unknown, expired or revoked customer token');
    req.customer = session;
    next();
  };
}
