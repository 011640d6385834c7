// Pure rules of order repair: when an open order's process counts as lost, and where a resume starts.
import { needsAttention, resumeStep } from '../../domain/repair.ts';

describe('needsAttention', () => {
  test('when an open order has no running checkout or resume run, then it needs attention', () => {
    expect(needsAttention('pending_payment', [])).toBe(true);
    expect(needsAttention('pending_payment', [{ type: 'checkout', status: 'TERMINATED' }])).toBe(true);
    expect(
      needsAttention('pending_shipment', [
        { type: 'checkout', status: 'COMPLETED' },
        { type: 'orderResume', status: 'FAILED' },
      ]),
    ).toBe(true);
  });

  test('when its checkout or a resume run is running, then it does not', () => {
    expect(needsAttention('pending_payment', [{ type: 'checkout', status: 'RUNNING' }])).toBe(false);
    expect(
      needsAttention('shipped', [
        { type: 'checkout', status: 'TERMINATED' },
        { type: 'orderResume', status: 'RUNNING' },
      ]),
    ).toBe(false);
  });

  test('when a fulfillment runs on its own (abandoned by its checkout), then a shipped order does not; a cancellable or unpaid one still does', () => {
    const orphan = [
      { type: 'checkout', status: 'TERMINATED' },
      { type: 'fulfillment', status: 'RUNNING' },
    ];
    expect(needsAttention('partially_shipped', orphan)).toBe(false);
    expect(needsAttention('shipped', orphan)).toBe(false);
    // Nothing shipped yet: the back office may cancel it, and only a driver answers that.
    expect(needsAttention('pending_shipment', orphan)).toBe(true);
    expect(needsAttention('pending_payment', [{ type: 'paymentConfirmation', status: 'RUNNING' }])).toBe(true);
  });

  test('when the order is completed or cancelled, then it never does', () => {
    expect(needsAttention('completed', [])).toBe(false);
    expect(needsAttention('cancelled', [])).toBe(false);
  });
});

describe('resumeStep', () => {
  test('when a bank transfer awaits payment, then it waits again; a card awaiting authorization is cancelled', () => {
    expect(resumeStep('pending_payment', 'bank_transfer')).toBe('await_payment');
    expect(resumeStep('pending_payment', 'card')).toBe('cancel');
  });

  test('when the order is paid or cash on delivery, then it is fulfilled; a closed order is left alone', () => {
    expect(resumeStep('pending_shipment', 'cod')).toBe('fulfil');
    expect(resumeStep('shipped', 'card')).toBe('fulfil');
    expect(resumeStep('completed', 'bank_transfer')).toBe('nothing');
    expect(resumeStep('cancelled', 'card')).toBe('nothing');
  });
});
