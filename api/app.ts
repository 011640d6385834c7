// The Express app factory: tests pass their own pool, Temporal client and config.
import express, { type Express } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import type { AppDeps } from './context.ts';
import { errorMiddleware, noRoute } from './errors.ts';
import { routeAccess } from './access.ts';
import { ValidationError } from '../domain/errors.ts';
import { createProcesses } from './processes.ts';
import { adminRoutes } from './routes/admin.ts';
import { adminStepRetryRoutes } from './routes/admin-step-retries.ts';
import { adminRefundRoutes } from './routes/admin-refunds.ts';
import { adminSubscriptionRoutes } from './routes/admin-subscriptions.ts';
import { adminCustomerRoutes } from './routes/admin-customers.ts';
import { adminVendorRoutes } from './routes/admin-vendors.ts';
import { adminPromotionRoutes } from './routes/admin-promotions.ts';
import { adminBankStatementRoutes } from './routes/admin-bank-statements.ts';
import { adminGroupBuyRoutes } from './routes/group-buys.ts';
import { adminImportRoutes } from './routes/admin-imports.ts';
import { adminExportRoutes, exportDownloadRoutes } from './routes/admin-exports.ts';
import { adminWebhookRoutes } from './routes/admin-webhooks.ts';
import { adminShippingRoutes } from './routes/admin-shipping.ts';
import { adminSessionRoutes } from './routes/admin-session.ts';
import { codecRoutes } from './routes/codec.ts';
import { loggedPath } from './log-path.ts';
import { opsRoutes } from './routes/ops.ts';
import { storeRoutes } from './routes/store.ts';
import { vendorRoutes } from './routes/vendor.ts';
import { adminStoreRoutes } from './routes/admin-store.ts';
import { adminAuditLogRoutes } from './routes/admin-audit-log.ts';
import { StoreOrigins } from './store-origins.ts';
import { adminApiKeyRoutes } from './routes/admin-api-keys.ts';
import { createApiKeys } from './auth.ts';
import { storeCors } from './cors.ts';
import { noStore, storeCaching } from './http-caching.ts';
import { createHoldWatches } from './hold-watches.ts';
import { requestSpan } from './request-span.ts';
import { adminFileRoutes, publicFileRoutes, UPLOAD_PATH } from './routes/files.ts';
import { adminDownloadRoutes, downloadRoutes } from './routes/downloads.ts';
import { createFileStorage } from '../providers/files/index.ts';
import { dashboardRoutes } from './dashboard.ts';

// API defaults: nothing here serves HTML, so the CSP forbids every load and every framing.
const HELMET_OPTIONS = { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } } as const;

// Storefront answers are read by scripts of other origins (under CORS): helmet's same-origin default would block them.
const crossOriginStore: express.RequestHandler = (_req, res, next) => {
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
};

// Without a listener (tests' in-process apps): cached keys live 1 s; last_used_at is still written in batches.
function startedApiKeys(deps: AppDeps) {
  const apiKeys = createApiKeys(deps.pool, { ttlMs: deps.config.API_KEY_CACHE_TTL, touchIntervalMs: deps.config.API_KEY_TOUCH_INTERVAL, logger: deps.logger });
  apiKeys.usage.start();
  return apiKeys;
}

