// Two indexers on one product (a reindex page and the relay handling its deletion) write one after the other, so a
// deleted product never comes back into the index from a page that read it just before the deletion.
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { createDbPool } from '../../db/pool.ts';
import { sql } from '../../db/sql.ts';
import { createProduct, deleteProduct } from '../../db/queries/catalog.ts';
import { PostgresSearch } from '../../providers/search/postgres.ts';
import { refreshProducts } from '../../activities/search-indexer.ts';
import { buildProduct, createTestTenant } from '../helpers/factories.ts';
import { waitFor } from '../helpers/harness.ts';

let pool: DatabasePool;
beforeAll(async () => (pool = await createDbPool(process.env.DATABASE_URL!, 6)));
afterAll(async () => pool?.end());

const indexed = (tenantId: string, productId: string) =>
  pool.exists(sql.type(z.object({ one: z.number() }))`SELECT 1 AS one FROM search_documents WHERE tenant_id = ${tenantId} AND product_id = ${productId}`);

test('when a reindex page read a product and the product is deleted before the page commits, then the deletion wins in the index', async () => {
  const tenant = await createTestTenant(pool);
  const search = new PostgresSearch(pool);
  const product = await createProduct(pool, tenant.tenant_id, 'JPY', buildProduct({ title: 'Short-lived kettle' }) as never, null);
  let commitPage!: () => void;
  const pageMayCommit = new Promise<void>((resolve) => (commitPage = resolve));
  // The reindex page: reads the live product and writes it, then is slow to commit.
  const page = pool.transaction(async (tx) => {
    await refreshProducts(tx, search, tenant.tenant_id, [product.id]);
    await pageMayCommit;
  });
  await waitFor(
    async () =>
      (await pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int8 AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`)) > 0 || null,
    { what: 'the page to hold its product lock' },
  );
  await deleteProduct(pool, tenant.tenant_id, product.id, null);
  // The relay handles product.deleted meanwhile: it must wait for the page, then see the product gone.
  const relay = pool.transaction((tx) => refreshProducts(tx, search, tenant.tenant_id, [product.id]));
  await waitFor(
    async () =>
      (await pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int8 AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)) > 0 || null,
    { what: 'the relay to wait for the page' },
  );
  commitPage();
  await page;
  expect(await relay).toEqual({ upserted: 0, removed: 1 });
  expect(await indexed(tenant.tenant_id, product.id)).toBe(false);
});
