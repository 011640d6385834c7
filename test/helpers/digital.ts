// Digital products in tests: uploads, digital products and images, orders of them, their downloads.
import { randomBytes, randomUUID } from 'node:crypto';
import { get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent as TestAgent } from 'supertest';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { buildCheckout, buildProduct, storefront } from './factories.ts';

/** The smallest valid PNG header and some random bytes after it: a file the upload accepts as image/png. */
export function buildPng(size = 256): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, randomBytes(Math.max(0, size - signature.length))]);
}

/** Random bytes standing in for an e-book or an archive. */
export function buildDownloadable(size = 64 * 1024): Buffer {
  return randomBytes(size);
}

/** POST /admin/files with a raw body. */
export function uploadFile(http: TestAgent, apiKey: string, bytes: Buffer, contentType = 'application/pdf') {
  return http.post('/admin/files').set('Authorization', `Bearer ${apiKey}`).set('Content-Type', contentType).send(bytes);
}

/** Uploads a file and returns its id. */
export async function seedFile(http: TestAgent, apiKey: string, bytes: Buffer, contentType = 'application/pdf'): Promise<string> {
  const res = await uploadFile(http, apiKey, bytes, contentType);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.file_id;
}

/** Body of POST /admin/products for a digital product whose variant delivers `fileId`. */
export function buildDigitalProduct(fileId: string, overrides: { link_ttl?: string; max_downloads?: number; price?: number; stock?: number } = {}) {
  const base = buildProduct({ price: overrides.price ?? 1500, stock: overrides.stock ?? 100 });
  const digital = { file_id: fileId, ...(overrides.link_ttl ? { link_ttl: overrides.link_ttl } : {}), max_downloads: overrides.max_downloads ?? 3 };
  return { ...base, title: `E-book ${randomUUID().slice(0, 6)}`, type: 'digital', variants: [{ ...base.variants[0], digital }] };
}

/** A digital product delivering `bytes`; returns the variant id. */
export async function seedDigitalProduct(
  http: TestAgent,
  apiKey: string,
  bytes: Buffer,
  overrides: Parameters<typeof buildDigitalProduct>[1] = {},
): Promise<{ productId: string; variantId: string; fileId: string }> {
  const fileId = await seedFile(http, apiKey, bytes);
  const res = await http.post('/admin/products').set('Authorization', `Bearer ${apiKey}`).send(buildDigitalProduct(fileId, overrides));
  if (res.status !== 201) throw new Error(`digital product creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { productId: res.body.id, variantId: res.body.variants[0].id, fileId };
}

/** A cart of these variants (one unit each) checked out; returns the checkout answer. */
export async function checkoutVariants(
  http: TestAgent,
  tenant: CreatedTenant,
  variantIds: string[],
  payment: { payment_method: string; payment_token?: string },
) {
  const store = storefront(http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  for (const variantId of variantIds) {
    const added = await store.addItem(cart.id, variantId, 1);
    if (added.status !== 200) throw new Error(`add to cart failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return store.checkout(cart.id, buildCheckout(payment));
}

/** One download of an order as GET /store/orders/:id shows it. */
export type Download = { id: string; variant_id: string; url: string | null; expires_at: string; remaining: number; status: string };

/** The order's downloads as the storefront sees them. */
export async function downloadsOf(http: TestAgent, tenant: CreatedTenant, order: { id: string; access_token: string }): Promise<Download[]> {
  const res = await storefront(http, tenant.publishable_key).order(order.id, order.access_token);
  if (res.status !== 200) throw new Error(`order read failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.downloads as Download[];
}

/** The path of a download link (links are absolute; supertest takes the path). */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** GET a download link: the body as bytes (a problem answer parsed as JSON). */
export function fetchDownload(http: TestAgent, url: string) {
  return http
    .get(pathOf(url))
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        done(null, /json/.test(String(res.headers['content-type'])) ? JSON.parse(body.toString('utf8')) : body);
      });
    });
}

/** GETs a download link from `server` and hangs up after the first chunk of the body; resolves with the status seen. */
export function abandonDownload(server: Server, url: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path: pathOf(url) }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}
