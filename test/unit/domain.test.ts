// Pure domain rules: money, order state machine, bank-transfer confirmation, durations. No I/O.
import { money, sameMoney, sumMoney, times, type Money } from '../../domain/money.ts';
import {
  canTransition,
  evaluatePaymentConfirmation,
  initialOrderStatus,
  isCancellable,
  isLaterStatus,
  ORDER_STATUSES,
  statusFromShipments,
  type OrderStatus,
  type ShipmentStatus,
} from '../../domain/order.ts';
import { parseDuration, parseDurationList } from '../../domain/duration.ts';

const jpy = (amount: number): Money => money(amount, 'JPY');

describe('money', () => {
  test('when an amount is not a safe integer, then building money throws', () => {
    expect(() => money(10.5, 'JPY')).toThrow(/safe integer/);
    expect(() => money(Number.MAX_SAFE_INTEGER + 1, 'JPY')).toThrow(/safe integer/);
    expect(() => money(Number.NaN, 'JPY')).toThrow(/safe integer/);
  });

  test('when a currency is given in lower case, then it is stored upper case', () => {
    expect(money(100, 'jpy')).toEqual({ amount: 100, currency: 'JPY' });
  });

  test('when amounts of one currency are summed, then the total is their integer sum', () => {
    expect(sumMoney([jpy(100), jpy(250), jpy(0)], 'JPY')).toEqual({ amount: 350, currency: 'JPY' });
  });

  test('when nothing is summed, then the total is zero in the requested currency', () => {
    expect(sumMoney([], 'EUR')).toEqual({ amount: 0, currency: 'EUR' });
  });

  test('when a summed amount has another currency, then sumMoney throws naming both currencies', () => {
    expect(() => sumMoney([jpy(100), money(5, 'USD')], 'JPY')).toThrow('cannot add USD to JPY');
  });

  test('when a unit price is multiplied by a quantity, then the result keeps the currency', () => {
    expect(times(money(1999, 'USD'), 3)).toEqual({ amount: 5997, currency: 'USD' });
    expect(times(jpy(1500), 0)).toEqual({ amount: 0, currency: 'JPY' });
  });

  test('when a multiplication overflows safe integers, then times throws instead of losing precision', () => {
    expect(() => times(jpy(Number.MAX_SAFE_INTEGER), 2)).toThrow(/safe integer/);
  });

  test('when two values differ in amount or currency, then sameMoney is false', () => {
    expect(sameMoney(jpy(100), jpy(100))).toBe(true);
    expect(sameMoney(jpy(100), jpy(101))).toBe(false);
    expect(sameMoney(jpy(100), money(100, 'USD'))).toBe(false);
  });
});

describe('statusFromShipments', () => {
  const cases: [ShipmentStatus[], OrderStatus][] = [
    [[], 'cancelled'],
    [['cancelled'], 'cancelled'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [['pending'], 'pending_shipment'],
    [['pending', 'pending'], 'pending_shipment'],
    [['pending', 'cancelled'], 'pending_shipment'],
    [['shipped'], 'shipped'],
    [['shipped', 'shipped'], 'shipped'],
    [['shipped', 'delivered'], 'shipped'],
    [['shipped', 'cancelled'], 'shipped'],
    [['pending', 'shipped'], 'partially_shipped'],
    [['pending', 'delivered'], 'partially_shipped'],
    [['pending', 'shipped', 'delivered'], 'partially_shipped'],
    [['delivered'], 'completed'],
    [['delivered', 'delivered'], 'completed'],
    [['delivered', 'cancelled'], 'completed'],
  ];
  test.each(cases)('when shipments are %j, then the order is %s', (shipments, expected) => {
    expect(statusFromShipments(shipments)).toBe(expected);
  });
});

describe('order state machine', () => {
  const allowed: [OrderStatus, OrderStatus][] = [
    ['pending_payment', 'pending_shipment'],
    ['pending_payment', 'cancelled'],
    ['pending_shipment', 'partially_shipped'],
    ['pending_shipment', 'shipped'],
    ['pending_shipment', 'cancelled'],
    ['pending_shipment', 'completed'],
    ['partially_shipped', 'shipped'],
    ['shipped', 'completed'],
  ];

  test('when every pair of statuses is checked, then exactly the documented transitions are allowed', () => {
    const actual: [OrderStatus, OrderStatus][] = [];
    for (const from of ORDER_STATUSES) for (const to of ORDER_STATUSES) if (canTransition(from, to)) actual.push([from, to]);
    expect(actual.sort()).toEqual([...allowed].sort());
  });

  test('when an order is completed or cancelled, then it can move nowhere', () => {
    for (const to of ORDER_STATUSES) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });

  test('when a status is compared with another, then only one reachable through transitions is later (a stale signal is not)', () => {
    expect(isLaterStatus('pending_shipment', 'completed')).toBe(true);
    expect(isLaterStatus('partially_shipped', 'completed')).toBe(true);
    expect(isLaterStatus('pending_payment', 'shipped')).toBe(true);
    expect(isLaterStatus('completed', 'shipped')).toBe(false);
    expect(isLaterStatus('shipped', 'partially_shipped')).toBe(false);
    expect(isLaterStatus('shipped', 'shipped')).toBe(false);
    expect(isLaterStatus('partially_shipped', 'cancelled')).toBe(false);
    expect(ORDER_STATUSES.filter((to) => isLaterStatus('completed', to) || isLaterStatus('cancelled', to))).toEqual([]);
  });

  test('when an order has not shipped anything, then it is cancellable; once anything shipped or it ended, it is not', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual(['pending_payment', 'pending_shipment']);
  });

  test('when a payment method is chosen, then bank transfer and card start pending payment and cash on delivery pending shipment', () => {
    expect(initialOrderStatus('bank_transfer')).toBe('pending_payment');
    expect(initialOrderStatus('cod')).toBe('pending_shipment');
    expect(initialOrderStatus('card')).toBe('pending_payment'); // until the gateway authorizes it
  });
});

