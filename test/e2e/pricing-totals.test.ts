// Pricing end to end (issue 13): consumption tax per rate per order, tax-exclusive stores, shipping and the COD fee,
// discounts, and everything downstream (bank transfer, card, COD cash, refunds, mall payouts) on the priced total.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, buildProduct, createTestTenant, gatewayLedger, seedProduct, storefront } from '../helpers/factories.ts';
import { mallOffice, seedVendor, seedVendorProduct } from '../helpers/mall.ts';
import { applyNewPromotion } from '../helpers/promotions.ts';
import { chooseTestShipping, seedShippingMethod } from '../helpers/shipping.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
// A store with shipping methods: once a store offers methods, every checkout of physical goods must choose one.
let shipper: CreatedTenant;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant());
  shipper = await createTestTenant(stack.pool);
});
afterAll(async () => stack?.stop());

const jpy = (amount: number) => ({ amount, currency: 'JPY' });

/** A new shipping method of `t`, chosen for the cart through the API; returns its id. */
async function chooseNewMethod(t: CreatedTenant, cartId: string, method: { price: number; free_over?: number; cod_fee?: number }): Promise<string> {
  const id = await seedShippingMethod(stack.http, t.admin_api_key, method);
  await chooseTestShipping(stack.http, t.publishable_key, cartId, id);
  return id;
}

