// `npm run migrate`: create the database if missing and apply migrations.
import { loadConfigOrExit } from '../config/config.ts';
import { ensureDatabase, migrate } from '../db/migrate.ts';

const config = loadConfigOrExit();
const created = await ensureDatabase(config.DATABASE_URL);
if (created) console.log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
const applied = await migrate(config.DATABASE_URL, new URL('../db/migrations', import.meta.url).pathname);
console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations up to date');