describe('evaluatePaymentConfirmation', () => {
  const owed = jpy(3000);

  test('when the payment currency differs from the order currency, then it is rejected naming both', () => {
    const verdict = evaluatePaymentConfirmation(owed, 0, money(3000, 'USD'));
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(/USD.*JPY/) });
  });

  test('when the payment exceeds what is still owed, then it is rejected as an over-payment', () => {
    expect(evaluatePaymentConfirmation(owed, 0, jpy(3001))).toEqual({ ok: false, reason: expect.stringContaining('over-payment') });
    expect(evaluatePaymentConfirmation(owed, 2500, jpy(501))).toEqual({ ok: false, reason: expect.stringContaining('over-payment') });
  });

  test('when the payment covers part of the amount, then it is accepted and not fully paid', () => {
    expect(evaluatePaymentConfirmation(owed, 0, jpy(1000))).toEqual({ ok: true, receivedAfter: 1000, fullyPaid: false });
  });

  test('when the payment covers exactly the rest, then the order is fully paid', () => {
    expect(evaluatePaymentConfirmation(owed, 0, jpy(3000))).toEqual({ ok: true, receivedAfter: 3000, fullyPaid: true });
    expect(evaluatePaymentConfirmation(owed, 1000, jpy(2000))).toEqual({ ok: true, receivedAfter: 3000, fullyPaid: true });
  });

  test('when the amount is zero, negative or fractional, then it is rejected', () => {
    for (const amount of [0, -100, 10.5]) {
      expect(evaluatePaymentConfirmation(owed, 0, { amount, currency: 'JPY' })).toEqual({ ok: false, reason: expect.stringContaining('positive integer') });
    }
  });
});

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['2s', 2_000],
    ['15m', 900_000],
    ['72h', 259_200_000],
    ['7d', 604_800_000],
    ['1.5s', 1_500],
    [' 2s ', 2_000],
  ])('when the text is %j, then it is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', 'banana', '15', 'm', '-1s', '2 seconds', '1w', '1e3ms', '2s3m', 'ms500', '1,5s'])('when the text is %j, then parsing throws', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  test('when the duration is zero or rounds to zero, then parsing throws because timers need a positive duration', () => {
    expect(() => parseDuration('0s')).toThrow(/must be positive/);
    expect(() => parseDuration('0.0001ms')).toThrow(/must be positive/);
  });
});

describe('parseDurationList', () => {
  test('when the default dunning schedule is parsed, then each entry is in milliseconds and in order', () => {
    expect(parseDurationList('1d,3d,5d,7d')).toEqual([86_400_000, 259_200_000, 432_000_000, 604_800_000]);
  });

  test('when entries have spaces after commas or one entry only, then they parse', () => {
    expect(parseDurationList('500ms, 2s')).toEqual([500, 2_000]);
    expect(parseDurationList('15m')).toEqual([900_000]);
  });

  test('when any entry is empty or invalid, then the whole list is rejected', () => {
    expect(() => parseDurationList('')).toThrow(/invalid duration/);
    expect(() => parseDurationList('1d,,3d')).toThrow(/invalid duration/);
    expect(() => parseDurationList('1d,soon')).toThrow(/invalid duration "soon"/);
  });
});
