// Order, payment and shipment states and the transitions the business allows.
import { money, sumMoney, times, type Money } from './money.ts';

/** Order status as clients see it. */
export const ORDER_STATUSES = ['pending_payment', 'pending_shipment', 'partially_shipped', 'shipped', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Payment status as clients see it. */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'captured', 'failed', 'refunded', 'voided'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Payment methods offered at checkout. */
export const PAYMENT_METHODS = ['bank_transfer', 'cod', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Shipment status. */
export const SHIPMENT_STATUSES = ['pending', 'shipped', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

const ORDER_TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  pending_payment: ['pending_shipment', 'cancelled'],
  pending_shipment: ['partially_shipped', 'shipped', 'cancelled'],
  partially_shipped: ['shipped'],
  shipped: ['completed'],
  completed: [],
  cancelled: [],
};

/** True when the order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** Orders can be cancelled only before anything has shipped. */
export function isCancellable(status: OrderStatus): boolean {
  return canTransition(status, 'cancelled');
}

/** The status an order starts in for a payment method (a card order waits for its authorization). */
export function initialOrderStatus(method: PaymentMethod): OrderStatus {
  return method === 'cod' ? 'pending_shipment' : 'pending_payment';
}

/** Order status derived from its shipments' states (ignores cancelled shipments). */
export function statusFromShipments(statuses: ShipmentStatus[]): OrderStatus {
  const live = statuses.filter((s) => s !== 'cancelled');
  if (live.length === 0) return 'cancelled';
  if (live.every((s) => s === 'delivered')) return 'completed';
  const shipped = live.filter((s) => s === 'shipped' || s === 'delivered').length;
  if (shipped === 0) return 'pending_shipment';
  return shipped === live.length ? 'shipped' : 'partially_shipped';
}

/** A priced line of a cart or an order. */
export type PricedLine = { quantity: number; unitPrice: Money };

/** Totals of an order: subtotal of lines, shipping, total. */
export type OrderTotals = { subtotal: Money; shipping: Money; total: Money };

/** Computes an order's totals; shipping is flat per order for now (zero unless configured). */
export function computeTotals(lines: PricedLine[], currency: string, shippingAmount = 0): OrderTotals {
  if (lines.length === 0) throw new Error('an order needs at least one line');
  const subtotal = sumMoney(lines.map((l) => times(l.unitPrice, l.quantity)), currency);
  const shipping = money(shippingAmount, currency);
  return { subtotal, shipping, total: money(subtotal.amount + shipping.amount, currency) };
}

/** What a bank-transfer confirmation does given what was received before. */
export function evaluatePaymentConfirmation(owed: Money, receivedBefore: number, paid: Money):
  | { ok: true; receivedAfter: number; fullyPaid: boolean }
  | { ok: false; reason: string } {
  if (paid.currency !== owed.currency) return { ok: false, reason: `payment currency ${paid.currency} does not match order currency ${owed.currency}` };
  if (!Number.isSafeInteger(paid.amount) || paid.amount <= 0) return { ok: false, reason: 'payment amount must be a positive integer of minor units' };
  const receivedAfter = receivedBefore + paid.amount;
  if (receivedAfter > owed.amount) return { ok: false, reason: `over-payment: ${receivedAfter} received for ${owed.amount} owed` };
  return { ok: true, receivedAfter, fullyPaid: receivedAfter === owed.amount };
}
