// Discount codes at checkout, end to end: redeemed inside the order's transaction, exactly up to the limit however many
// check out at once, refused with the reason when a rule no longer holds, and given back by a cancellation.
import { randomUUID } from 'node:crypto';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, holdsOfCart, orderCountOfCart, seedProduct, storefront } from '../helpers/factories.ts';
import { chooseTestShipping, seedShippingMethod } from '../helpers/shipping.ts';
import { cartDiscounts, promotionOffice, seedPromotion } from '../helpers/promotions.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let variantId: string;
const jpy = (amount: number) => ({ amount, currency: 'JPY' });

// 50 checkouts at once on a 2-core machine: give each answer more than the default 20 s.
beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({ config: { CHECKOUT_ANSWER_TIMEOUT: '90s' } }));
  ({ variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 500 }));
}, 60_000);
afterAll(async () => stack?.stop());

const store = () => storefront(stack.http, tenant.publishable_key);
const discounts = () => cartDiscounts(stack.http, tenant.publishable_key);
const timesUsed = async (promotionId: string) => (await promotionOffice(stack.http, tenant.admin_api_key).get(promotionId)).body.times_used as number;

/** A customer registered through the API, with storefront and discount calls under their token. */
async function registered() {
  const email = `member-${randomUUID().slice(0, 8)}@example.jp`;
  const res = await stack.http.post('/store/customers').set('X-Publishable-Key', tenant.publishable_key).send({ email, password: 'correct horse battery' });
  expect(res.status).toBe(201);
  const token = res.body.token as string;
  const h = { 'X-Publishable-Key': tenant.publishable_key, Authorization: `Bearer ${token}` };
  return {
    email,
    discounts: cartDiscounts(stack.http, tenant.publishable_key, token),
    store: {
      createCart: () => stack.http.post('/store/carts').set(h).send({}),
      addItem: (cartId: string, variant: string, quantity: number) =>
        stack.http.post(`/store/carts/${cartId}/items`).set(h).send({ variant_id: variant, quantity }),
      checkout: (cartId: string, body: object) => stack.http.post(`/store/carts/${cartId}/checkout`).set(h).send(body),
    },
  };
}

/** An open cart holding `quantity` units of the 1,000 JPY variant, carrying `code` when given. */
async function cartWith(code?: string, quantity = 1, body: object = {}): Promise<string> {
  const cart = (await store().createCart(body)).body as { id: string };
  expect((await store().addItem(cart.id, variantId, quantity)).status).toBe(200);
  if (code) expect((await discounts().apply(cart.id, code)).status).toBe(200);
  return cart.id;
}

describe('a limited code at checkout', () => {
  test('when 50 carts carrying a 10-use code check out at once, then exactly 10 orders redeem it and a cancellation gives one back', async () => {
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { usage_limit: 10 });
    const carts: string[] = [];
    for (let i = 0; i < 50; i += 10) carts.push(...(await Promise.all(Array.from({ length: 10 }, () => cartWith(promotion.code)))));

    const answers = await Promise.all(carts.map((cartId) => store().checkout(cartId, buildCheckout())));

    const placed = answers.flatMap((a, i) => (a.status === 201 ? [{ cartId: carts[i], order: a.body.order }] : []));
    const refused = answers.flatMap((a, i) => (a.status !== 201 ? [{ cartId: carts[i], answer: a }] : []));
    expect(placed).toHaveLength(10);
    expect(refused.map((r) => [r.answer.status, r.answer.body.code, r.answer.body.details?.reason])).toEqual(
      Array.from({ length: 40 }, () => [422, 'discount_invalid', 'exhausted']),
    );
    for (const { order } of placed) expect(order).toMatchObject({ discounts: [{ code: promotion.code, amount: jpy(100) }], total: jpy(900) });
    // A refused checkout placed nothing: no order, no allocation (the cart keeps its own hold), the cart still open with its code.
    for (const { cartId } of refused) expect([await orderCountOfCart(stack.pool, cartId), await holdsOfCart(stack.pool, cartId)]).toEqual([0, { held: 1 }]);
    // The cart shows why: the code at 0 with its reason, so the storefront knows which code to remove.
    expect((await store().cart(refused[0].cartId)).body).toMatchObject({
      status: 'open',
      discounts: [{ code: promotion.code, amount: jpy(0), reason: 'exhausted' }],
      total: jpy(1000),
    });
    expect(await timesUsed(promotion.id)).toBe(10);

    const cancelled = await backOffice(stack.http, tenant.admin_api_key).cancel(placed[0].order.id);
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    expect(await timesUsed(promotion.id)).toBe(9);

    const late = await store().checkout(refused[0].cartId, buildCheckout());
    expect([late.status, late.body.order?.total]).toEqual([201, jpy(900)]);
    const tooLate = await store().checkout(refused[1].cartId, buildCheckout());
    expect([tooLate.status, tooLate.body.details?.reason]).toEqual([422, 'exhausted']);
    expect(await timesUsed(promotion.id)).toBe(10);
  }, 240_000);

  test('when a card checkout with a code is declined, then the compensation gives the use back and another order can take it', async () => {
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { usage_limit: 1 });
    const declined = await store().checkout(await cartWith(promotion.code), buildCheckout({ payment_method: 'card', payment_token: 'tok_declined' }));
    expect([declined.status, declined.body.code]).toEqual([402, 'card_declined']);
    await waitFor(async () => (await timesUsed(promotion.id)) === 0 || null, { what: 'the use given back' });
    expect((await store().checkout(await cartWith(promotion.code), buildCheckout())).status).toBe(201);
    expect(await timesUsed(promotion.id)).toBe(1);
  });
});

