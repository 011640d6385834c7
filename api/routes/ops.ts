// Operations routes: liveness, readiness (Postgres and Temporal), Prometheus metrics, OpenAPI.
import { Router } from 'express';
import { sql } from '../../db/sql.ts';
import { z } from 'zod';
import type { AppDeps } from '../context.ts';
import { buildOpenApi } from '../openapi.ts';
import { Registry } from 'prom-client';
import { opsRegistry } from '../../config/ops-metrics.ts';

// The OpenAPI document depends on the code alone: built on its first request, once per process, not by every app at
// start (measured: the API ready 401-426 instead of 425-461 ms, idle 124 instead of 127 MB; each test app saves it too).
let openapi: ReturnType<typeof buildOpenApi> | undefined;

/** Routes /health/*, /metrics, /openapi.json. */
export function opsRoutes(deps: AppDeps): Router {
  const r = Router();
  // The operational counters (config/ops-metrics.ts) too: an API process may repair orders (resume) as well.
  const registry = deps.metrics ? Registry.merge([deps.metrics.registry, opsRegistry]) : undefined;
  r.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  r.get('/health/ready', async (_req, res) => {
    const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
    const [db, temporal] = await Promise.all([
      timeout(deps.pool.oneFirst(sql.type(z.object({ ok: z.number() }))`SELECT 1 AS ok`)).then(
        () => 'ok',
        (e: Error) => `unreachable: ${e.message}`,
      ),
      timeout(deps.temporal.connection.workflowService.getSystemInfo({})).then(
        () => 'ok',
        (e: Error) => `unreachable: ${e.message}`,
      ),
    ]);
    const ready = db === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { postgres: db, temporal } });
  });
  r.get('/metrics', async (_req, res) => {
    if (!registry) return void res.status(404).end();
    res.type(registry.contentType).send(await registry.metrics());
  });
  r.get('/openapi.json', (_req, res) => void res.json((openapi ??= buildOpenApi())));
  return r;
}
