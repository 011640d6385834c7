// Discount codes through the HTTP API: the back office creates, lists and switches them; storefronts apply and remove
// them on carts, and a code that cannot apply answers 422 discount_invalid with the reason.
import { randomUUID } from 'node:crypto';
import { startStackWithTenant, type TestStack } from '../helpers/harness.ts';
import { createTestTenant, seedProduct, storefront } from '../helpers/factories.ts';
import { seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { buildPromotion, cartDiscounts, promotionOffice, seedPromotion } from '../helpers/promotions.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let shop: CreatedTenant;
let variantId: string;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  ({ stack, tenant: shop } = await startStackWithTenant());
  ({ variantId } = await seedProduct(stack.http, shop.admin_api_key, { price: 1000, stock: 100 }));
}, 60_000);
afterAll(async () => stack?.stop());

/** An open cart of `shop` holding `quantity` units of the 1,000 JPY variant. */
async function cartOf(quantity = 1, tenant = shop, variant = variantId): Promise<string> {
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  expect((await store.addItem(cart.id, variant, quantity)).status).toBe(200);
  return cart.id;
}

describe('the back office manages discount codes', () => {
  const office = () => promotionOffice(stack.http, shop.admin_api_key);

  test('when each type is created, then 201 with times_used 0; value is a percent, money or null; min_subtotal is money', async () => {
    const code = `WELCOME-${randomUUID().slice(0, 6)}`;
    const percentage = await office().create(buildPromotion({ code: `  ${code} `, value: 15, usage_limit: 10, usage_limit_per_customer: 1 }));
    expect(percentage.status).toBe(201);
    expect(percentage.body).toMatchObject({ code, type: 'percentage', value: 15, currency: 'JPY', times_used: 0, active: true, usage_limit: 10 });
    const fixed = await office().create(buildPromotion({ type: 'fixed', value: { amount: 300, currency: 'JPY' }, min_subtotal: 2000 }));
    expect(fixed.body).toMatchObject({ type: 'fixed', value: { amount: 300, currency: 'JPY' }, min_subtotal: { amount: 2000, currency: 'JPY' } });
    const bare = await office().create(buildPromotion({ type: 'fixed', value: 500 }));
    expect(bare.body.value).toEqual({ amount: 500, currency: 'JPY' });
    const free = await office().create(buildPromotion({ type: 'free_shipping', value: undefined }));
    expect([free.status, free.body.value]).toEqual([201, null]);

    const listed = await office().list('?limit=2');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([free.body.id, bare.body.id]);
    const next = await office().list(`?limit=2&cursor=${listed.body.next_cursor}`);
    expect(next.body.items.map((p: { id: string }) => p.id)).toEqual([fixed.body.id, percentage.body.id]);
    expect(next.body.items[1]).toHaveProperty('times_used', 0);
    expect((await office().get(percentage.body.id)).body).toEqual(percentage.body);
  });

  test('when a promotion is switched off and its end moved, then the answer and one audit entry per write say so', async () => {
    const promotion = await seedPromotion(stack.http, shop.admin_api_key);
    const ends = iso(Date.now() + 24 * HOUR);
    const patched = await office().update(promotion.id, { active: false, ends_at: ends });
    expect([patched.status, patched.body.active, patched.body.ends_at]).toEqual([200, false, ends]);
    const audit = await stack.http.get(`/admin/audit-log?resource_id=${promotion.id}`).set('Authorization', `Bearer ${shop.admin_api_key}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['promotion.update', 'promotion.create']);
    expect(audit.body.items[0].changes).toEqual({ active: { before: true, after: false }, ends_at: { before: null, after: ends } });
  });

  test('when a body breaks a rule, then 400 validation_failed; an unknown promotion is 404', async () => {
    const bad = [
      buildPromotion({ code: 'NO SPACES' }),
      buildPromotion({ code: 'x'.repeat(51) }),
      buildPromotion({ value: 0 }),
      buildPromotion({ value: 101 }),
      buildPromotion({ value: 12.5 }),
      buildPromotion({ value: undefined }),
      buildPromotion({ type: 'fixed', value: 0 }),
      buildPromotion({ type: 'free_shipping', value: 5 }),
      buildPromotion({ type: 'fixed', value: { amount: 100, currency: 'USD' }, min_subtotal: { amount: 100, currency: 'JPY' } }),
      buildPromotion({ starts_at: iso(Date.now() + HOUR), ends_at: iso(Date.now()) }),
      buildPromotion({ usage_limit: 0 }),
      buildPromotion({ vendor_id: 'ven_nope' }),
      buildPromotion({ surprise: true }),
    ];
    for (const body of bad) {
      const res = await office().create(body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'validation_failed' });
    }
    expect((await office().update('prm_nope', { active: false })).status).toBe(404);
    expect((await office().get('prm_nope')).status).toBe(404);
    const promotion = await seedPromotion(stack.http, shop.admin_api_key);
    expect((await office().update(promotion.id, {})).status).toBe(400);
  });

  test('when a code exists in any case, then creating it again is 409 conflict', async () => {
    const promotion = await seedPromotion(stack.http, shop.admin_api_key, { code: `Summer-${randomUUID().slice(0, 6)}` });
    const again = await office().create(buildPromotion({ code: promotion.code.toUpperCase() }));
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  });

  test("when another store's promotion is read, then 404", async () => {
    const other = await createTestTenant(stack.pool);
    const promotion = await seedPromotion(stack.http, shop.admin_api_key);
    expect((await promotionOffice(stack.http, other.admin_api_key).get(promotion.id)).status).toBe(404);
  });
});

describe('storefronts apply and remove codes', () => {
  const discounts = () => cartDiscounts(stack.http, shop.publishable_key);
  const reasonOf = async (cartId: string, code: string) => {
    const res = await discounts().apply(cartId, code);
    return [res.status, res.body.code, res.body.details?.reason, res.type];
  };

  test('when a valid code is applied (in any case, twice), then 200 cart; removed, then 200; removed again, then 404', async () => {
    const promotion = await seedPromotion(stack.http, shop.admin_api_key);
    const cartId = await cartOf();
    const applied = await discounts().apply(cartId, promotion.code.toLowerCase());
    expect([applied.status, applied.body.id]).toEqual([200, cartId]);
    expect((await discounts().apply(cartId, promotion.code)).status).toBe(200);
    expect((await discounts().remove(cartId, promotion.code.toLowerCase())).status).toBe(200);
    const gone = await discounts().remove(cartId, promotion.code);
    expect([gone.status, gone.body.code]).toEqual([404, 'not_found']);
  });

  test('when a code cannot apply, then 422 discount_invalid with the reason: unknown, expired, not_started, min_subtotal, inactive', async () => {
    const cartId = await cartOf(2);
    const problem = (reason: string) => [422, 'discount_invalid', reason, 'application/problem+json'];
    expect(await reasonOf(cartId, 'NO-SUCH-CODE')).toEqual(problem('unknown'));
    const expired = await seedPromotion(stack.http, shop.admin_api_key, { starts_at: iso(Date.now() - 2 * HOUR), ends_at: iso(Date.now() - HOUR) });
    expect(await reasonOf(cartId, expired.code)).toEqual(problem('expired'));
    const later = await seedPromotion(stack.http, shop.admin_api_key, { starts_at: iso(Date.now() + HOUR) });
    expect(await reasonOf(cartId, later.code)).toEqual(problem('not_started'));
    const big = await seedPromotion(stack.http, shop.admin_api_key, { min_subtotal: 2001 });
    expect(await reasonOf(cartId, big.code)).toEqual(problem('min_subtotal'));
    const enough = await seedPromotion(stack.http, shop.admin_api_key, { min_subtotal: { amount: 2000, currency: 'JPY' } });
    expect((await discounts().apply(cartId, enough.code)).status).toBe(200);
    const off = await seedPromotion(stack.http, shop.admin_api_key);
    await promotionOffice(stack.http, shop.admin_api_key).update(off.id, { active: false });
    expect(await reasonOf(cartId, off.code)).toEqual(problem('inactive'));
  });

  test('when the code is malformed or the cart unknown, then 400 and 404', async () => {
    const cartId = await cartOf();
    expect((await discounts().apply(cartId, 'bad code!')).status).toBe(400);
    expect((await discounts().apply('cart_nope', 'ANY')).status).toBe(404);
  });

  test("when a customer's cart is reached without their token, then 404 as on every cart route", async () => {
    const email = `c-${randomUUID().slice(0, 8)}@example.jp`;
    const registered = await stack.http
      .post('/store/customers')
      .set('X-Publishable-Key', shop.publishable_key)
      .send({ email, password: 'correct horse battery' });
    const token = registered.body.token as string;
    const cart = await stack.http.post('/store/carts').set('X-Publishable-Key', shop.publishable_key).set('Authorization', `Bearer ${token}`).send({});
    const promotion = await seedPromotion(stack.http, shop.admin_api_key);
    expect((await discounts().apply(cart.body.id, promotion.code)).status).toBe(404);
    expect((await cartDiscounts(stack.http, shop.publishable_key, token).apply(cart.body.id, promotion.code)).status).toBe(200);
    expect((await discounts().remove(cart.body.id, promotion.code)).status).toBe(404);
  });

  test("when a vendor-scoped code meets a mall cart, then it applies only with that vendor's lines, their subtotal counting", async () => {
    const mall = await createTestTenant(stack.pool, { mode: 'mall' });
    const vendorA = await seedVendor(stack.http, mall.admin_api_key);
    const vendorB = await seedVendor(stack.http, mall.admin_api_key);
    const variantA = await seedVendorProduct(stack.http, mall.admin_api_key, vendorA, { price: 1000, stock: 10 });
    const variantB = await seedVendorProduct(stack.http, mall.admin_api_key, vendorB, { price: 5000, stock: 10 });
    const scoped = await seedPromotion(stack.http, mall.admin_api_key, { vendor_id: vendorA, min_subtotal: 1500 });
    const mallDiscounts = cartDiscounts(stack.http, mall.publishable_key);

    const onlyB = await cartOf(1, mall, variantB);
    expect((await mallDiscounts.apply(onlyB, scoped.code)).body.details).toEqual({ reason: 'not_applicable', code: scoped.code });
    await storefront(stack.http, mall.publishable_key).addItem(onlyB, variantA, 1);
    expect((await mallDiscounts.apply(onlyB, scoped.code)).body.details?.reason).toBe('min_subtotal');
    await storefront(stack.http, mall.publishable_key).addItem(onlyB, variantA, 1);
    const applied = await mallDiscounts.apply(onlyB, scoped.code);
    expect([applied.status, applied.body.discounts]).toEqual([200, [{ code: scoped.code, amount: { amount: 200, currency: 'JPY' } }]]);

    // The vendor's lines gone, the cart keeps the code at 0 with the reason checkout would refuse it with.
    const lineA = (applied.body.items as { id: string; variant_id: string }[]).find((i) => i.variant_id === variantA)!;
    const withoutA = await storefront(stack.http, mall.publishable_key).removeItem(onlyB, lineA.id);
    expect(withoutA.body).toMatchObject({
      discounts: [{ code: scoped.code, amount: { amount: 0, currency: 'JPY' }, reason: 'not_applicable' }],
      discount_total: { amount: 0, currency: 'JPY' },
      total: { amount: 5000, currency: 'JPY' },
    });

    // A single-brand store has no vendors to scope to; another store's vendor is not this store's.
    const refused = await promotionOffice(stack.http, shop.admin_api_key).create(buildPromotion({ vendor_id: vendorA }));
    expect([refused.status, refused.body.code]).toEqual([400, 'validation_failed']);
  });
});
