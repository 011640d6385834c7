// Shipping test builders and clients: methods in the back office, options and the choice on a cart.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import type { Agent as TestAgent } from 'supertest';
import { sql } from '../../db/sql.ts';

/** Body of POST /admin/shipping-methods (JPY amounts). */
export function buildShippingMethod(
  overrides: { name?: string; price?: number; free_over?: number | null; cod_fee?: number; regions?: string[]; vendor_id?: string | null } = {},
) {
  const jpy = (amount: number) => ({ amount, currency: 'JPY' });
  return {
    name: overrides.name ?? `Yamato ${randomUUID().slice(0, 6)}`,
    price: jpy(overrides.price ?? 800),
    ...(overrides.free_over !== undefined ? { free_over: overrides.free_over === null ? null : jpy(overrides.free_over) } : {}),
    ...(overrides.cod_fee !== undefined ? { cod_fee: jpy(overrides.cod_fee) } : {}),
    ...(overrides.regions ? { regions: overrides.regions } : {}),
    ...(overrides.vendor_id !== undefined ? { vendor_id: overrides.vendor_id } : {}),
  };
}

/** Back-office shipping method calls with an admin key. */
export function shippingOffice(http: TestAgent, apiKey: string) {
  const h = { Authorization: `Bearer ${apiKey}` };
  return {
    create: (body: object = buildShippingMethod()) => http.post('/admin/shipping-methods').set(h).send(body),
    list: (query = '') => http.get(`/admin/shipping-methods${query}`).set(h),
    get: (id: string) => http.get(`/admin/shipping-methods/${id}`).set(h),
    update: (id: string, body: object) => http.patch(`/admin/shipping-methods/${id}`).set(h).send(body),
    remove: (id: string) => http.delete(`/admin/shipping-methods/${id}`).set(h),
  };
}

/** A shipping method created through the API; returns its id. */
export async function seedShippingMethod(http: TestAgent, apiKey: string, overrides: Parameters<typeof buildShippingMethod>[0] = {}): Promise<string> {
  const res = await shippingOffice(http, apiKey).create(buildShippingMethod(overrides));
  if (res.status !== 201) throw new Error(`shipping method creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Storefront shipping calls with a publishable key (and a customer token when given). */
export function cartShipping(http: TestAgent, publishableKey: string, customerToken?: string) {
  const h: Record<string, string> = { 'X-Publishable-Key': publishableKey, ...(customerToken ? { Authorization: `Bearer ${customerToken}` } : {}) };
  return {
    options: (cartId: string, region?: string) => http.get(`/store/carts/${cartId}/shipping-options${region ? `?region=${region}` : ''}`).set(h),
    choose: (cartId: string, shippingMethodId: string, region?: string) =>
      http
        .post(`/store/carts/${cartId}/shipping-method`)
        .set(h)
        .send({ shipping_method_id: shippingMethodId, ...(region ? { region } : {}) }),
  };
}

/** Chooses a method for a cart through the API (throws unless 200). */
export async function chooseTestShipping(http: TestAgent, publishableKey: string, cartId: string, methodId: string, region?: string): Promise<void> {
  const res = await cartShipping(http, publishableKey).choose(cartId, methodId, region);
  if (res.status !== 200) throw new Error(`shipping choice failed: ${res.status} ${JSON.stringify(res.body)}`);
}

const choiceRow = z.object({ group_key: z.string(), shipping_method_id: z.string() });

/** A cart's stored choices, group key → method id, and its region (read straight from the tables). */
export async function shippingChoicesOf(pool: DatabasePool, cartId: string) {
  const rows = await pool.any(
    sql.type(choiceRow)`SELECT group_key, shipping_method_id FROM cart_shipping_methods WHERE cart_id = ${cartId} ORDER BY group_key`,
  );
  const region = await pool.oneFirst(sql.type(z.object({ shipping_region: z.string().nullable() }))`SELECT shipping_region FROM carts WHERE id = ${cartId}`);
  return { choices: Object.fromEntries(rows.map((r) => [r.group_key, r.shipping_method_id])), region };
}
