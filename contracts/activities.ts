// What each activity group does, as workflows call it: activities/ implements these (`satisfies`), workflows proxy them.
import type { Notification } from '../domain/notification.ts';
import type { ImportActivities } from './imports.ts';
import type { Actor } from './audit.ts';
import type { BankStatementActivities } from './bank-statements.ts';
import type { OrderStatus } from '../domain/order.ts';
import type { SubscriptionStatus } from '../domain/subscription-status.ts';
import type {
  Address,
  CaptureRetryInput,
  CaptureRetryOutcome,
  CheckoutInput,
  ConfirmPaymentArgs,
  DeliverArgs,
  EventNoticeInput,
  OrderReconcilerInput,
  PlacedOrder,
  ReconcileReport,
  ResumePlan,
  RefundInput,
  ShipArgs,
  TrackedShipment,
  WebhookDeliveryInput,
} from './workflows.ts';

/** Outcome of an expiry pass over one cart. */
export type ExpiryPass = { released: number; remaining: number; nextExpiryInMs: number | null };

/** Stock holds: release what expired (per cart, or swept in batches). */
export type HoldActivities = {
  releaseExpiredCartHolds(input: { tenantId: string; cartId: string }): Promise<ExpiryPass>;
  sweepExpiredHolds(input: { batchSize: number; maxBatches: number }): Promise<number>;
};

/** Orders: place one from a cart, cancel it (releasing its stock), tell the customer. */
export type OrderActivities = {
  placeOrder(input: CheckoutInput & { orderId: string }): Promise<PlacedOrder>;
  cancelOrder(input: { tenantId: string; orderId?: string; reason: string; actor?: Actor }): Promise<{ cancelled: boolean; status: OrderStatus | null }>;
  notifyCustomer(input: Notification): Promise<void>;
};

/** Bank transfers: record a confirmed payment. */
export type PaymentActivities = {
  recordBankTransfer(input: { tenantId: string; orderId: string } & ConfirmPaymentArgs): Promise<{ received: number; fullyPaid: boolean }>;
};

/** A shipment as changed by a ship or deliver, with the order status that follows. */
export type ShipmentResult = { shipment: TrackedShipment; orderStatus: OrderStatus };

/** Fulfillment: create the order's shipments, ship and deliver them. */
export type FulfillmentActivities = {
  createShipments(input: { tenantId: string; orderId: string; followSingleInFulfillment?: boolean }): Promise<TrackedShipment[]>;
  shipShipment(input: { tenantId: string; orderId: string } & ShipArgs): Promise<ShipmentResult>;
  deliverShipment(input: { tenantId: string; orderId: string } & DeliverArgs): Promise<ShipmentResult>;
};

/** Payouts: one line per vendor of a completed order. */
export type PayoutActivities = {
  createPayouts(input: { tenantId: string; orderId: string }): Promise<number>;
};

/** Outbox relay: one batch of events published. */
export type RelayActivities = {
  relayOutboxBatch(input: { batchSize: number; tenantIds?: string[] }): Promise<{ published: number; deliveries: number; indexed: number; notices: number }>;
};

/** A webhook delivery without its retry schedule (that is the activity's retry policy). */
export type WebhookDelivery = Omit<WebhookDeliveryInput, 'retry'>;

/** Outbound webhooks: one POST attempt, and the record of giving up. */
export type WebhookActivities = {
  deliverWebhook(input: WebhookDelivery): Promise<{ status: number | null; attempts: number }>;
  recordWebhookGivenUp(input: WebhookDelivery & { reason: string }): Promise<void>;
};

/** Search index rebuild: a start time, page by page, then prune what the pages did not rewrite. */
export type SearchActivities = {
  reindexStartedAt(): Promise<number>;
  reindexSearchPage(input: { tenantId: string; afterId: string | null; limit: number }): Promise<{ upserted: number; removed: number; lastId: string | null }>;
  pruneSearchIndex(input: { tenantId: string; beforeMs: number }): Promise<number>;
};

/** Why a refund was rejected before any money moved (a domain error's code, message and details). */
export type RefundReservation = { ok: true } | { ok: false; code: string; message: string; details?: Record<string, unknown> };

/** Card money: authorize, capture, void; refunds reserved then executed. */
export type CardPaymentActivities = {
  authorizeCardPayment(input: { tenantId: string; orderId: string; token: string }): Promise<{ orderStatus: OrderStatus; cardRef: string | null }>;
  captureCardPayment(input: { tenantId: string; orderId: string }): Promise<{ status: string }>;
  voidCardAuthorization(input: { tenantId: string; orderId?: string }): Promise<{ voided: boolean }>;
  reserveRefund(input: RefundInput): Promise<RefundReservation>;
  executeRefund(input: { tenantId: string; refundId: string; actor?: Actor }): Promise<{ status: string }>;
  retryCardCapture(input: CaptureRetryInput): Promise<CaptureRetryOutcome>;
};

