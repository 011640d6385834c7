// Helpers for tests that use the stack started by global-setup.ts (env: DATABASE_URL, TEMPORAL_ADDRESS, TEST_WORKFLOW_BUNDLE).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseConfig, type Config } from '../../config/config.ts';
import { dataConverter } from '../../providers/codec/data-converter.ts';

// Tests send hundreds of requests quickly: limits high enough never to refuse, still counted (test/e2e/rate-limits.test.ts sets low ones).
const TEST_DEFAULTS = {
  STORE_RATE_LIMIT: '1000000/min',
  ADMIN_RATE_LIMIT: '1000000/min',
  AUTH_FAILURE_LIMIT: '1000000/min',
  ALLOW_SHORT_BILLING_INTERVALS: 'true',
  // Tests read the catalog right after changing it; the cache's own tests turn it on (test/e2e/catalog-cache.test.ts).
  CATALOG_CACHE_ENABLED: 'false',
  // Uploaded files of test runs stay out of the working tree's .data/.
  FILE_STORAGE_DIR: path.join(os.tmpdir(), 'temporal-commerce-test-files'),
};

/**
 * Config for the test stack: the process env (set by global setup) plus overrides such as `CART_HOLD_TTL: '2s'`.
 * Subscriptions bill in seconds here, as in the demo.
 */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...TEST_DEFAULTS, ...process.env, ...overrides });
}

/** A Temporal client on the run's server, with the product's payload codec unless `codec: false` (to see what the server stores); close it with `client.connection.close()` in afterAll. */
export async function connectTemporal(opts: { codec?: boolean } = {}): Promise<Client> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run tests with `npm test` (jest global setup starts Temporal)');
  const connection = await Connection.connect({ address });
  return new Client({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    ...(opts.codec === false ? {} : { dataConverter: dataConverter(testConfig()) }),
  });
}

/** A task queue no other test file (or earlier run against the same server) polls. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/** The workflow bundle built once by global setup, as `Worker.create({ workflowBundle })` takes it. */
export function workflowBundle(): { codePath: string } {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: global setup found no workflows/index.ts or did not run');
  return { codePath };
}
