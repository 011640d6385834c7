// The stack that global setup provides: a migrated fresh database, Temporal with our search attributes, the workflow bundle.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { SEARCH_ATTRIBUTE_TYPES } from '../../contracts/search-attributes.ts';
import { connectTemporal, testConfig, uniqueTaskQueue, workflowBundle } from '../helpers/stack.ts';

test('the database is this run’s own and migrated', async () => {
  const config = testConfig({ CART_HOLD_TTL: '2s' });
  expect(config.CART_HOLD_TTL).toBe(2000);
  expect(new URL(config.DATABASE_URL).pathname).toMatch(/^\/commerce_test_\d+_\d+$/);
  const client = new pg.Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM pgmigrations');
    expect(rows[0].n).toBeGreaterThan(0);
  } finally {
    await client.end();
  }
});

test('Temporal serves the namespace with every custom search attribute', async () => {
  const client = await connectTemporal();
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_TYPES)));
  } finally {
    await client.connection.close();
  }
});

test('the workflow bundle was built once for the run', () => {
  expect(existsSync(workflowBundle().codePath)).toBe(true);
  expect(uniqueTaskQueue('t')).not.toBe(uniqueTaskQueue('t'));
});
