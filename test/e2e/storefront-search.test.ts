// Storefront search follows the catalog through outbox events: the API writes products, the relay updates the index.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildProduct, storefront } from '../helpers/factories.ts';
import { sql } from '../../db/sql.ts';
import { searchReindexWorkflowId } from '../../domain/relay.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ relay: true })));
afterAll(async () => stack?.stop());

const indexedCount = async (tenantId: string) =>
  stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM search_documents WHERE tenant_id = ${tenantId}`);

describe('storefront search', () => {
  test('when a product is created, repriced and deleted through /admin, then /store/search finds it, re-filters and re-sorts it, then drops it', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const h = { 'X-Publishable-Key': tenant.publishable_key };
    const search = (query: string) => stack.http.get(`/store/search${query}`).set(h);
    const created = await admin.createProduct({ ...buildProduct({ title: 'Hinoki cutting board', price: 4800, stock: 3 }), description: 'Cypress wood board' });
    expect(created.status).toBe(201);
    const cheaper = await admin.createProduct(buildProduct({ title: 'Hinoki bath stool', price: 3000 }));
    const id = created.body.id as string;

    // The API wrote no index entry itself: the relay picks up product.updated and the index follows.
    const found = await waitFor(
      async () => {
        const res = await search('?q=hinoki');
        return res.body.total === 2 && res.body;
      },
      { what: 'both products in the index' },
    );
    expect(found.hits.map((p: { id: string }) => p.id).sort()).toEqual([id, cheaper.body.id].sort());
    const hit = found.hits.find((p: { id: string }) => p.id === id);
    expect(hit).toMatchObject({
      id,
      title: 'Hinoki cutting board',
      status: 'published',
      variants: [{ price: { amount: 4800, currency: 'JPY' }, available_quantity: 3 }],
    });
    expect(found.facets.price).toEqual({ '1000-4999': 2 });
    expect((await search('?q=hinoky')).body.total).toBe(2); // one typo
    expect((await search('?q=hinpky')).body.total).toBe(0); // two typos in a six-letter word: over the budget
    expect((await search('?q=cuting%20board')).body.hits.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await search('?q=hinoki&sort=price_asc')).body.hits.map((p: { id: string }) => p.id)).toEqual([cheaper.body.id, id]);
    expect((await search('?q=hinoki&max_price=4000')).body.hits.map((p: { id: string }) => p.id)).toEqual([cheaper.body.id]);
    const viaList = await stack.http.get('/store/products?q=cutting').set(h);
    expect(viaList.body).toEqual({ items: [expect.objectContaining({ id })], next_cursor: null });

    // A cart hold writes no outbox event, yet the hits show the stock left at this instant, not the indexed 3.
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = (await store.createCart()).body;
    expect((await store.addItem(cart.id, created.body.variants[0].id, 2)).status).toBe(200);
    expect((await search('?q=cutting')).body.hits[0].variants[0].available_quantity).toBe(1);
    expect((await stack.http.get('/store/products?q=cutting').set(h)).body.items[0].variants[0].available_quantity).toBe(1);

    const variantId = created.body.variants[0].id as string;
    const repriced = await stack.http
      .patch(`/admin/products/${id}`)
      .set({ Authorization: `Bearer ${tenant.admin_api_key}` })
      .send({ variants: [{ id: variantId, price: { amount: 2000, currency: 'JPY' } }] });
    expect(repriced.status).toBe(200);
    const reordered = await waitFor(
      async () => {
        const res = await search('?q=hinoki&sort=price_asc');
        return res.body.hits[0]?.id === id && res.body;
      },
      { what: 'the repriced product to sort first' },
    );
    expect(reordered.hits.map((p: { id: string }) => p.id)).toEqual([id, cheaper.body.id]);
    expect((await search('?q=hinoki&max_price=2500')).body.hits.map((p: { id: string }) => p.id)).toEqual([id]);

    expect((await stack.http.delete(`/admin/products/${id}`).set({ Authorization: `Bearer ${tenant.admin_api_key}` })).status).toBe(204);
    const after = await waitFor(
      async () => {
        const res = await search('?q=hinoki');
        return res.body.total === 1 && res.body;
      },
      { what: 'the deleted product to leave the index' },
    );
    expect(after.hits.map((p: { id: string }) => p.id)).toEqual([cheaper.body.id]);
  });

  test('when search parameters are invalid, then it is 400 validation_failed, and without a key 401', async () => {
    const h = { 'X-Publishable-Key': tenant.publishable_key };
    for (const query of ['?limit=0', '?limit=101', '?sort=cheapest', '?min_price=-1', '?min_price=500&max_price=100', '?offset=abc', '?in_stock=maybe']) {
      const res = await stack.http.get(`/store/search${query}`).set(h);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'validation_failed' });
    }
    expect((await stack.http.get('/store/search?q=x')).status).toBe(401);
  });

  test('when the index lost documents and the reindex CLI runs, then a workflow rebuilds it and reports its progress', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    for (const title of ['Nambu ironware kettle', 'Nambu trivet', 'Draft kettle']) {
      expect((await admin.createProduct(buildProduct({ title, status: title.startsWith('Draft') ? 'draft' : 'published' }))).status).toBe(201);
    }
    await waitFor(async () => (await store.products('?q=nambu')).body.items.length === 2, { what: 'the new products in the index' });
    const live = await indexedCount(tenant.tenant_id);
    // The index drifts from the catalog (e.g. restored from an old backup): one product missing, one stale extra.
    await stack.pool.query(sql.type(z.object({}))`DELETE FROM search_documents WHERE tenant_id = ${tenant.tenant_id} AND title = 'Nambu trivet'`);
    await stack.pool.query(sql.type(z.object({}))`
      INSERT INTO search_documents (tenant_id, product_id, title, search_text, tsv, in_stock, product_created_at, doc, indexed_at)
      VALUES (${tenant.tenant_id}, 'prod_stale', 'Nambu ghost', 'nambu ghost', 'nambu:1A'::tsvector, true, now(), '{"id":"prod_stale","title":"Nambu ghost"}', now() - interval '1 hour')`);
    expect((await store.products('?q=nambu')).body.items.map((p: { title: string }) => p.title).sort()).toEqual(
      ['Nambu ironware kettle', 'Nambu ghost'].sort(),
    );

    // Asynchronously: this process hosts the worker that runs the reindex workflow.
    const cli = await promisify(execFile)(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'scripts/cli.ts', 'search', 'reindex', '--tenant', tenant.tenant_id, '--json'],
      {
        cwd: process.cwd(),
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, TEMPORAL_TASK_QUEUE: stack.taskQueue, LOG_LEVEL: 'silent' },
      },
    );
    expect(cli.stderr).toBe('');
    const printed = JSON.parse(cli.stdout);
    expect(printed).toMatchObject({ workflow_id: searchReindexWorkflowId(tenant.tenant_id), progress: { done: true, indexed: live, pruned: 1 } });
    expect((await store.products('?q=nambu')).body.items.map((p: { title: string }) => p.title).sort()).toEqual(['Nambu ironware kettle', 'Nambu trivet']);
    expect(await indexedCount(tenant.tenant_id)).toBe(live);
    const handle = stack.temporal.workflow.getHandle(searchReindexWorkflowId(tenant.tenant_id));
    const described = await handle.describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.memo).toMatchObject({ progress: { done: true, indexed: live } });
  });
});