describe('rules checked again at checkout', () => {
  test('when a code expires between apply and checkout, then checkout is 422 expired and places nothing; without the code it goes through', async () => {
    const endsAt = Date.now() + 3000;
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { ends_at: new Date(endsAt).toISOString() });
    const cartId = await cartWith(promotion.code);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt - Date.now() + 50)));

    const refused = await store().checkout(cartId, buildCheckout());
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([422, 'discount_invalid', { reason: 'expired', code: promotion.code }]);
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(0);
    expect((await store().cart(cartId)).body).toMatchObject({ discounts: [{ code: promotion.code, amount: jpy(0), reason: 'expired' }], total: jpy(1000) });
    expect((await discounts().apply(await cartWith(), promotion.code)).body.details?.reason).toBe('expired');

    expect((await discounts().remove(cartId, promotion.code)).status).toBe(200);
    const placed = await store().checkout(cartId, buildCheckout());
    expect([placed.status, placed.body.order.total, placed.body.order.discounts]).toEqual([201, jpy(1000), []]);
    expect(await timesUsed(promotion.id)).toBe(0);
  });

  test('when the cart drops under the minimum after the code was applied, then checkout is 422 min_subtotal', async () => {
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { type: 'fixed', value: 300, min_subtotal: 2000 });
    const cartId = await cartWith(promotion.code, 2);
    const itemId = (await store().cart(cartId)).body.items[0].id as string;
    const lowered = await store().setQuantity(cartId, itemId, 1);
    // The cart no longer shows a discount checkout would refuse: the code stays listed at 0 with the reason.
    expect(lowered.body).toMatchObject({
      discounts: [{ code: promotion.code, amount: jpy(0), reason: 'min_subtotal' }],
      discount_total: jpy(0),
      total: jpy(1000),
    });
    const refused = await store().checkout(cartId, buildCheckout());
    expect([refused.status, refused.body.details?.reason]).toEqual([422, 'min_subtotal']);
    expect(await orderCountOfCart(stack.pool, cartId)).toBe(0);
  });

  test('when a guest used a once-per-customer code, then the same e-mail in any case is refused at apply or, unknown until then, at checkout', async () => {
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { usage_limit_per_customer: 1 });
    const email = `hanako-${randomUUID().slice(0, 6)}@example.jp`;
    expect((await store().checkout(await cartWith(promotion.code), buildCheckout({ email: email.toUpperCase() }))).status).toBe(201);

    const known = (await store().createCart({ email })).body.id as string;
    expect((await discounts().apply(known, promotion.code)).body.details?.reason).toBe('per_customer_limit');
    const anonymous = await cartWith(promotion.code);
    const refused = await store().checkout(anonymous, buildCheckout({ email }));
    expect([refused.status, refused.body.details?.reason]).toEqual([422, 'per_customer_limit']);
    expect((await store().checkout(await cartWith(promotion.code), buildCheckout())).status).toBe(201);
    expect(await timesUsed(promotion.id)).toBe(2);
  });

  test('when a customer used a once-per-customer code as a guest, then signed in (own cart or a guest cart) it is refused, and the other way round', async () => {
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { usage_limit_per_customer: 1 });
    const guestFirst = await registered();
    expect((await store().checkout(await cartWith(promotion.code), buildCheckout({ email: guestFirst.email }))).status).toBe(201);
    const own = (await guestFirst.store.createCart()).body.id as string;
    expect((await guestFirst.store.addItem(own, variantId, 1)).status).toBe(200);
    expect((await guestFirst.discounts.apply(own, promotion.code)).body.details?.reason).toBe('per_customer_limit');
    const guestCart = await cartWith();
    expect((await guestFirst.discounts.apply(guestCart, promotion.code)).body.details?.reason).toBe('per_customer_limit');

    // Signed in first (a guest cart claimed at checkout), then as a guest with the account's e-mail: refused at checkout.
    const signedInFirst = await registered();
    const claimed = await cartWith();
    expect((await signedInFirst.discounts.apply(claimed, promotion.code)).status).toBe(200);
    expect((await signedInFirst.store.checkout(claimed, buildCheckout({ email: signedInFirst.email }))).status).toBe(201);
    const refused = await store().checkout(await cartWith(promotion.code), buildCheckout({ email: signedInFirst.email }));
    expect([refused.status, refused.body.details?.reason]).toEqual([422, 'per_customer_limit']);
    expect(await timesUsed(promotion.id)).toBe(2);
  });
});

