// Order, payment and shipment states and the transitions the business allows.
import { ConflictError, ValidationError, type DomainError } from './errors.ts';
import { sameMoney, type Money } from './money.ts';

/** Order status as clients see it. */
export const ORDER_STATUSES = ['pending_payment', 'pending_shipment', 'partially_shipped', 'shipped', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Payment status as clients see it. */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'captured', 'failed', 'refunded', 'voided'] as const;

/** Payment methods offered at checkout. */
export const PAYMENT_METHODS = ['bank_transfer', 'cod', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Shipment status. */
export const SHIPMENT_STATUSES = ['pending', 'shipped', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
/** Which workflow takes a shipment's ship and deliver updates: its own `shipment` workflow, or the order's fulfillment. */
export const SHIPMENT_FOLLOWERS = ['shipment', 'fulfillment'] as const;
/** One of SHIPMENT_FOLLOWERS. */
export type ShipmentFollower = (typeof SHIPMENT_FOLLOWERS)[number];

const ORDER_TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  pending_payment: ['pending_shipment', 'cancelled'],
  // completed: an order of digital goods only is done once its download links are issued (nothing ships).
  pending_shipment: ['partially_shipped', 'shipped', 'completed', 'cancelled'],
  partially_shipped: ['shipped'],
  shipped: ['completed'],
  completed: [],
  cancelled: [],
};

/** True when the order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** True when `to` comes after `from` along the order's transitions (a later state, never an earlier or the same one). */
export function isLaterStatus(from: OrderStatus, to: OrderStatus): boolean {
  const seen = new Set<OrderStatus>();
  const next = [...ORDER_TRANSITIONS[from]];
  while (next.length > 0) {
    const status = next.pop()!;
    if (status === to) return true;
    if (!seen.has(status)) next.push(...ORDER_TRANSITIONS[status]);
    seen.add(status);
  }
  return false;
}

/** Orders can be cancelled only before anything has shipped. */
export function isCancellable(status: OrderStatus): boolean {
  return canTransition(status, 'cancelled');
}

/** Why an order in this status cannot be cancelled (null: it can), in the words every layer answers with. */
export function cancellationRefusal(status: OrderStatus): string | null {
  if (status === 'cancelled') return 'the order is already cancelled';
  return isCancellable(status) ? null : `an order in status ${status} can no longer be cancelled`;
}

/** Cash on delivery is accepted only when exactly the amount owed, in its currency, was collected. */
export function isExactCodCash(owed: Money, collected: Money | null | undefined): collected is Money {
  return !!collected && sameMoney(owed, collected);
}

/** Cash each shipment collects on delivery: its lines' net amount (after discounts), the first also the rest of the order
 * total (shipping, the COD fee, and tax when prices exclude it), so the shares always add up to what the order costs. */
export function codShares(groupAmounts: number[], orderTotal: number): number[] {
  const rest = orderTotal - groupAmounts.reduce((s, a) => s + a, 0);
  return groupAmounts.map((amount, i) => amount + (i === 0 ? rest : 0));
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

/** What a bank-transfer confirmation does given what was received before. */
export function evaluatePaymentConfirmation(
  owed: Money,
  receivedBefore: number,
  paid: Money,
): { ok: true; receivedAfter: number; fullyPaid: boolean } | { ok: false; reason: string } {
  if (paid.currency !== owed.currency) return { ok: false, reason: `payment currency ${paid.currency} does not match order currency ${owed.currency}` };
  if (!Number.isSafeInteger(paid.amount) || paid.amount <= 0) return { ok: false, reason: 'payment amount must be a positive integer of minor units' };
  const receivedAfter = receivedBefore + paid.amount;
  if (receivedAfter > owed.amount) return { ok: false, reason: `over-payment: ${receivedAfter} received for ${owed.amount} owed` };
  return { ok: true, receivedAfter, fullyPaid: receivedAfter === owed.amount };
}

/** A cart line as checkout sees it: is it still sold in the cart's currency, does it renew (a subscription)? */
export type PlacementLine = { variantId: string; quantity: number; unitPrice: number; sold: boolean; subscription: boolean; digital?: boolean };

/** What stops a cart from becoming an order with this payment method, first problem first (empty: it can be placed). */
export function checkPlacement(lines: PlacementLine[], paymentMethod: PaymentMethod): DomainError[] {
  if (lines.length === 0) return [new ValidationError('the cart is empty')];
  const problems: DomainError[] = [];
  const unsold = lines.filter((l) => !l.sold).map((l) => l.variantId);
  if (unsold.length) problems.push(new ConflictError(`no longer sold: ${unsold.join(', ')}; remove these items from the cart`, { variant_ids: unsold }));
  // Subscriptions renew off-session, which only a stored card can pay.
  const subscribed = lines.filter((l) => l.subscription).map((l) => l.variantId);
  if (paymentMethod !== 'card' && subscribed.length) {
    problems.push(new ValidationError('subscription items renew off-session and can only be paid by card', { variant_ids: subscribed }));
  }
  // Download links are issued once paid; cash on delivery is paid to a courier, and a download has none.
  const digital = lines.filter((l) => l.digital).map((l) => l.variantId);
  if (paymentMethod === 'cod' && digital.length) {
    problems.push(new ValidationError('digital items are delivered as download links once paid and cannot be paid on delivery', { variant_ids: digital }));
  }
  return problems;
}
