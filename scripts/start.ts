// `npm start`: the whole store on one machine — database and migrations, a Temporal dev server with its
// Web UI (unless TEMPORAL_ADDRESS is set), demo data on an empty database, then the worker and the API.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadConfigOrExit } from '../config/config.ts';
import { createLogger } from '../config/logger.ts';
import { createDbPool } from '../db/pool.ts';
import { ensureDatabase, migrate } from '../db/migrate.ts';
import { countTenants } from '../db/queries/tenants.ts';
import { startApi } from '../api/server.ts';
import { startWorker } from '../workers/run.ts';
import { isPortOpen, startDevServer, type DevServer } from './temporal-dev-server.ts';
import { demoBanner, demoCredentialsPath, saveDemoCredentials, seedDemo } from './seed-data.ts';
import type { CreatedTenant } from '../db/queries/tenants.ts';
import { buildDashboard } from './build-dashboard.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// The demo bills subscriptions in seconds when asked to (`5s`); the environment may still say otherwise.
const config = loadConfigOrExit({ ALLOW_SHORT_BILLING_INTERVALS: 'true', ...process.env });
const logger = createLogger(config.LOG_LEVEL, 'store');
const say = (text: string) => process.stdout.write(`${text}\n`);
const apiUrl = `http://localhost:${config.PORT}`;

try {
  if (await ensureDatabase(config.DATABASE_URL)) say(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
} catch (err) {
  say(`cannot reach PostgreSQL at ${new URL(config.DATABASE_URL).host}: ${(err as Error).message}`);
  say('start it (e.g. pg_ctlcluster --skip-systemctl-redirect 15 main start) or set DATABASE_URL');
  process.exit(1);
}
const applied = await migrate(config.DATABASE_URL, path.join(root, 'db/migrations'));
if (applied.length) say(`applied migrations: ${applied.join(', ')}`);

let devServer: DevServer | undefined;
let address = config.TEMPORAL_ADDRESS;
let uiUrl = config.TEMPORAL_UI_URL;
if (!address) {
  if (await isPortOpen('127.0.0.1', 7233)) {
    address = '127.0.0.1:7233';
    say('a Temporal server already listens on 127.0.0.1:7233; using it');
  } else {
    say('starting the Temporal dev server (state in .data/temporal.db, Web UI on :8233)…');
    // The UI decodes payloads through our API's codec endpoint (staff sign in at /codec/sign-in).
    devServer = await startDevServer({ port: 7233, uiPort: 8233, dbFile: path.join(root, '.data', 'temporal.db'), codecEndpoint: `${apiUrl}/codec` });
    address = devServer.address;
    uiUrl = devServer.uiUrl ?? uiUrl;
  }
}

// The back-office web app, built from dashboard/ once (later starts find it current and skip the build).
if (await buildDashboard()) say('built the dashboard (dashboard/dist)');

const pool = await createDbPool(config.DATABASE_URL, 2);
let created: CreatedTenant | undefined;
if ((await countTenants(pool)) === 0) {
  say('empty database: loading the demo catalog');
  created = await seedDemo(pool);
  saveDemoCredentials(root, config.DATABASE_URL, created);
}
await pool.end();

const worker = await startWorker(config, logger, address);
const api = await startApi(config, logger, address);
say('');
say(`Store API       ${apiUrl}   (OpenAPI: ${apiUrl}/openapi.json)`);
say(`Dashboard       ${apiUrl}/dashboard   (sign in with a staff API key)`);
say(`Temporal Web UI ${uiUrl}   (find an order: OrderId="ord_…" in the search box)`);
say(`Decode payloads sign in at ${apiUrl}/codec/sign-in with an owner/admin key; in the UI's Codec Server settings tick "Include cross-origin credentials"`);
// Keys are printed once, when they are created; later starts say where they are kept, not what they are.
const credentials = demoCredentialsPath(root, config.DATABASE_URL);
if (created) say(demoBanner(created, apiUrl));
else if (existsSync(credentials))
  say(`Demo store credentials: in ${path.relative(process.cwd(), credentials) || credentials} (printed when they were created)`);
say('Ctrl-C stops everything.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: API, then worker, then Temporal');
  await api.stop().catch((err) => logger.error({ err }, 'api stop failed'));
  await worker.stop().catch((err) => logger.error({ err }, 'worker stop failed'));
  await devServer?.stop().catch((err) => logger.error({ err }, 'dev server stop failed'));
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
await worker.done;
