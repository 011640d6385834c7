import { existsSync } from 'node:fs';
import pg from 'pg';
import { connectTemporal, testConfig, uniqueTaskQueue, workflowBundle } from '../helpers/stack.ts';

test('stack from global setup', async () => {
  const cfg = testConfig({ CART_HOLD_TTL: '2s' });
  expect(cfg.CART_HOLD_TTL).toBe(2000);
  expect(cfg.DATABASE_URL).toMatch(/commerce_test_/);
  const client = new pg.Client({ connectionString: cfg.DATABASE_URL });
  await client.connect();
  const r = await client.query("select count(*)::int as n from information_schema.tables where table_schema='public'");
  await client.end();
  expect(r.rows[0].n).toBeGreaterThan(5);
  const t = await connectTemporal();
  const sa = await t.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(sa.customAttributes ?? {})).toEqual(expect.arrayContaining(['TenantId', 'VendorIds']));
  await t.connection.close();
  expect(existsSync(workflowBundle().codePath)).toBe(true);
  expect(uniqueTaskQueue('x')).toMatch(/^x-/);
  console.log(cfg.DATABASE_URL, process.env.TEMPORAL_ADDRESS, process.env.TEST_WORKFLOW_BUNDLE);
});
