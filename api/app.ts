// The Express app factory: tests pass their own pool, Temporal client and config.
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import type { AppDeps } from './context.ts';
import { errorMiddleware, problem } from './errors.ts';
import { ValidationError } from '../domain/errors.ts';
import { createProcesses } from './processes.ts';
import { adminRoutes } from './routes/admin.ts';
import { adminPaymentRoutes } from './routes/admin-payments.ts';
import { adminVendorRoutes } from './routes/admin-vendors.ts';
import { adminWebhookRoutes } from './routes/admin-webhooks.ts';
import { adminSessionRoutes } from './routes/admin-session.ts';
import { codecRoutes } from './routes/codec.ts';
import { loggedPath } from './log-path.ts';
import { opsRoutes } from './routes/ops.ts';
import { storeRoutes } from './routes/store.ts';
import { vendorRoutes } from './routes/vendor.ts';

/** Builds the HTTP app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const processes = createProcesses(deps.temporal, deps.config, deps.logger, deps.metrics);

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
        deps.logger[res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug']({
          requestId: req.id, method: req.method, path: loggedPath(req), status: res.statusCode, ms: Math.round(seconds * 1000), tenantId: req.tenant?.id,
        }, 'request');
      }
    });
    next();
  });
  // PostgreSQL text cannot hold NUL: refuse it at the edge rather than fail deep inside a workflow.
  app.use((req, _res, next) => {
    if (/%00|\u0000/i.test(req.originalUrl)) throw new ValidationError('the URL contains a NUL character');
    next();
  });
  app.use(express.json({
    limit: '1mb',
    verify: (_req, _res, buf) => {
      if (buf.includes(0) || buf.includes('\\u0000')) throw new ValidationError('the request body contains a NUL character');
    },
  }));

  app.use(opsRoutes(deps));
  app.use(codecRoutes(deps));
  app.use('/admin', adminSessionRoutes(deps));
  app.use('/store', storeRoutes(deps, processes));
  app.use('/admin', adminVendorRoutes(deps));
  app.use('/admin', adminWebhookRoutes(deps));
  app.use('/admin', adminPaymentRoutes(deps, processes));
  app.use('/admin', adminRoutes(deps, processes));
  app.use('/vendor', vendorRoutes(deps, processes));
  app.use((req, res) => {
    res.status(404).type('application/problem+json').json({ ...problem(404, 'not_found', `no route for ${req.method} ${req.path}`), request_id: req.id });
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
