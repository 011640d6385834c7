// `npm run seed`: loads the demo catalog into a new tenant and prints its credentials.
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../config/config.ts';
import { createDbPool } from '../db/pool.ts';
import { ensureDatabase, migrate } from '../db/migrate.ts';
import { demoBanner, saveDemoCredentials, seedDemo } from './seed-data.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();
await ensureDatabase(config.DATABASE_URL);
await migrate(config.DATABASE_URL, `${root}/db/migrations`);
const pool = await createDbPool(config.DATABASE_URL, 2);
const tenant = await seedDemo(pool);
await pool.end();
saveDemoCredentials(root, config.DATABASE_URL, tenant);
console.log(demoBanner(tenant, `http://localhost:${config.PORT}`));
