// Redeeming discount codes against real PostgreSQL: one conditional UPDATE per use, so a limit holds however many
// transactions race for it, and a released (cancelled) order gives its use back exactly once.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';
import { startTestStack, type TestStack } from '../helpers/harness.ts';
import { buildAddress, createTestTenant, seedProduct, storefront } from '../helpers/factories.ts';
import { createActivities } from '../../activities/index.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import {
  applyCartDiscount,
  createPromotion,
  getPromotion,
  redeemCartPromotions,
  releaseOrderRedemptions,
  updatePromotion,
  type NewPromotion,
} from '../../db/queries/promotions.ts';
import { cancelOrder } from '../../db/queries/orders.ts';
import { DiscountInvalidError } from '../../domain/errors.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let acts: ReturnType<typeof createActivities>;
let variantId: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  tenant = await createTestTenant(stack.pool);
  acts = createActivities({
    pool: stack.pool,
    notifier: new RecordingNotifier(),
    payments: createPaymentProviders({ pool: stack.pool, cardProvider: 'test' }),
  });
  ({ variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1000, stock: 500 }));
}, 60_000);
afterAll(async () => stack?.stop());

const buildPromotion = (overrides: Partial<NewPromotion> = {}): NewPromotion => ({
  code: `SALE${randomUUID().slice(0, 8)}`,
  type: 'percentage',
  value: 10,
  currency: 'JPY',
  min_subtotal: null,
  starts_at: null,
  ends_at: null,
  usage_limit: null,
  usage_limit_per_customer: null,
  vendor_id: null,
  ...overrides,
});

const codeOfCart = new Map<string, string>();

/** An open cart holding one unit, carrying `code` (the cart redeemCartPromotions reads the codes of). */
async function cartWithCode(code: string): Promise<string> {
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  await applyCartDiscount(stack.pool, tenant.tenant_id, cart.id, code, null);
  codeOfCart.set(cart.id, code);
  return cart.id;
}

