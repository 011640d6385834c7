// Signals, updates and queries of every workflow; the API and tests import these same definitions.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelArgs,
  ConfirmPaymentArgs,
  DeliverArgs,
  GroupBuyState,
  JoinGroupBuyArgs,
  JoinResult,
  PaymentState,
  PlacedOrder,
  ReindexProgress,
  ShipArgs,
  SubscriptionCancelArgs,
  SubscriptionCardArgs,
  SubscriptionRetryArgs,
  TrackedShipment,
} from './workflows.ts';
import type { OrderStatus } from '../domain/order.ts';

/** Checkout: waits until the order exists and returns it (Update-with-Start target). */
export const placeOrderUpdate = defineUpdate<PlacedOrder, []>('placeOrder');
/** Checkout: cancels the order before it ships (compensations run, children stop). */
export const cancelOrderUpdate = defineUpdate<{ status: 'cancelled' }, [CancelArgs]>('cancelOrder');
/** Checkout: the order status changed in a child workflow (fulfillment), so the OrderStatus attribute follows. */
export const orderStatusSignal = defineSignal<[OrderStatus]>('orderStatus');
/** Any order workflow: its current status. */
export const statusQuery = defineQuery<string>('status');

/** Reservation expiry: the cart's holds changed (added, resized, extended). */
export const holdsChangedSignal = defineSignal('holdsChanged');
/** Reservation expiry: the cart was checked out; stop watching. */
export const cartClosedSignal = defineSignal('cartClosed');

/** Payment confirmation: a bank transfer was received (validator rejects wrong currency, over-payment, second confirmation). */
export const confirmPaymentUpdate = defineUpdate<PaymentState, [ConfirmPaymentArgs]>('confirmPayment');
/** Payment confirmation: amount due and received so far. */
export const paymentStateQuery = defineQuery<PaymentState>('paymentState');

/** Fulfillment result of a ship or deliver update. */
export type ShipmentChange = { shipment: TrackedShipment; orderStatus: OrderStatus };
/** Shipment: it left the warehouse (sent to `shipment:<tenant>:<shipment>`). */
export const shipUpdate = defineUpdate<ShipmentChange, [ShipArgs]>('ship');
/** Shipment: it was delivered (COD: with the cash collected). */
export const deliverUpdate = defineUpdate<ShipmentChange, [DeliverArgs]>('deliver');
/** Fulfillment: a shipment's workflow reports a change it made (the order status comes from the database). */
export const shipmentChangedSignal = defineSignal<[ShipmentChange]>('shipmentChanged');
/** Fulfillment: shipments and the order status. */
export const shipmentsQuery = defineQuery<{ orderStatus: OrderStatus; shipments: TrackedShipment[] }>('shipments');

/** Subscription: charge a past-due renewal now instead of at the next scheduled retry. */
export const retrySubscriptionUpdate = defineUpdate<void, [SubscriptionRetryArgs | undefined]>('retryNow');
/** Subscription: stop it; no charge follows. */
export const cancelSubscriptionUpdate = defineUpdate<void, [SubscriptionCancelArgs]>('cancel');
/** Subscription: save a new card (and, when past due, charge it at once). */
export const updatePaymentMethodUpdate = defineUpdate<void, [SubscriptionCardArgs]>('updatePaymentMethod');

/** Reindex: how far it got. */
export const reindexProgressQuery = defineQuery<ReindexProgress>('progress');

/** Group buy: a participant joins (validator: open, not full, one per e-mail); answers once the unit is held and the card authorized. */
export const joinGroupBuyUpdate = defineUpdate<JoinResult, [JoinGroupBuyArgs]>('join');
/** Group buy: where the campaign stands. */
export const groupBuyStatusQuery = defineQuery<GroupBuyState>('groupBuyStatus');
