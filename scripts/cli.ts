// `npm run -s cli -- <command>`: tenant and key administration.
//   tenant create --name "Demo" --mode single_brand|mall [--currency JPY] [--json]
//   vendor-key create --tenant <id> --vendor <id> [--json]
//   api-key create --tenant <id> --role owner|admin|staff|viewer --name <text> [--json]
//   search reindex --tenant <id> [--json]
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/config.ts';
import { createDbPool } from '../db/pool.ts';
import { createTenant, tenantCurrency } from '../db/queries/tenants.ts';
import { createVendorKey } from '../db/queries/api-keys.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { STAFF_ROLES, type StaffRole } from '../domain/roles.ts';
import { reindexTenant } from './search-reindex.ts';

const USAGE = `usage:
  npm run -s cli -- tenant create --name "Demo" --mode single_brand|mall [--currency JPY] [--json]
  npm run -s cli -- vendor-key create --tenant <tenant id> --vendor <vendor id> [--json]
  npm run -s cli -- api-key create --tenant <tenant id> --role owner|admin|staff|viewer --name "Hanako" [--json]
  npm run -s cli -- search reindex --tenant <tenant id> [--json]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        mode: { type: 'string' },
        currency: { type: 'string' },
        tenant: { type: 'string' },
        vendor: { type: 'string' },
        role: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (err) {
    return fail((err as Error).message);
  }
})();

const command = positionals.join(' ');
const print = (result: Record<string, unknown>) => {
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else for (const [k, v] of Object.entries(result)) process.stdout.write(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
};

if (!['tenant create', 'vendor-key create', 'api-key create', 'search reindex'].includes(command)) fail(`unknown command "${command}"`);
const config = loadConfigOrExit();
const pool = await createDbPool(config.DATABASE_URL, 2);
try {
  if (command === 'tenant create') {
    if (!values.name?.trim()) fail('--name is required');
    const mode = values.mode ?? 'single_brand';
    if (mode !== 'single_brand' && mode !== 'mall') fail('--mode must be single_brand or mall');
    const currency = (values.currency ?? 'JPY').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) fail('--currency must be an ISO 4217 code such as JPY');
    const created = await createTenant(pool, { name: values.name.trim(), mode, currency });
    print({ tenant_id: created.tenant_id, publishable_key: created.publishable_key, admin_api_key: created.admin_api_key });
  } else if (command === 'search reindex') {
    if (!values.tenant) fail('--tenant is required');
    if (!(await tenantCurrency(pool, values.tenant))) fail(`tenant ${values.tenant} does not exist`);
    print(
      await reindexTenant(config, values.tenant, (p) => {
        if (!values.json) process.stderr.write(`indexed ${p.indexed}, removed ${p.removed} (${p.pages} pages)\n`);
      }),
    );
  } else if (command === 'api-key create') {
    if (!values.tenant) fail('--tenant is required');
    const role = values.role;
    if (!role || !(STAFF_ROLES as readonly string[]).includes(role)) fail(`--role must be one of ${STAFF_ROLES.join(', ')}`);
    const name = values.name?.trim();
    if (!name || name.length > 100) fail('--name is required (1 to 100 characters)');
    if (!(await tenantCurrency(pool, values.tenant))) fail(`tenant ${values.tenant} does not exist`);
    // The system acts here (actor null in the audit entry): whoever runs the CLI holds the database already.
    const created = await createApiKey(pool, { tenantId: values.tenant, role: role as StaffRole, name, actor: null });
    print({ id: created.id, api_key: created.api_key });
  } else {
    if (!values.tenant || !values.vendor) fail('--tenant and --vendor are required');
    print(await createVendorKey(pool, values.tenant, values.vendor).catch((err: Error) => fail(err.message)));
  }
} finally {
  await pool.end();
}