describe('a code that takes nothing off', () => {
  test('when a free-shipping code meets a cart that ships free, then it shows at 0 and checkouts place orders without using it up', async () => {
    // This store has no shipping methods: nothing to waive, so the code takes nothing off.
    const promotion = await seedPromotion(stack.http, tenant.admin_api_key, { type: 'free_shipping', usage_limit: 1, usage_limit_per_customer: 1 });
    const email = `free-${randomUUID().slice(0, 6)}@example.jp`;
    for (let i = 0; i < 2; i += 1) {
      const cartId = await cartWith(promotion.code);
      expect((await store().cart(cartId)).body).toMatchObject({ discounts: [{ code: promotion.code, amount: jpy(0) }], total: jpy(1000) });
      expect((await store().cart(cartId)).body.discounts[0].reason).toBeUndefined();
      const placed = await store().checkout(cartId, buildCheckout({ email }));
      expect([placed.status, placed.body.order?.discounts, placed.body.order?.total]).toEqual([201, [], jpy(1000)]);
    }
    expect(await timesUsed(promotion.id)).toBe(0);
  });
});

describe('each kind of code on a real order', () => {
  test('when percentage, fixed and free-shipping codes are redeemed, then the order keeps discounts, discount_total and total', async () => {
    const percent = await seedPromotion(stack.http, tenant.admin_api_key, { value: 15 });
    const order15 = (await store().checkout(await cartWith(percent.code, 2), buildCheckout())).body.order;
    expect(order15).toMatchObject({ subtotal: jpy(2000), discounts: [{ code: percent.code, amount: jpy(300) }], discount_total: jpy(300), total: jpy(1700) });

    const fixed = await seedPromotion(stack.http, tenant.admin_api_key, { type: 'fixed', value: { amount: 500, currency: 'JPY' } });
    const order500 = (await store().checkout(await cartWith(fixed.code, 2), buildCheckout())).body.order;
    expect(order500).toMatchObject({ discount_total: jpy(500), total: jpy(1500) });

    expect(await Promise.all([percent.id, fixed.id].map(timesUsed))).toEqual([1, 1]);

    // A store with a shipping method (its own tenant: once a store ships, every physical checkout must choose a method).
    const shipper = await createTestTenant(stack.pool);
    const free = await seedPromotion(stack.http, shipper.admin_api_key, { type: 'free_shipping' });
    const methodId = await seedShippingMethod(stack.http, shipper.admin_api_key, { price: 700 });
    const { variantId: shipped } = await seedProduct(stack.http, shipper.admin_api_key, { price: 2000, stock: 5 });
    const shipperStore = storefront(stack.http, shipper.publishable_key);
    const cartId = (await shipperStore.createCart()).body.id as string;
    expect((await shipperStore.addItem(cartId, shipped, 1)).status).toBe(200);
    await chooseTestShipping(stack.http, shipper.publishable_key, cartId, methodId);
    const applied = await cartDiscounts(stack.http, shipper.publishable_key).apply(cartId, free.code);
    expect(applied.body).toMatchObject({ shipping_total: jpy(700), discount_total: jpy(700), total: jpy(2000) });
    const order = (await shipperStore.checkout(cartId, buildCheckout())).body.order;
    expect(order).toMatchObject({ shipping_total: jpy(700), discounts: [{ code: free.code, amount: jpy(700) }], total: jpy(2000) });
    expect((await promotionOffice(stack.http, shipper.admin_api_key).get(free.id)).body.times_used).toBe(1);
  });
});
