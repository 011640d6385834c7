// Mall-mode test builders and clients: vendors, vendor products, multi-vendor orders, payouts, the vendor portal.
import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { backOffice, buildCheckout, buildProduct, storefront } from './factories.ts';

/** Body of POST /admin/vendors. */
export function buildVendor(overrides: { name?: string; commission_rate_bps?: number; status?: string } = {}) {
  return {
    name: overrides.name ?? `Vendor ${randomUUID().slice(0, 6)}`,
    commission_rate_bps: overrides.commission_rate_bps ?? 1000,
    ...(overrides.status ? { status: overrides.status } : {}),
  };
}

/** Back-office calls of mall mode with a tenant's admin API key. */
export function mallOffice(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    createVendor: (body: object = buildVendor()) => http.post('/admin/vendors').set(h).send(body),
    vendors: (query = '') => http.get(`/admin/vendors${query}`).set(h),
    vendor: (id: string) => http.get(`/admin/vendors/${id}`).set(h),
    payouts: (vendorId: string, query = '') => http.get(`/admin/vendors/${vendorId}/payouts${query}`).set(h),
    createStatement: (vendorId: string, to: string) => http.post('/admin/payouts/statements').set(h).send({ vendor_id: vendorId, to }),
    payStatement: (statementId: string, reference = `wire-${randomUUID().slice(0, 8)}`) =>
      http.post(`/admin/payouts/statements/${statementId}/pay`).set(h).send({ reference }),
    pay: (payoutId: string, reference = `wire-${randomUUID().slice(0, 8)}`) => http.post(`/admin/payouts/${payoutId}/pay`).set(h).send({ reference }),
  };
}

/** Vendor portal calls with a vendor key. */
export function vendorPortal(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    shipments: (query = '') => http.get(`/vendor/shipments${query}`).set(h),
    ship: (shipmentId: string) =>
      http
        .post(`/vendor/shipments/${shipmentId}/ship`)
        .set(h)
        .send({ carrier: 'sagawa', tracking_number: `TRK-${randomUUID().slice(0, 8)}` }),
    deliver: (shipmentId: string, codCollected?: { amount: number; currency: string }) =>
      http
        .post(`/vendor/shipments/${shipmentId}/deliver`)
        .set(h)
        .send(codCollected ? { cod_collected: codCollected } : {}),
  };
}

/** A vendor created through the API; returns its id. */
export async function seedVendor(http: TestAgent, apiKey: string, overrides: Parameters<typeof buildVendor>[0] = {}): Promise<string> {
  const res = await mallOffice(http, apiKey).createVendor(buildVendor(overrides));
  if (res.status !== 201) throw new Error(`vendor creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A published product of a vendor with one variant; returns the variant id. */
export async function seedVendorProduct(
  http: TestAgent,
  apiKey: string,
  vendorId: string,
  overrides: { price?: number; stock?: number } = {},
): Promise<string> {
  const res = await backOffice(http, apiKey).createProduct({
    ...buildProduct({ price: overrides.price ?? 1000, stock: overrides.stock ?? 5 }),
    vendor_id: vendorId,
  });
  if (res.status !== 201) throw new Error(`product creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.variants[0].id;
}

/** Buyer steps up to a placed order holding `lines` (variants of any vendors), checked out by `payment_method`. */
export async function placeMallOrder(
  http: TestAgent,
  tenant: CreatedTenant,
  lines: { variantId: string; quantity: number }[],
  payment_method = 'cod',
  checkoutOverrides: object = {},
) {
  const store = storefront(http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  for (const line of lines) {
    const added = await store.addItem(cart.id, line.variantId, line.quantity);
    if (added.status !== 200) throw new Error(`add to cart failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  const checkout = await store.checkout(cart.id, buildCheckout({ payment_method, ...checkoutOverrides }));
  if (checkout.status !== 201) throw new Error(`checkout failed: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  return { cartId: cart.id, order: checkout.body.order as { id: string; status: string; total: { amount: number; currency: string }; access_token: string } };
}
