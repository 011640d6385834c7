// Who may use the codec endpoints: owner/admin keys (Bearer, the CLI's --codec-auth) or their staff session cookie.
import type { RequestHandler } from 'express';
import type { DatabasePool } from 'slonik';
import type { Config } from '../config/config.ts';
import { principalByKeyId } from '../db/queries/api-keys.ts';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors.ts';
import { payloadKeys } from '../providers/codec/payload-keys.ts';
import { apiKeyAuth } from './auth.ts';
import type { ApiKeys, Principal } from './context.ts';
import { sessionCookie, sessionSigner } from './staff-session.ts';

/** Roles that may decode histories (they hold customers' addresses and payment tokens). */
export const CODEC_ROLES: Principal['role'][] = ['owner', 'admin'];

/** Browser origins allowed to call /codec with credentials: the Web UI's (TEMPORAL_UI_URL), plus its loopback twin. */
export function codecOrigins(config: Pick<Config, 'TEMPORAL_UI_URL'>): string[] {
  const ui = new URL(config.TEMPORAL_UI_URL);
  const origins = [ui.origin];
  // Locally the UI is reached as localhost or 127.0.0.1; both are this machine.
  const twin = ui.hostname === 'localhost' ? '127.0.0.1' : ui.hostname === '127.0.0.1' ? 'localhost' : null;
  if (twin) origins.push(`${ui.protocol}//${twin}${ui.port ? `:${ui.port}` : ''}`);
  return origins;
}

/** The session signer of a config (its key derives from the current payload key). */
export function staffSessions(config: Parameters<typeof payloadKeys>[0]) {
  return sessionSigner(payloadKeys(config).current.key);
}

/**
 * Refuses tenants outside CODEC_TENANT_IDS: one namespace holds every tenant's histories, so in production (where
 * merchants other than the operator hold admin keys) nobody decodes until the operator's tenants are named.
 */
export function checkCodecTenant(config: Pick<Config, 'CODEC_TENANT_IDS' | 'NODE_ENV'>, tenantId: string): void {
  if (!config.CODEC_TENANT_IDS && config.NODE_ENV === 'production')
    throw new ForbiddenError('decoding workflow histories is off until CODEC_TENANT_IDS names the operator tenants allowed to');
  if (config.CODEC_TENANT_IDS && !config.CODEC_TENANT_IDS.includes(tenantId))
    throw new ForbiddenError("this tenant's keys may not decode workflow histories (CODEC_TENANT_IDS)");
}

/** Middleware: a Bearer owner/admin key, or a live staff session cookie sent from an allowed origin. */
export function codecAccess(pool: DatabasePool, config: Config, apiKeys: ApiKeys): RequestHandler {
  const bearer = apiKeyAuth(apiKeys, CODEC_ROLES);
  const sessions = staffSessions(config);
  const origins = codecOrigins(config);
  return async (req, res, next) => {
    if (req.get('authorization')) {
      return bearer(req, res, (err?: unknown) => {
        if (err) return next(err);
        try {
          checkCodecTenant(config, req.tenant!.id);
          next();
        } catch (error) {
          next(error);
        }
      });
    }
    const token = sessionCookie(req);
    if (!token)
      throw new UnauthenticatedError('an Authorization: Bearer <admin api key> header or the staff session cookie of POST /admin/session is required');
    // The cookie is SameSite=None: a page of another site may make the browser send it, so only the UI's origin (or none) counts.
    const origin = req.get('origin');
    if (origin && !origins.includes(origin) && origin !== `${req.protocol}://${req.get('host')}`)
      throw new ForbiddenError('the staff session is accepted only from the Temporal Web UI');
    const session = sessions.verify(token);
    if (!session) throw new UnauthenticatedError('the staff session is invalid or expired: sign in again');
    const principal = await principalByKeyId(pool, session.keyId);
    if (!principal || principal.tenant_id !== session.tenantId || !CODEC_ROLES.includes(principal.role))
      throw new UnauthenticatedError('the key of this staff session was revoked: sign in again');
    checkCodecTenant(config, principal.tenant_id);
    req.tenant = { id: principal.tenant_id, mode: principal.mode, currency: principal.currency };
    req.principal = { keyId: principal.key_id, role: principal.role, vendorId: principal.vendor_id };
    next();
  };
}