/** Builds the HTTP app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // req.ip (the /store rate-limit key) comes from X-Forwarded-For only through the proxies TRUST_PROXY names.
  app.set('trust proxy', deps.config.TRUST_PROXY);
  const processes = createProcesses(deps.temporal, deps.config, deps.logger, deps.metrics);
  const storeOrigins = deps.storeOrigins ?? new StoreOrigins(deps.pool, { ttlMs: deps.config.CORS_ORIGINS_CACHE_TTL, logger: deps.logger });
  const apiKeys = deps.apiKeys ?? startedApiKeys(deps);
  const holdWatches = deps.holdWatches ?? createHoldWatches(deps);
  const files = deps.files ?? createFileStorage(deps.config);

  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given && given.length <= 100 ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      deps.metrics?.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (res.statusCode >= 400 || deps.logger.isLevelEnabled('debug')) {
        deps.logger[res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'](
          {
            requestId: req.id,
            method: req.method,
            path: loggedPath(req),
            status: res.statusCode,
            ms: Math.round(seconds * 1000),
            tenantId: req.tenant?.id,
          },
          'request',
        );
      }
    });
    next();
  });
  if (deps.tracer) app.use(requestSpan(deps.tracer));
  // Before everything that can refuse a request, so every answer (404s, 400s, 401s, 429s) carries these headers.
  app.use(helmet(HELMET_OPTIONS));
  app.use('/store', crossOriginStore, storeCaching, ...storeCors(storeOrigins, deps.config.CORS_PREFLIGHT_MAX_AGE));
  app.use(['/admin', '/vendor'], noStore);
  // PostgreSQL text cannot hold NUL: refuse it at the edge rather than fail deep inside a workflow.
  app.use((req, _res, next) => {
    if (/%00/i.test(req.originalUrl) || req.originalUrl.includes('\u0000')) throw new ValidationError('the URL contains a NUL character');
    next();
  });
  const json = express.json({
    limit: '1mb',
    // A file upload's body is the file itself, streamed to storage by its route (even a JSON file).
    type: (req) => req.url?.split('?')[0] !== UPLOAD_PATH && (req as express.Request).is('application/json') === 'application/json',
    verify: (_req, _res, buf) => {
      if (buf.includes(0) || buf.includes('\\u0000')) throw new ValidationError('the request body contains a NUL character');
    },
  });
  // Uploads (CSV imports) take larger bodies, parsed by their route once the key passed, never before authentication.
  app.use((req, res, next) => (req.method === 'POST' && req.path.toLowerCase().replace(/\/$/, '') === '/admin/imports' ? next() : json(req, res, next)));

  app.use(opsRoutes(deps));
  app.use(exportDownloadRoutes(deps));
  app.use(publicFileRoutes(deps, files));
  app.use(dashboardRoutes(deps.config.DASHBOARD_DIR));
  // Rate limits before authentication, so floods of unknown keys are limited too; health and metrics are not.
  if (deps.rateLimits) {
    app.use('/store', deps.rateLimits.store);
    app.use(['/admin', '/vendor'], deps.rateLimits.admin);
  }
  // The only place roles are checked: every /admin and /vendor route's minimum is in api/route-roles.ts.
  app.use(['/admin', '/vendor'], routeAccess(apiKeys));
  app.use(codecRoutes(deps, apiKeys));
  app.use('/admin', adminSessionRoutes(deps));
  app.use('/store', downloadRoutes(deps, files));
  app.use('/store', storeRoutes({ ...deps, holdWatches }, processes));
  app.use('/admin', adminStoreRoutes(deps, storeOrigins));
  app.use('/admin', adminAuditLogRoutes(deps));
  app.use('/admin', adminApiKeyRoutes(deps, apiKeys));
  app.use('/admin', adminVendorRoutes(deps));
  app.use('/admin', adminPromotionRoutes(deps));
  app.use('/admin', adminBankStatementRoutes(deps));
  app.use('/admin', adminGroupBuyRoutes(deps));
  app.use('/admin', adminImportRoutes(deps));
  app.use('/admin', adminExportRoutes(deps));
  app.use('/admin', adminWebhookRoutes(deps));
  app.use('/admin', adminShippingRoutes(deps));
  app.use('/admin', adminRefundRoutes(deps, processes));
  app.use('/admin', adminStepRetryRoutes(deps, processes));
  app.use('/admin', adminSubscriptionRoutes(deps, processes));
  app.use('/admin', adminCustomerRoutes(deps));
  app.use('/admin', adminFileRoutes(deps, files));
  app.use('/admin', adminDownloadRoutes(deps));
  app.use('/admin', adminRoutes(deps, processes));
  app.use('/vendor', vendorRoutes(deps, processes));
  app.use(noRoute);
  app.use(errorMiddleware(deps.logger));
  return app;
}
