// Single-step retry rules (domain/step-retries.ts): which notices an order can be sent again, and request ids.
import { resendableNotice, resentNotification, stepRequestId, type ResendableOrder } from '../../domain/step-retries.ts';

const order = (overrides: Partial<ResendableOrder> = {}): ResendableOrder => ({
  id: 'ord_1',
  status: 'pending_payment',
  payment_method: 'bank_transfer',
  total: { amount: 2400, currency: 'JPY' },
  tax_breakdown: [{ rate_bps: 1000 }],
  cancel_reason: null,
  payments: [{ method: 'bank_transfer', status: 'pending', due_at: '2026-12-03T00:00:00.000Z' }],
  shipments: [],
  ...overrides,
});

describe('resendable notices', () => {
  test('when an unpaid bank-transfer order is resent its placed notice, then it carries the transfer instructions as placing did', () => {
    expect(resendableNotice(order(), 'order_placed')).toEqual({
      template: 'order_placed',
      data: {
        order_id: 'ord_1',
        total: { amount: 2400, currency: 'JPY' },
        tax_breakdown: [{ rate_bps: 1000 }],
        payment: {
          method: 'bank_transfer',
          status: 'pending',
          instructions: {
            reference: 'ord_1',
            amount: { amount: 2400, currency: 'JPY' },
            due_at: '2026-12-03T00:00:00.000Z',
            note: 'Transfer the exact amount and quote the reference.',
          },
        },
      },
    });
  });

  test('when the order never shipped, completed or was cancelled, then those notices are not resendable, nor unknown templates', () => {
    for (const template of ['order_shipped', 'order_completed', 'order_cancelled', 'payment_received', 'payment_reminder', 'password_reset', '']) {
      expect({ template, notice: resendableNotice(order(), template) }).toEqual({ template, notice: null });
    }
  });

  test('when two parcels shipped, then order_shipped is rebuilt from the latest one', () => {
    const shipped = order({
      status: 'shipped',
      shipments: [
        { id: 'shp_a', status: 'delivered', carrier: 'yamato', tracking_number: 'A1', shipped_at: '2026-11-01T00:00:00.000Z' },
        { id: 'shp_b', status: 'shipped', carrier: 'sagawa', tracking_number: 'B2', shipped_at: '2026-11-02T00:00:00.000Z' },
        { id: 'shp_c', status: 'pending', carrier: null, tracking_number: null, shipped_at: null },
      ],
    });
    expect(resendableNotice(shipped, 'order_shipped')?.data).toEqual({ order_id: 'ord_1', shipment_id: 'shp_b', carrier: 'sagawa', tracking_number: 'B2' });
  });

  test('when the order is cancelled or completed, then its cancelled or completed notice is resendable', () => {
    expect(resendableNotice(order({ status: 'cancelled', cancel_reason: 'payment_timeout' }), 'order_cancelled')?.data).toEqual({
      order_id: 'ord_1',
      reason: 'payment_timeout',
    });
    expect(resendableNotice(order({ status: 'completed' }), 'order_completed')?.data).toEqual({ order_id: 'ord_1' });
  });
});

describe('request ids', () => {
  test('when the same parts are given, then the id is the same; another Idempotency-Key gives another id', () => {
    expect(stepRequestId('rsd', 'ten_1', 'ord_1', 'order_placed', 'k1')).toBe(stepRequestId('rsd', 'ten_1', 'ord_1', 'order_placed', 'k1'));
    expect(stepRequestId('rsd', 'ten_1', 'ord_1', 'order_placed', 'k2')).not.toBe(stepRequestId('rsd', 'ten_1', 'ord_1', 'order_placed', 'k1'));
    expect(stepRequestId('rdl', 'ten_1', 'wh_1', 'evt_1', 'k1')).toMatch(/^rdl_[0-9a-f]{32}$/);
  });

  test('when a notice is resent, then its data carries the request id, so the e-mail gets a Message-ID of its own', () => {
    const notice = resendableNotice(order({ status: 'completed' }), 'order_completed')!;
    expect(resentNotification('ten_1', 'a@example.jp', notice, 'rsd_1')).toEqual({
      tenantId: 'ten_1',
      to: 'a@example.jp',
      template: 'order_completed',
      data: { order_id: 'ord_1', resend_id: 'rsd_1' },
    });
  });
});
