// Promotion builders and clients: the back office's discount codes and the storefront's cart discounts.
import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';

/** Body of POST /admin/promotions: a 10 % code unless overridden. */
export function buildPromotion(overrides: Record<string, unknown> = {}) {
  // A free-shipping code takes no value: the 10 % default applies to the other types only.
  const value = overrides.type === 'free_shipping' ? {} : { value: 10 };
  return { code: `SALE-${randomUUID().slice(0, 8)}`, type: 'percentage', ...value, ...overrides };
}

/** Back-office promotion calls with a tenant's admin API key. */
export function promotionOffice(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    create: (body: object = buildPromotion()) => http.post('/admin/promotions').set(h).send(body),
    list: (query = '') => http.get(`/admin/promotions${query}`).set(h),
    get: (id: string) => http.get(`/admin/promotions/${id}`).set(h),
    update: (id: string, body: object) => http.patch(`/admin/promotions/${id}`).set(h).send(body),
  };
}

/** A promotion created through the API; returns its view. */
export async function seedPromotion(http: TestAgent, apiKey: string, overrides: Record<string, unknown> = {}) {
  const res = await promotionOffice(http, apiKey).create(buildPromotion(overrides));
  if (res.status !== 201) throw new Error(`promotion creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; code: string; times_used: number };
}

/** Storefront discount calls with a tenant's publishable key (and a customer token when given). */
export function cartDiscounts(http: TestAgent, publishableKey: string, customerToken?: string) {
  const h: Record<string, string> = { 'X-Publishable-Key': publishableKey, ...(customerToken ? { Authorization: `Bearer ${customerToken}` } : {}) };
  return {
    apply: (cartId: string, code: string) => http.post(`/store/carts/${cartId}/discounts`).set(h).send({ code }),
    remove: (cartId: string, code: string) => http.delete(`/store/carts/${cartId}/discounts/${encodeURIComponent(code)}`).set(h),
  };
}

/** A new promotion created by the back office and applied to the cart by the storefront, both through the API; returns its code. */
export async function applyNewPromotion(
  http: TestAgent,
  tenant: { admin_api_key: string; publishable_key: string },
  cartId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const { code } = await seedPromotion(http, tenant.admin_api_key, overrides);
  const applied = await cartDiscounts(http, tenant.publishable_key).apply(cartId, code);
  if (applied.status !== 200) throw new Error(`applying ${code} failed: ${applied.status} ${JSON.stringify(applied.body)}`);
  return code;
}
