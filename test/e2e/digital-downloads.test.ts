// Digital products end to end: signed, expiring, counted download links issued once paid, revoked by refunds and
// cancellations, reissued by the back office; digital lines ship nothing (real API, worker, Temporal and PostgreSQL).
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import {
  abandonDownload,
  buildDownloadable,
  checkoutVariants,
  downloadsOf,
  fetchDownload,
  pathOf,
  seedDigitalProduct,
  type Download,
} from '../helpers/digital.ts';
import { MAX_DOWNLOAD_GIVE_BACKS } from '../../domain/digital.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ relay: true }));
}, 60_000);
afterAll(async () => stack?.stop());

const office = () => backOffice(stack.http, tenant.admin_api_key);
type Placed = { id: string; access_token: string; status: string };

/** A digital product bought alone by card; waits for its one download. */
async function boughtByCard(bytes: Buffer, overrides: { link_ttl?: string; max_downloads?: number } = {}) {
  const { variantId } = await seedDigitalProduct(stack.http, tenant.admin_api_key, bytes, overrides);
  const checkout = await checkoutVariants(stack.http, tenant, [variantId], { payment_method: 'card', payment_token: 'tok_visa' });
  expect(checkout.status).toBe(201);
  const order = checkout.body.order as Placed;
  const [download] = await waitFor(async () => ((await downloadsOf(stack.http, tenant, order)).length ? downloadsOf(stack.http, tenant, order) : null), {
    what: 'the download link',
  });
  return { order, variantId, download: download! };
}

