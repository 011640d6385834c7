// The storefront catalog served from each API process's cache (api/catalog-cache.ts): kept CATALOG_CACHE_TTL, dropped at
// once by product changes (NOTIFY), stock figures lagging by at most the TTL, the product detail never cached.
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, createTestTenant, seedProduct, storefront } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => {
  // A TTL far longer than any wait below: whatever changes within a test changed through a notification.
  stack = await startTestStack({ worker: false, config: { CATALOG_CACHE_ENABLED: 'true', CATALOG_CACHE_TTL: '10m' } });
  tenant = await createTestTenant(stack.pool);
  await waitFor(async () => stack.catalogCache?.listening, { what: 'the catalog cache to listen' });
});
afterAll(async () => stack?.stop());

const list = () => stack.http.get('/store/products?limit=100').set('X-Publishable-Key', tenant.publishable_key);
const titleIn = (body: { items: { id: string; title: string }[] }, productId: string) => body.items.find((p) => p.id === productId)?.title;
const availableIn = (body: { items: { id: string; variants: { available_quantity: number }[] }[] }, productId: string) =>
  body.items.find((p) => p.id === productId)?.variants[0].available_quantity;

describe('catalog cache', () => {
  test('when a product is created or renamed, then the cached list shows it at once, long before the TTL', async () => {
    const before = await list();
    expect(before.status).toBe(200);
    const { productId } = await seedProduct(stack.http, tenant.admin_api_key, { title: 'Matcha tin', stock: 5 });
    await waitFor(async () => titleIn((await list()).body, productId) === 'Matcha tin', { timeoutMs: 5_000, what: 'the new product in the list' });

    expect((await backOffice(stack.http, tenant.admin_api_key).updateProduct(productId, { title: 'Matcha tin, large' })).status).toBe(200);
    await waitFor(async () => titleIn((await list()).body, productId) === 'Matcha tin, large', { timeoutMs: 5_000, what: 'the new title in the list' });
  });

  test('when stock is held, then the cached list keeps its figure (lag up to the TTL) while the product detail shows it now', async () => {
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { title: 'Hojicha', stock: 5 });
    await waitFor(async () => availableIn((await list()).body, productId) === 5, { timeoutMs: 5_000, what: 'the product in the list' });
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = (await store.createCart()).body.id as string;
    expect((await store.addItem(cart, variantId, 2)).status).toBe(200);

    const detail = await stack.http.get(`/store/products/${productId}`).set('X-Publishable-Key', tenant.publishable_key);
    expect(detail.body.variants[0].available_quantity).toBe(3);
    expect(availableIn((await list()).body, productId)).toBe(5);
  });

  test('when the cached list is asked again with its ETag, then 304 and no body', async () => {
    const first = await list();
    expect(first.headers.etag).toMatch(/^W\//);
    const again = await list().set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
  });

  test("when one tenant's catalog changes, then another tenant's cached list is kept", async () => {
    const other = await createTestTenant(stack.pool);
    const otherList = () => stack.http.get('/store/products').set('X-Publishable-Key', other.publishable_key);
    const { productId, variantId } = await seedProduct(stack.http, other.admin_api_key, { title: 'Sencha', stock: 4 });
    await waitFor(async () => availableIn((await otherList()).body, productId) === 4, { timeoutMs: 5_000, what: 'the other tenant product' });
    // A hold the other tenant's cached list does not show yet (stock is not notified)…
    const store = storefront(stack.http, other.publishable_key);
    const cart = (await store.createCart()).body.id as string;
    expect((await store.addItem(cart, variantId, 1)).status).toBe(200);
    // …and still does not once this tenant's catalog changed: only this tenant's answers were dropped.
    await seedProduct(stack.http, tenant.admin_api_key, { title: 'Genmaicha' });
    await waitFor(async () => (await list()).body.items.some((p: { title: string }) => p.title === 'Genmaicha'), { timeoutMs: 5_000, what: 'Genmaicha' });
    expect(availableIn((await otherList()).body, productId)).toBe(4);
  });
});