/** A cart of the tenant holding one unit of each `{price, tax_rate_bps}` product. */
async function cartWith(t: CreatedTenant, lines: { price: number; tax_rate_bps?: number }[]): Promise<string> {
  const store = storefront(stack.http, t.publishable_key);
  const cart = (await store.createCart()).body as { id: string };
  for (const line of lines) {
    const { variantId } = await seedProduct(stack.http, t.admin_api_key, { price: line.price, tax_rate_bps: line.tax_rate_bps, stock: 5 });
    const added = await store.addItem(cart.id, variantId, 1);
    if (added.status !== 200) throw new Error(`add failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return cart.id;
}

describe('pricing: tax, shipping, discounts', () => {
  test('when a variant is created reduced-rate and patched to standard, then its view shows each rate; the default is 1000 and another rate is 400', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { productId, variantId } = await seedProduct(stack.http, tenant.admin_api_key, { tax_rate_bps: 800 });
    expect((await storefront(stack.http, tenant.publishable_key).product(productId)).body.variants[0].tax_rate_bps).toBe(800);
    const h = { Authorization: `Bearer ${tenant.admin_api_key}` };
    const patched = await stack.http
      .patch(`/admin/products/${productId}`)
      .set(h)
      .send({ variants: [{ id: variantId, tax_rate_bps: 1000 }] });
    expect([patched.status, patched.body.variants[0].tax_rate_bps]).toEqual([200, 1000]);
    const invalid = await admin.createProduct({ ...buildProduct(), variants: [{ ...buildProduct().variants[0], tax_rate_bps: 500 }] });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'validation_failed']);
    const standard = await admin.createProduct(buildProduct());
    expect(standard.body.variants[0].tax_rate_bps).toBe(1000);
  });

  test('when a cart holds a 1,080 JPY standard item and a 540 JPY reduced one, then cart and order show tax 98 and 40 once per rate, and the transfer confirms 1,620', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const cartId = await cartWith(tenant, [{ price: 1080 }, { price: 540, tax_rate_bps: 800 }]);
    const breakdown = [
      { rate_bps: 1000, taxable_amount: jpy(1080), tax: jpy(98) },
      { rate_bps: 800, taxable_amount: jpy(540), tax: jpy(40) },
    ];
    const cart = (await store.cart(cartId)).body;
    expect(cart).toMatchObject({
      subtotal: jpy(1620),
      discount_total: jpy(0),
      shipping_total: jpy(0),
      tax_total: jpy(138),
      total: jpy(1620),
      discounts: [],
      shipping_method_id: null,
      tax_breakdown: breakdown,
    });

    const checkout = await store.checkout(cartId, { ...buildCheckout({ payment_method: 'bank_transfer' }), expected_total: jpy(1620) });
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({
      subtotal: jpy(1620),
      tax_total: jpy(138),
      total: jpy(1620),
      cod_fee: jpy(0),
      prices_include_tax: true,
      tax_breakdown: breakdown,
    });
    expect(order.items.map((i: { tax_rate_bps: number; discount: unknown }) => [i.tax_rate_bps, i.discount]).sort()).toEqual([
      [1000, jpy(0)],
      [800, jpy(0)],
    ]);
    expect(order.payment.instructions.amount).toEqual(jpy(1620));
    const confirmed = await admin.confirmPayment(order.id, 1620);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'pending_shipment', tax_breakdown: breakdown, payments: [{ status: 'captured', received: jpy(1620) }] });
    const placed = await waitFor(async () => stack.notifier.sent.find((n) => n.template === 'order_placed' && n.data.order_id === order.id), {
      what: 'order_placed notification',
    });
    expect(placed.data.tax_breakdown).toEqual(breakdown);
  });

  test('when the store switches to tax-exclusive prices, then tax is added on top and the bank transfer confirms exactly the total with tax', async () => {
    const shop = await createTestTenant(stack.pool);
    const admin = backOffice(stack.http, shop.admin_api_key);
    const patched = await stack.http.patch('/admin/store').set('Authorization', `Bearer ${shop.admin_api_key}`).send({ prices_include_tax: false });
    expect(patched.status).toBe(200);
    expect(patched.body.prices_include_tax).toBe(false);
    const cartId = await cartWith(shop, [{ price: 1000 }, { price: 500, tax_rate_bps: 800 }]);
    const checkout = await storefront(stack.http, shop.publishable_key).checkout(cartId, buildCheckout({ payment_method: 'bank_transfer' }));
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({
      subtotal: jpy(1500),
      tax_total: jpy(140),
      total: jpy(1640),
      prices_include_tax: false,
      tax_breakdown: [
        { rate_bps: 1000, taxable_amount: jpy(1000), tax: jpy(100) },
        { rate_bps: 800, taxable_amount: jpy(500), tax: jpy(40) },
      ],
    });
    const overpaid = await admin.confirmPayment(order.id, 1641);
    expect(overpaid.status).toBe(422);
    const confirmed = await admin.confirmPayment(order.id, 1640);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'pending_shipment', payments: [{ status: 'captured', received: jpy(1640) }] });
  });

  test('when a COD order ships with a method whose COD fee is set, then its total adds shipping and the fee and delivery expects exactly that cash', async () => {
    const store = storefront(stack.http, shipper.publishable_key);
    const admin = backOffice(stack.http, shipper.admin_api_key);
    const { variantId } = await seedProduct(stack.http, shipper.admin_api_key, { price: 1200, stock: 4 });
    const cartId = (await store.createCart()).body.id;
    expect((await store.addItem(cartId, variantId, 2)).status).toBe(200);
    const methodId = await chooseNewMethod(shipper, cartId, { price: 800, free_over: 5000, cod_fee: 330 });
    // A cart does not know it will be paid on delivery: no fee yet.
    expect((await store.cart(cartId)).body).toMatchObject({ shipping_method_id: methodId, shipping_total: jpy(800), total: jpy(3200) });

    const checkout = await store.checkout(cartId, { ...buildCheckout({ payment_method: 'cod' }), expected_total: jpy(3530) });
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({
      subtotal: jpy(2400),
      shipping_total: jpy(800),
      cod_fee: jpy(330),
      total: jpy(3530),
      shipping_method_id: methodId,
      tax_breakdown: [{ rate_bps: 1000, taxable_amount: jpy(3530), tax: jpy(320) }],
    });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the COD shipment' });
    expect(shipment.cod_amount).toEqual(jpy(3530));
    expect((await admin.ship(shipment.id)).status).toBe(200);
    expect((await admin.deliver(shipment.id, jpy(2400))).status).toBe(422);
    const delivered = await admin.deliver(shipment.id, jpy(3530));
    expect(delivered.status).toBe(200);
    expect((await admin.order(order.id)).body).toMatchObject({ status: 'completed', payments: [{ status: 'captured', received: jpy(3530) }] });
  });

  test('when the lines reach the free-over threshold, then shipping costs nothing', async () => {
    const cartId = await cartWith(shipper, [{ price: 3000 }, { price: 2000 }]);
    await chooseNewMethod(shipper, cartId, { price: 800, free_over: 5000 });
    expect((await storefront(stack.http, shipper.publishable_key).cart(cartId)).body).toMatchObject({ shipping_total: jpy(0), total: jpy(5000) });
  });

  test('when a 10 % code is applied, then an undiscounted expected_total is 409 price_changed, the discounted one places the order and the transfer confirms only the discounted amount', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const cartId = await cartWith(tenant, [{ price: 1080 }, { price: 540, tax_rate_bps: 800 }]);
    const code = await applyNewPromotion(stack.http, tenant, cartId, { type: 'percentage', value: 10 });
    const cart = (await store.cart(cartId)).body;
    expect(cart).toMatchObject({
      subtotal: jpy(1620),
      discount_total: jpy(162),
      discounts: [{ code, amount: jpy(162) }],
      total: jpy(1458),
      tax_breakdown: [
        { rate_bps: 1000, taxable_amount: jpy(972), tax: jpy(88) },
        { rate_bps: 800, taxable_amount: jpy(486), tax: jpy(36) },
      ],
    });

    const stale = await store.checkout(cartId, { ...buildCheckout(), expected_total: jpy(1620) });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'price_changed', details: { total: jpy(1458) } });
    const checkout = await store.checkout(cartId, { ...buildCheckout(), expected_total: jpy(1458) });
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({ discount_total: jpy(162), discounts: [{ code, amount: jpy(162) }], total: jpy(1458), payment: { amount: jpy(1458) } });
    const shares = order.items.map((i: { discount: { amount: number }; total: { amount: number } }) => [i.discount.amount, i.total.amount]).sort();
    expect(shares).toEqual([
      [108, 972],
      [54, 486],
    ]);
    expect((await admin.confirmPayment(order.id, 1620)).status).toBe(422);
    const confirmed = await admin.confirmPayment(order.id, 1458);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'pending_shipment', payments: [{ status: 'captured', received: jpy(1458) }] });
  });

  test('when a discounted card order with shipping is paid, then the authorization and capture are its total and refunds never exceed it', async () => {
    const store = storefront(stack.http, shipper.publishable_key);
    const admin = backOffice(stack.http, shipper.admin_api_key);
    const cartId = await cartWith(shipper, [{ price: 3000 }]);
    await chooseNewMethod(shipper, cartId, { price: 700 });
    await applyNewPromotion(stack.http, shipper, cartId, { type: 'fixed', value: 500 });
    const checkout = await store.checkout(cartId, buildCheckout({ payment_method: 'card', payment_token: 'tok_visa' }));
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({ status: 'pending_shipment', total: jpy(3200), payment: { status: 'authorized', amount: jpy(3200) } });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    expect((await admin.ship(shipment.id)).status).toBe(200);
    await waitFor(async () => ((await admin.order(order.id)).body.payments[0].status === 'captured' ? true : null), { what: 'the capture' });
    const ledger = (await gatewayLedger(stack.pool, { orderId: order.id })).map((e) => `${e.operation}:${e.amount}`);
    expect(ledger).toEqual(['authorize:3200', 'capture:3200']);
    const tooMuch = await admin.refund(order.id, 3201);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ code: 'amount_mismatch', details: { refundable: jpy(3200) } });
    expect((await admin.refund(order.id, 3200)).status).toBe(200);
  });

  test("when a mall order carries a vendor-scoped code, then the transfer confirms the discounted total and that vendor's payout is on its discounted gross", async () => {
    const mall = await createTestTenant(stack.pool, { mode: 'mall' });
    const admin = backOffice(stack.http, mall.admin_api_key);
    const v1 = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: 1000 });
    const v2 = await seedVendor(stack.http, mall.admin_api_key, { commission_rate_bps: 500 });
    const store = storefront(stack.http, mall.publishable_key);
    const cartId = (await store.createCart()).body.id;
    for (const vendor of [v1, v2]) {
      const variantId = await seedVendorProduct(stack.http, mall.admin_api_key, vendor, { price: 2000, stock: 5 });
      expect((await store.addItem(cartId, variantId, 1)).status).toBe(200);
    }
    await applyNewPromotion(stack.http, mall, cartId, { type: 'fixed', value: 500, vendor_id: v1 });
    const checkout = await store.checkout(cartId, buildCheckout({ payment_method: 'bank_transfer' }));
    expect(checkout.status).toBe(201);
    const order = checkout.body.order;
    expect(order).toMatchObject({ subtotal: jpy(4000), discount_total: jpy(500), total: jpy(3500) });
    expect((await admin.confirmPayment(order.id, 3500)).status).toBe(200);

    const shipments = await waitFor(
      async () => {
        const s = (await admin.order(order.id)).body.shipments as { id: string }[];
        return s.length === 2 ? s : null;
      },
      { what: 'two shipments' },
    );
    for (const s of shipments) expect((await admin.ship(s.id)).status).toBe(200);
    for (const s of shipments) expect((await admin.deliver(s.id)).status).toBe(200);
    const office = mallOffice(stack.http, mall.admin_api_key);
    const payoutOf = (vendorId: string) =>
      waitFor(async () => (await office.payouts(vendorId)).body.items?.[0] as { gross: unknown; commission: unknown; net: unknown } | undefined, {
        what: `the payout of ${vendorId}`,
      });
    expect(await payoutOf(v1)).toMatchObject({ gross: jpy(1500), commission: jpy(150), net: jpy(1350) });
    expect(await payoutOf(v2)).toMatchObject({ gross: jpy(2000), commission: jpy(100), net: jpy(1900) });
  });
});
