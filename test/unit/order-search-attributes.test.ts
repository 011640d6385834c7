// orderSearchAttributes: the one builder of an order workflow's search attributes (API, checkout, fulfillment).
import { orderSearchAttributes } from '../../contracts/search-attributes.ts';

const asPairs = (attrs: ReturnType<typeof orderSearchAttributes>) => attrs.map((a) => [a.key.name, a.value]);

describe('orderSearchAttributes', () => {
  test('when every field is given, then each attribute appears once, in a fixed order, with its value', () => {
    const attrs = orderSearchAttributes({
      tenantId: 'ten_1',
      orderId: 'ord_1',
      cartId: 'cart_1',
      email: 'a@example.jp',
      paymentMethod: 'card',
      status: 'pending_shipment',
      vendorIds: ['ven_1', 'ven_2'],
    });
    expect(asPairs(attrs)).toEqual([
      ['TenantId', 'ten_1'],
      ['OrderId', 'ord_1'],
      ['CartId', 'cart_1'],
      ['CustomerEmail', 'a@example.jp'],
      ['PaymentMethod', 'card'],
      ['VendorIds', ['ven_1', 'ven_2']],
      ['OrderStatus', 'pending_shipment'],
    ]);
  });

  test('when a single-brand order has no vendors, then VendorIds is left out (empty list or null alike)', () => {
    expect(asPairs(orderSearchAttributes({ tenantId: 'ten_1', orderId: 'ord_1', vendorIds: [] }))).toEqual([
      ['TenantId', 'ten_1'],
      ['OrderId', 'ord_1'],
    ]);
    expect(asPairs(orderSearchAttributes({ tenantId: 'ten_1', vendorIds: null }))).toEqual([['TenantId', 'ten_1']]);
  });

  test('when only the cart is known (the hold watcher), then only the tenant and the cart are set', () => {
    expect(asPairs(orderSearchAttributes({ tenantId: 'ten_1', cartId: 'cart_1' }))).toEqual([
      ['TenantId', 'ten_1'],
      ['CartId', 'cart_1'],
    ]);
  });
});