describe('digital products', () => {
  test('when a digital order is paid by card, then its link downloads the exact bytes, counts down and answers 410 once used up', async () => {
    const bytes = buildDownloadable(200 * 1024);
    const { order, variantId, download } = await boughtByCard(bytes, { max_downloads: 2 });
    expect(download).toMatchObject({
      variant_id: variantId,
      remaining: 2,
      status: 'active',
      url: expect.stringMatching(/\/store\/downloads\/[\w-]+\.[\w-]+$/),
    });

    const first = await fetchDownload(stack.http, download.url!);
    expect([first.status, first.headers['content-type'], first.headers['x-downloads-remaining']]).toEqual([200, 'application/pdf', '1']);
    expect(Buffer.compare(first.body as Buffer, bytes)).toBe(0);
    expect((await downloadsOf(stack.http, tenant, order))[0]!.remaining).toBe(1);
    const second = await fetchDownload(stack.http, download.url!);
    expect([second.status, Buffer.compare(second.body as Buffer, bytes)]).toEqual([200, 0]);
    const third = await fetchDownload(stack.http, download.url!);
    expect([third.status, third.body.code, third.body.details?.reason]).toEqual([410, 'gone', 'used_up']);
    expect((await downloadsOf(stack.http, tenant, order))[0]!.remaining).toBe(0);

    // Nothing to ship: the order completed with its links, and the card is captured right after.
    const admin = await office().order(order.id);
    expect([admin.body.status, admin.body.shipments]).toEqual(['completed', []]);
    await waitFor(async () => (await office().order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
    // The customer was e-mailed the same link (signed when the e-mail was sent; the database never holds it).
    const mail = await waitFor(async () => stack.notifier.sent.find((m) => m.template === 'digital_downloads' && m.data.order_id === order.id), {
      what: 'the downloads e-mail',
    });
    expect((mail.data.downloads as { url: string }[])[0]!.url).toBe(download.url);
  });

  test('when the link outlives its link_ttl, then it answers 410; a reissue gives a new link that downloads while the old one stays gone', async () => {
    const bytes = buildDownloadable(4096);
    const { order, download } = await boughtByCard(bytes, { link_ttl: '2s', max_downloads: 5 });
    // Polled with HEAD, which takes no download (a GET each time would use the link up before it expires).
    await waitFor(async () => (await stack.http.head(new URL(download.url!).pathname)).status === 410 || null, {
      timeoutMs: 15_000,
      what: 'the link to expire',
    });
    const expired = await fetchDownload(stack.http, download.url!);
    expect([expired.status, expired.body.code, expired.body.details?.reason]).toEqual([410, 'gone', 'expired']);

    const reissued = await stack.http
      .post(`/admin/orders/${order.id}/downloads/${download.id}/reissue`)
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({});
    expect(reissued.status).toBe(200);
    expect(reissued.body.url).not.toBe(download.url);
    expect(reissued.body.remaining).toBe(5);
    const fresh = await fetchDownload(stack.http, reissued.body.url);
    expect([fresh.status, Buffer.compare(fresh.body as Buffer, bytes)]).toEqual([200, 0]);
    expect((await fetchDownload(stack.http, download.url!)).status).toBe(410);
  });

  test('when a paid digital order is refunded, then its link answers 410 revoked and cannot be reissued', async () => {
    const { order, download } = await boughtByCard(buildDownloadable(1024));
    await waitFor(async () => (await office().order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
    expect((await office().refund(order.id, 1500)).status).toBe(200);
    const gone = await fetchDownload(stack.http, download.url!);
    expect([gone.status, gone.body.details?.reason]).toEqual([410, 'revoked']);
    const reissue = await stack.http
      .post(`/admin/orders/${order.id}/downloads/${download.id}/reissue`)
      .set('Authorization', `Bearer ${tenant.admin_api_key}`)
      .send({});
    expect([reissue.status, reissue.body.code]).toEqual([409, 'conflict']);
  });

  test('when two last downloads race, then exactly one gets the file and the other answers 410', async () => {
    const bytes = buildDownloadable(32 * 1024);
    const { download } = await boughtByCard(bytes, { max_downloads: 1 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetchDownload(stack.http, download.url!)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410, 410]);
    // The one that counted carried the whole file.
    expect(answers.find((a) => a.status === 200)!.body.equals(bytes)).toBe(true);
  });

  test('when a buyer hangs up part way through the last download, then it is given back and the next complete one counts', async () => {
    // Larger than the loopback socket buffers, so hanging up after the first chunk leaves most of the file unsent.
    const bytes = buildDownloadable(24 * 1024 * 1024);
    const { download } = await boughtByCard(bytes, { max_downloads: 1 });
    expect(await abandonDownload(stack.server, download.url!)).toBe(200);
    await waitFor(async () => (await stack.http.head(pathOf(download.url!))).status === 200, { what: 'the abandoned download given back' });
    const whole = await fetchDownload(stack.http, download.url!);
    expect([whole.status, whole.body.equals(bytes)]).toEqual([200, true]);
    expect((await fetchDownload(stack.http, download.url!)).status).toBe(410);
  });

  test('when a buyer keeps hanging up before the end, then only the first three are given back and the fourth counts', async () => {
    const bytes = buildDownloadable(24 * 1024 * 1024);
    const { download } = await boughtByCard(bytes, { max_downloads: 1 });
    for (let i = 1; i <= MAX_DOWNLOAD_GIVE_BACKS; i++) {
      expect(await abandonDownload(stack.server, download.url!)).toBe(200);
      await waitFor(async () => (await stack.http.head(pathOf(download.url!))).status === 200, { what: `abandoned download ${i} given back` });
    }
    expect(await abandonDownload(stack.server, download.url!)).toBe(200);
    // The earlier give-backs showed within milliseconds: a fourth would have by now.
    for (let waited = 0; waited < 1500; waited += 100) {
      expect((await stack.http.head(pathOf(download.url!))).status).toBe(410);
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await fetchDownload(stack.http, download.url!);
    expect([after.status, after.body.details?.reason]).toEqual([410, 'used_up']);
  });

  test('when a mixed order is paid by bank transfer, then only the physical line ships, links come once paid, and it completes with its delivery', async () => {
    const bytes = buildDownloadable(2048);
    const { variantId: digitalVariant } = await seedDigitalProduct(stack.http, tenant.admin_api_key, bytes, { stock: 10 });
    const { variantId: physicalVariant } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const checkout = await checkoutVariants(stack.http, tenant, [digitalVariant, physicalVariant], { payment_method: 'bank_transfer' });
    expect(checkout.status).toBe(201);
    const order = checkout.body.order as Placed;
    expect(await downloadsOf(stack.http, tenant, order)).toEqual([]);

    expect((await office().confirmPayment(order.id, 2500)).status).toBe(200);
    const downloads = await waitFor(async () => ((await downloadsOf(stack.http, tenant, order)).length ? downloadsOf(stack.http, tenant, order) : null), {
      what: 'the download link',
    });
    expect(downloads.map((d: Download) => d.variant_id)).toEqual([digitalVariant]);
    expect((await fetchDownload(stack.http, downloads[0]!.url!)).status).toBe(200);
    const shipments = (await office().order(order.id)).body.shipments as { id: string }[];
    expect(shipments).toHaveLength(1);
    // The digital unit left stock when delivered; the physical one is still allocated until it ships.
    expect(await stockOf(stack.pool, digitalVariant)).toEqual({ on_hand: 9, reserved: 0, holds_total: 0 });
    expect(await stockOf(stack.pool, physicalVariant)).toEqual({ on_hand: 5, reserved: 1, holds_total: 1 });
    expect((await office().order(order.id)).body.status).toBe('pending_shipment');

    expect((await office().ship(shipments[0]!.id)).status).toBe(200);
    expect((await office().deliver(shipments[0]!.id)).status).toBe(200);
    await waitFor(async () => (await office().order(order.id)).body.status === 'completed' || null, { what: 'the order to complete' });
  });

  test('when a mixed card order is cancelled before shipping, then its link answers 410 revoked', async () => {
    const { variantId: digitalVariant } = await seedDigitalProduct(stack.http, tenant.admin_api_key, buildDownloadable(1024));
    const { variantId: physicalVariant } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 5 });
    const checkout = await checkoutVariants(stack.http, tenant, [digitalVariant, physicalVariant], { payment_method: 'card', payment_token: 'tok_visa' });
    const order = checkout.body.order as Placed;
    const [download] = await waitFor(async () => ((await downloadsOf(stack.http, tenant, order)).length ? downloadsOf(stack.http, tenant, order) : null), {
      what: 'the download link',
    });
    expect((await office().cancel(order.id)).status).toBe(200);
    const gone = await fetchDownload(stack.http, download!.url!);
    expect([gone.status, gone.body.details?.reason]).toEqual([410, 'revoked']);
    expect((await downloadsOf(stack.http, tenant, order))[0]).toMatchObject({ status: 'revoked', url: null });
  });

  test('when a cart with a digital line is checked out cash on delivery, then it is 400 and no order is placed', async () => {
    const { variantId } = await seedDigitalProduct(stack.http, tenant.admin_api_key, buildDownloadable(1024));
    const store = storefront(stack.http, tenant.publishable_key);
    const cart = (await store.createCart()).body as { id: string };
    await store.addItem(cart.id, variantId, 1);
    const cod = await store.checkout(cart.id, buildCheckout({ payment_method: 'cod' }));
    expect([cod.status, cod.body.code, cod.body.detail]).toEqual([400, 'validation_failed', expect.stringContaining('cannot be paid on delivery')]);
    expect((await store.cart(cart.id)).body.status).toBe('open');
  });

  test('when a download token is forged or altered, then it is 404 and takes nothing', async () => {
    const { order, download } = await boughtByCard(buildDownloadable(1024), { max_downloads: 1 });
    const token = download.url!.split('/').pop()!;
    const [body, mac] = token.split('.');
    const altered = `${body}.${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [altered, 'not-a-token', `${body}`]) {
      const res = await stack.http.get(`/store/downloads/${bad}`);
      expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    }
    expect((await downloadsOf(stack.http, tenant, order))[0]!.remaining).toBe(1);
    // A HEAD probe (link previews) reads the link without spending it.
    expect((await stack.http.head(new URL(download.url!).pathname)).status).toBe(200);
    expect((await downloadsOf(stack.http, tenant, order))[0]!.remaining).toBe(1);
  });
});
