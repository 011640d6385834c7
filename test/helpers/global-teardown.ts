// jest global teardown: stops the dev server and drops the run's database (KEEP_TEST_DB=1 keeps it for inspection).
import pg from 'pg';
import type { DevServer } from '../../scripts/temporal-dev-server.ts';

const state = globalThis as typeof globalThis & { __TEMPORAL_DEV_SERVER__?: DevServer; __TEST_DATABASE__?: { name: string; adminUrl: string } };

/** Undoes what global setup started; safe to call twice. */
export default async function globalTeardown(): Promise<void> {
  const server = state.__TEMPORAL_DEV_SERVER__;
  state.__TEMPORAL_DEV_SERVER__ = undefined;
  const database = state.__TEST_DATABASE__;
  state.__TEST_DATABASE__ = undefined;
  const stopping = server?.stop();

  if (database && process.env.KEEP_TEST_DB === '1') {
    process.stderr.write(`[test stack] kept database ${database.name} (KEEP_TEST_DB=1)\n`);
  } else if (database) {
    const client = new pg.Client({ connectionString: database.adminUrl });
    await client.connect();
    try {
      // FORCE: pools that a test forgot to close must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  await stopping;
}