/** A placed bank-transfer order of one unit, without codes (the placing step itself redeems nothing here). */
async function placedOrder(email = 'race@example.jp'): Promise<string> {
  const store = storefront(stack.http, tenant.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  const placed = await acts.placeOrder({
    tenantId: tenant.tenant_id,
    cartId: cart.id,
    orderId: `ord_${randomUUID().replaceAll('-', '')}`,
    email,
    shippingAddress: buildAddress(),
    paymentMethod: 'bank_transfer',
    holdTtlMs: 60_000,
    bankTransferTimeoutMs: 60_000,
    paymentReminderBeforeMs: 30_000,
    shipSlaMs: 60_000,
  });
  return placed.orderId;
}

/** Redeems the cart's code for an order, as placeOrder does: at one instant, with the amount the code took off (100 unless told). */
const redeem = (cartId: string, orderId: string, customerKey: string, amount = 100) =>
  stack.pool.transaction((tx) =>
    redeemCartPromotions(tx, {
      tenantId: tenant.tenant_id,
      cartId,
      orderId,
      customerKey,
      now: Date.now(),
      amounts: [{ code: codeOfCart.get(cartId)!, amount }],
    }),
  );

const liveRedemptions = (promotionId: string) =>
  stack.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM promotion_redemptions WHERE promotion_id = ${promotionId} AND released_at IS NULL`,
  );

const reasonsOf = (results: PromiseSettledResult<unknown>[]) =>
  results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof DiscountInvalidError ? String(r.reason.details?.reason) : String(r.reason)] : []));

describe('redeeming a limited code', () => {
  test('when 50 transactions race for a 10-use code, then exactly 10 redeem it, and releasing one order gives back one use, once', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit: 10 }), null);
    const cartId = await cartWithCode(promotion.code);
    const orders: string[] = [];
    for (let i = 0; i < 50; i += 10) orders.push(...(await Promise.all(Array.from({ length: 10 }, () => placedOrder()))));

    const results = await Promise.allSettled(orders.map((orderId, i) => redeem(cartId, orderId, `email:buyer-${i}@example.jp`)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(reasonsOf(results)).toEqual(Array.from({ length: 40 }, () => 'exhausted'));
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(10);
    expect(await liveRedemptions(promotion.id)).toBe(10);

    const redeemed = orders.filter((_o, i) => results[i].status === 'fulfilled');
    expect(await stack.pool.transaction((tx) => releaseOrderRedemptions(tx, tenant.tenant_id, redeemed[0]))).toBe(1);
    expect(await stack.pool.transaction((tx) => releaseOrderRedemptions(tx, tenant.tenant_id, redeemed[0]))).toBe(0);
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(9);
    expect(await liveRedemptions(promotion.id)).toBe(9);

    // The use given back can be taken again; the limit still holds after it.
    const refused = orders.filter((_o, i) => results[i].status === 'rejected');
    await redeem(cartId, refused[0], 'email:late@example.jp');
    await expect(redeem(cartId, refused[1], 'email:later@example.jp')).rejects.toMatchObject({ details: { reason: 'exhausted' } });
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(10);
  }, 120_000);

  test('when one customer races five orders for a once-per-customer code, then exactly one redeems it', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit_per_customer: 1 }), null);
    const cartId = await cartWithCode(promotion.code);
    const orders = await Promise.all(Array.from({ length: 5 }, () => placedOrder()));

    const results = await Promise.allSettled(orders.map((orderId) => redeem(cartId, orderId, 'email:same@example.jp')));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(reasonsOf(results)).toEqual(Array.from({ length: 4 }, () => 'per_customer_limit'));
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(1);
  }, 60_000);

  test('when the same order redeems twice, then it takes one use', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit: 5 }), null);
    const cartId = await cartWithCode(promotion.code);
    const orderId = await placedOrder();
    await redeem(cartId, orderId, 'email:twice@example.jp');
    await redeem(cartId, orderId, 'email:twice@example.jp');
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(1);
  });

  test('when an order with a redeemed code is cancelled (twice), then its use is given back once', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit: 2 }), null);
    const cartId = await cartWithCode(promotion.code);
    const orderId = await placedOrder();
    await redeem(cartId, orderId, 'email:cancel@example.jp');
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(1);

    expect((await cancelOrder(stack.pool, tenant.tenant_id, orderId, 'customer asked')).cancelled).toBe(true);
    expect((await cancelOrder(stack.pool, tenant.tenant_id, orderId, 'customer asked')).cancelled).toBe(false);
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(0);
    expect(await liveRedemptions(promotion.id)).toBe(0);
  });

  test('when a code expired or was switched off after it was applied, then redeeming refuses it with that reason and takes nothing', async () => {
    const expiring = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit: 3 }), null);
    const cartId = await cartWithCode(expiring.code);
    await updatePromotion(stack.pool, tenant.tenant_id, expiring.id, { ends_at: new Date(Date.now() - 1000).toISOString() }, null);
    await expect(redeem(cartId, await placedOrder(), 'email:x@example.jp')).rejects.toMatchObject({ code: 'discount_invalid', details: { reason: 'expired' } });
    expect((await getPromotion(stack.pool, tenant.tenant_id, expiring.id)).times_used).toBe(0);

    const switchedOff = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion(), null);
    const otherCart = await cartWithCode(switchedOff.code);
    await updatePromotion(stack.pool, tenant.tenant_id, switchedOff.id, { active: false }, null);
    await expect(redeem(otherCart, await placedOrder(), 'email:y@example.jp')).rejects.toMatchObject({ details: { reason: 'inactive' } });
  });

  test('when a code took nothing off an order, then redeeming it takes no use and writes no redemption', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit: 1, usage_limit_per_customer: 1 }), null);
    const cartId = await cartWithCode(promotion.code);
    await redeem(cartId, await placedOrder(), 'email:zero@example.jp', 0);
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(0);
    expect(await liveRedemptions(promotion.id)).toBe(0);
    // The one use and the customer's one use are still there to take.
    await redeem(cartId, await placedOrder(), 'email:zero@example.jp');
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(1);
  });

  test('when a once-per-customer code was redeemed under a guest e-mail, then the same e-mail under a customer key is refused', async () => {
    const promotion = await createPromotion(stack.pool, tenant.tenant_id, buildPromotion({ usage_limit_per_customer: 1 }), null);
    const cartId = await cartWithCode(promotion.code);
    await redeem(cartId, await placedOrder('Keys@Example.jp'), 'email:keys@example.jp');
    await expect(redeem(cartId, await placedOrder('keys@example.jp'), 'cus_signed_in')).rejects.toMatchObject({ details: { reason: 'per_customer_limit' } });
    expect((await getPromotion(stack.pool, tenant.tenant_id, promotion.id)).times_used).toBe(1);
  });
});
