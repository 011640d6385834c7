// Adding to a cart reads a handful of rows however many carts and holds the store has, also while its tables are too
// new to have statistics: PostgreSQL plans the prepared cart statements and the hold functions once per connection, and
// a plan made then used to walk every cart of the tenant and every held row (migration 1764900000000).
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { createDbPool, type DatabasePool } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';
import { noRows, sql } from '../../db/sql.ts';
import { addCartItem, createCart } from '../../db/queries/carts.ts';
import { createProduct } from '../../db/queries/catalog.ts';
import { createTestTenant, buildProduct } from '../helpers/factories.ts';

const CARTS = 300;
const RULES = { ttlMs: 15 * 60_000, maxLifetimeMs: 60 * 60_000, maxLineQuantity: 100 };
const dbName = `commerce_hold_plans_${Date.now()}_${randomUUID().slice(0, 6)}`;
const adminUrl = new URL('/postgres', process.env.DATABASE_URL!).toString();
let pool: DatabasePool;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const tableReads = z.object({ relname: z.string(), reads: z.number() });

/** Rows read so far from carts and holds by this connection's scans (its pending statistics flushed first). */
async function rowsRead(): Promise<Record<string, number>> {
  await pool.query(sql.type(noRows)`SELECT pg_stat_force_next_flush()`);
  await pool.query(sql.type(noRows)`SELECT pg_stat_clear_snapshot()`);
  const rows = await pool.any(sql.type(tableReads)`
    SELECT relname, (COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0))::int8 AS reads
    FROM pg_stat_user_tables WHERE relname IN ('carts', 'holds')`);
  return Object.fromEntries(rows.map((r) => [r.relname, r.reads]));
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${dbName}"`);
  const url = new URL(`/${dbName}`, process.env.DATABASE_URL!).toString();
  await migrate(url, path.join(process.cwd(), 'db/migrations'));
  // Keep the tables without statistics for the whole test, as they are in a store's first minute.
  pool = await createDbPool(url, 1);
  for (const table of ['carts', 'holds', 'cart_items']) {
    await pool.query(sql.type(noRows)`ALTER TABLE ${sql.identifier([table])} SET (autovacuum_enabled = false)`);
  }
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
});

describe('hold lookups without statistics', () => {
  test('when a store has hundreds of carts and holds and none analyzed, then each add reads a few cart and hold rows, not all of them', async () => {
    const tenant = await createTestTenant(pool);
    const product = await createProduct(pool, tenant.tenant_id, 'JPY', buildProduct({ stock: 100_000 }) as never, null);
    const variantId = product.variants[0].id;
    const carts = [];
    for (let i = 0; i < CARTS; i++) carts.push(await createCart(pool, tenant.tenant_id, { currency: 'JPY' }));
    // First holds of a few carts while holds is still empty: the plans are made now (five custom, then the generic one).
    for (const cart of carts.slice(0, 10)) await addCartItem(pool, tenant.tenant_id, cart.id, null, variantId, 1, RULES);
    // Then every cart holds, so the tables are as a busy sale has them.
    for (const cart of carts.slice(10)) await addCartItem(pool, tenant.tenant_id, cart.id, null, variantId, 1, RULES);

    const before = await rowsRead();
    const measured = carts.slice(0, 50);
    for (const cart of measured) await addCartItem(pool, tenant.tenant_id, cart.id, null, variantId, 1, RULES);
    const after = await rowsRead();

    const perAdd = (table: string) => (after[table] - before[table]) / measured.length;
    // An add (its statement and the cart view it answers with) finds the cart and its hold by key a few times each.
    expect(perAdd('carts')).toBeLessThan(15);
    expect(perAdd('holds')).toBeLessThan(15);
  });
});
