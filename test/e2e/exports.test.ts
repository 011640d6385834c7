// Exports end to end: orders, products and payouts as CSV (UTF-8 with BOM), by header key or signed short-lived link.
import { parse } from 'csv-parse/sync';
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { createTestTenant, placeTestOrder, storefront } from '../helpers/factories.ts';
import { bulkOffice, importFinished, rawText } from '../helpers/bulk.ts';
import { signLink } from '../../domain/signed-links.ts';
import { linkSigningKey } from '../../providers/link-signing-key.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const office = () => bulkOffice(stack.http, tenant.admin_api_key);
const BOM = '\ufeff';
const rowsOf = (csv: string) => parse(csv, { bom: true, columns: true }) as Record<string, string>[];

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { EXPORT_LINK_TTL: '1m' } }));
}, 120_000);
afterAll(async () => stack?.stop());

describe('CSV exports', () => {
  test('when orders are exported, then the file starts with the BOM and has one row per order line with its order totals', async () => {
    const from = new Date().toISOString();
    const first = await placeTestOrder(stack.http, tenant, { price: 1000, stock: 10, quantity: 2 });
    const second = await placeTestOrder(stack.http, tenant, { price: 2500, stock: 10 });
    const exp = await office().createExport({ kind: 'orders', from });
    expect([exp.status, exp.body.status, exp.body.kind]).toEqual([202, 'ready', 'orders']);
    const csv = await office().download(exp.body.id);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect((csv.body as string).startsWith(BOM)).toBe(true);
    const rows = rowsOf(csv.body);
    expect(rows.map((r) => [r.order_id, r.quantity, r.unit_price, r.order_total, r.currency])).toEqual([
      [first.order.id, '2', '1000', String(first.order.total.amount), 'JPY'],
      [second.order.id, '1', '2500', String(second.order.total.amount), 'JPY'],
    ]);
    // An order placed after the export's `to` (fixed when it was requested) is not in it.
    await placeTestOrder(stack.http, tenant, { price: 700, stock: 10 });
    expect(rowsOf((await office().download(exp.body.id)).body)).toHaveLength(2);
  }, 120_000);

  test('when an order has two lines, then the export has two rows for it', async () => {
    const from = new Date().toISOString();
    const shop = storefront(stack.http, tenant.publishable_key);
    const a = await stack.http.post('/admin/products').set('Authorization', `Bearer ${tenant.admin_api_key}`).send(twoVariantProduct());
    const cart = (await shop.createCart()).body.id;
    for (const v of a.body.variants as { id: string }[]) expect((await shop.addItem(cart, v.id, 1)).status).toBe(200);
    const placed = await shop.checkout(cart);
    expect(placed.status).toBe(201);
    const rows = rowsOf((await office().download((await office().createExport({ kind: 'orders', from })).body.id)).body);
    expect(
      rows
        .filter((r) => r.order_id === placed.body.order.id)
        .map((r) => r.sku)
        .sort(),
    ).toEqual(['TWO-A', 'TWO-B']);
  }, 120_000);

  test('when products are exported, then the file has one row per variant in the import columns, ready to import back', async () => {
    const exp = await office().createExport({ kind: 'products' });
    const csv = (await office().download(exp.body.id)).body as string;
    expect(csv.split('\n')[0]).toBe(`${BOM}handle,title,status,sku,variant_title,price,currency,on_hand,category,vendor_id`);
    const rows = rowsOf(csv);
    expect(rows.find((r) => r.sku === 'TWO-B')).toMatchObject({ variant_title: 'B', price: '900', currency: 'JPY' });
    const back = await bulkOffice(stack.http, tenant.admin_api_key).upload(csv);
    expect(back.status).toBe(202);
    const done = await importFinished(stack.http, tenant.admin_api_key, back.body.id);
    expect(done).toMatchObject({ status: 'completed', created: 0, updated: rows.length, failed: 0 });
  }, 60_000);

  test('when the signed download_url is used without a key, then it downloads; expired is 410 gone, forged or altered is 404', async () => {
    const exp = await office().createExport({ kind: 'payouts' });
    const url: string = exp.body.download_url;
    expect(url).toMatch(/^\/export-downloads\/[\w-]+\.[\w-]+$/);
    expect(url).not.toContain(tenant.admin_api_key);
    const ok = await stack.http.get(url).buffer(true).parse(rawText);
    expect([ok.status, (ok.body as string).split('\n')[0]]).toEqual([
      200,
      `${BOM}payout_id,created_at,vendor_id,vendor_name,order_id,kind,currency,gross,commission,net,commission_rate_bps,status,statement_id,reference,paid_at`,
    ]);
    const key = linkSigningKey(stack.config);
    const expired = signLink({ purpose: 'export-download', id: exp.body.id, tenantId: tenant.tenant_id, expiresAt: Date.now() - 1 }, key);
    const gone = await stack.http.get(`/export-downloads/${expired}`);
    expect([gone.status, gone.body.code, gone.type]).toEqual([410, 'gone', 'application/problem+json']);
    const forged = signLink(
      { purpose: 'export-download', id: exp.body.id, tenantId: tenant.tenant_id, expiresAt: Date.now() + 60_000 },
      'not-the-key-xxxxxxxx',
    );
    expect((await stack.http.get(`/export-downloads/${forged}`)).status).toBe(404);
    const [body, mac] = url.split('/').pop()!.split('.');
    expect((await stack.http.get(`/export-downloads/${body}x.${mac}`)).status).toBe(404);
    // A digital-delivery link (another purpose) never opens an export.
    const otherPurpose = signLink({ purpose: 'digital-delivery', id: exp.body.id, tenantId: tenant.tenant_id, expiresAt: Date.now() + 60_000 }, key);
    expect((await stack.http.get(`/export-downloads/${otherPurpose}`)).status).toBe(404);
  });

  test('when the admin key is put in the query string instead of the header, then the download is refused with 401', async () => {
    const exp = await office().createExport({ kind: 'products' });
    const res = await stack.http.get(`/admin/exports/${exp.body.id}/download?api_key=${tenant.admin_api_key}`);
    expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
  });

  test('when an export body is bad or another tenant asks for it, then 400 and 404', async () => {
    const bad = await office().createExport({ kind: 'customers' });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    const reversed = await office().createExport({ kind: 'orders', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(reversed.status).toBe(400);
    const exp = await office().createExport({ kind: 'orders' });
    const other = await createTestTenant(stack.pool);
    expect((await bulkOffice(stack.http, other.admin_api_key).export(exp.body.id)).status).toBe(404);
    expect((await bulkOffice(stack.http, other.admin_api_key).download(exp.body.id)).status).toBe(404);
  });
});

/** A published product of two variants (SKUs TWO-A and TWO-B) with stock. */
function twoVariantProduct() {
  const variant = (sku: string, title: string, amount: number) => ({ sku, title, price: { amount, currency: 'JPY' }, inventory: [{ on_hand: 5 }] });
  return { title: 'Two variants', status: 'published', variants: [variant('TWO-A', 'A', 800), variant('TWO-B', 'B', 900)] };
}