/** What the billing workflow needs to know about its subscription (timestamps as ISO strings). */
export type BillingState = {
  id: string;
  tenant_id: string;
  status: SubscriptionStatus;
  period: number;
  amount: number;
  currency: string;
  card_ref: string;
  customer_email: string;
  billing_interval: string;
  anchor_at: string;
  current_period_end: string;
  failed_attempts: number;
  next_attempt_at: string | null;
};

/** Outcome of one renewal attempt. Gateway timeouts are not outcomes: the activity is retried with the same key. */
export type RenewalResult =
  | { result: 'succeeded'; state: BillingState }
  | { result: 'failed'; declineCode: string; hard: boolean; state: BillingState }
  | { result: 'ended'; state: BillingState };

/** One renewal attempt; `actor`: the person who asked for it now (retryNow), named by its audit entry. */
export type ChargeRenewalInput = { subscriptionId: string; period: number; attempt: number; retryInMs: number | null; actor?: Actor };

/** Ending a subscription; `actor`: the person who cancelled it (absent when dunning or an operator ends it). */
export type EndSubscriptionInput = { subscriptionId: string; status: 'cancelled' | 'unpaid'; reason: string; actor?: Actor };

/** Subscriptions: create them from an order, charge renewals, end them, change the card. */
export type SubscriptionActivities = {
  createOrderSubscriptions(input: { tenantId: string; orderId: string }): Promise<string[]>;
  loadSubscription(input: { subscriptionId: string }): Promise<BillingState>;
  chargeRenewal(input: ChargeRenewalInput): Promise<RenewalResult>;
  endSubscription(input: EndSubscriptionInput): Promise<BillingState>;
  updateSubscriptionCard(input: { subscriptionId: string; token: string; requestKey: string; actor?: Actor }): Promise<void>;
};

/** Event notices: the customer notice of one outbox event; returns the recipient (null: nobody to tell). */
export type EventNoticeActivities = {
  sendEventNotice(input: EventNoticeInput): Promise<string | null>;
};

/** Order repair: what a resume run reads, the orphans it takes over, the reconciler's pass over open orders. */
export type RepairActivities = {
  orderResumePlan(input: { tenantId: string; orderId: string }): Promise<ResumePlan>;
  /** Terminates those of the workflows still running (children a lost checkout left behind), so the resume run can own them. */
  takeOverWorkflows(input: { workflowIds: string[]; reason: string }): Promise<number>;
  reconcileOrders(input: OrderReconcilerInput): Promise<ReconcileReport>;
};

/** How a workflow followed from outside (not its child) ended: its result, cancelled, or failed (terminated, timed out). */
export type FollowedOutcome = { outcome: 'completed'; result: unknown } | { outcome: 'cancelled' } | { outcome: 'failed'; message: string };

/** Processes: follow a workflow that runs already (an order's abandoned child, re-found after a reset) to its end. */
export type ProcessActivities = {
  followWorkflow(input: { workflowId: string }): Promise<FollowedOutcome>;
};

/** Group buying: a join holds a unit and authorizes the card; the campaign ends each participation as an order or voided. */
export type GroupBuyActivities = {
  holdGroupBuyUnit(input: {
    tenantId: string;
    groupBuyId: string;
    participationId: string;
    email: string;
    shippingAddress: Address;
  }): Promise<{ amount: number; currency: string }>;
  authorizeGroupBuyCard(input: { tenantId: string; participationId: string; token: string; amount: number; currency: string }): Promise<void>;
  endGroupBuyParticipation(input: {
    tenantId: string;
    participationId: string;
    status: 'declined' | 'withdrawn' | 'voided';
    declineCode?: string;
  }): Promise<{ voided: boolean }>;
  placeGroupBuyOrder(input: { tenantId: string; participationId: string }): Promise<{ orderId: string; email: string; created: boolean }>;
  closeGroupBuy(input: { tenantId: string; groupBuyId: string; outcome: 'succeeded' | 'failed' }): Promise<void>;
};

/** What the digital-delivery step did: links new this time, all of the order's, its status after, whether vendors sold in it. */
export type DigitalDeliveryOutcome = { issued: number; deliveries: number; orderStatus: OrderStatus; vendorItems: boolean };

/** Digital delivery: an order's download links, issued once it is paid. */
export type DigitalDeliveryActivities = {
  deliverDigitalGoods(input: { tenantId: string; orderId: string }): Promise<DigitalDeliveryOutcome>;
};

/** Every activity the worker registers. */
export type Activities = HoldActivities &
  OrderActivities &
  PaymentActivities &
  FulfillmentActivities &
  PayoutActivities &
  RelayActivities &
  WebhookActivities &
  SearchActivities &
  CardPaymentActivities &
  SubscriptionActivities &
  EventNoticeActivities &
  RepairActivities &
  ProcessActivities &
  BankStatementActivities &
  GroupBuyActivities &
  ImportActivities &
  DigitalDeliveryActivities;
