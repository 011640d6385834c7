// Inputs and results of workflows, shared by workflows, activities, workers and the API (types only, no I/O).
import type { Money } from '../domain/money.ts';
import type { PaymentMethod, OrderStatus, ShipmentStatus } from '../domain/order.ts';
import type { Actor } from './audit.ts';
import type { Notification } from '../domain/notification.ts';
import type { BankStatementInput, BankStatementProgress } from './bank-statements.ts';
import type { GroupBuyStatus } from '../domain/group-buys.ts';
import type { ImportProgress, ProductImportInput } from './imports.ts';

/** Shipping address as given at checkout. */
export type Address = { name: string; line1: string; line2?: string; city: string; region?: string; postal_code: string; country: string; phone: string };

/** Input of the checkout workflow (durations come from config via the API). */
export type CheckoutInput = {
  tenantId: string;
  cartId: string;
  email: string;
  /** The signed-in customer who checks out (absent for guests and in histories before accounts): the CustomerId search attribute. */
  customerId?: string;
  shippingAddress: Address;
  paymentMethod: PaymentMethod;
  holdTtlMs: number;
  bankTransferTimeoutMs: number;
  paymentReminderBeforeMs: number;
  /** How long a vendor (or the warehouse) may take to ship before operations are told. */
  shipSlaMs: number;
  /** The storefront's card token (card payments only). */
  paymentToken?: string;
  /** Dunning rules the order's subscriptions start with (card orders with subscription items). */
  dunning?: DunningPolicy;
  /** The total the storefront showed the buyer: checkout fails with `price_changed` when the cart now costs otherwise. */
  expectedTotal?: Money;
  /**
   * False when the API knows the cart's hold watcher never started (checked out within HOLD_WATCH_DELAY, so its start was
   * cancelled): there is no watcher to tell that the cart closed. Absent (older histories, another API instance): tell it.
   */
  cartWatched?: boolean;
};

/** When to retry a failed renewal, and what the subscription becomes after the last retry fails. */
export type DunningPolicy = { retryScheduleMs: number[]; exhaustedStatus: 'cancelled' | 'unpaid' };

/** Input of a subscription's billing workflow; its state (period, card, status) lives in the database. */
export type SubscriptionBillingInput = { tenantId: string; subscriptionId: string; email: string; dunning: DunningPolicy };

/** Input of a refund's workflow: what the back office asked to pay back. */
export type RefundInput = {
  tenantId: string;
  orderId: string;
  refundId: string;
  amount: number;
  currency: string;
  requestedBy: string;
  reason?: string;
  /** Who asked (absent in older histories): the audit entry of the refund names them. */
  actor?: Actor;
};

/** How a refund ended: paid back, refused by the gateway, or rejected before anything moved (with the domain error). */
export type RefundOutcome =
  | { status: 'succeeded' | 'failed'; refundId: string }
  | { status: 'rejected'; refundId: string; code: string; message: string; details?: Record<string, unknown> };

/** What the storefront gets back once the order exists. */
export type PlacedOrder = {
  orderId: string;
  status: OrderStatus;
  total: Money;
  accessToken: string;
  payment: { method: PaymentMethod; status: string; instructions?: Record<string, unknown> };
  /** Vendors whose items the order holds (empty for a single-brand store). */
  vendorIds: string[];
  /** True only for the request that created the order (others get the same order back). */
  created: boolean;
  /** Order lines that start a subscription (card orders only). */
  subscriptionLines?: number;
  /** Order lines of digital goods (absent in runs recorded before digital delivery: then the step looks for itself). */
  digitalLines?: number;
  /** Consumption tax per rate, for the receipt (absent in runs recorded before pricing). */
  taxBreakdown?: { rate_bps: number; taxable_amount: Money; tax: Money }[];
};

/** Input of the reservation-expiry workflow. */
export type HoldsInput = {
  tenantId: string;
  cartId: string;
  /** When the cart's first holds expire, as the API read it after placing them: the first pass sleeps until then. */
  holdExpiresAt?: string;
};

/** Input of the bank-transfer confirmation workflow. */
export type PaymentConfirmationInput = {
  tenantId: string;
  orderId: string;
  amountDue: Money;
  timeoutMs: number;
  reminderBeforeMs: number;
  email: string;
  /** What was received before this run (a resumed order's partial transfers; absent: nothing). */
  received?: number;
};

/** How a bank-transfer confirmation ended. */
export type PaymentOutcome = 'paid' | 'expired';

/** Body of the confirmPayment update. */
export type ConfirmPaymentArgs = { amount: Money; reference: string; confirmedBy: string; actor?: Actor };

/** State of a payment confirmation, returned by the update and the query. */
export type PaymentState = { status: 'pending' | 'paid' | 'expired'; amountDue: Money; received: number };

/** Input of the fulfillment workflow. */
export type FulfillmentInput = {
  tenantId: string;
  orderId: string;
  paymentMethod: PaymentMethod;
  email: string;
  shipSlaMs: number;
  /** Digital lines of the order (0: no digital-delivery step); absent (older starts, repair runs): the step runs and finds out. */
  digitalLines?: number;
};

/** Input of one shipment's workflow. */
export type ShipmentInput = { tenantId: string; orderId: string; shipment: TrackedShipment; email: string; shipSlaMs: number };

/**
 * A shipment as the fulfillment workflow tracks it. `followedBy: 'fulfillment'`: the fulfillment itself takes its ship and
 * deliver updates (absent: its own `shipment` workflow does).
 */
export type TrackedShipment = { id: string; vendorId: string | null; status: ShipmentStatus; codAmount: Money | null; followedBy?: 'fulfillment' };

/** Body of the ship update. */
export type ShipArgs = { shipmentId: string; carrier: string; trackingNumber: string; actor?: Actor };

/** Body of the deliver update. */
export type DeliverArgs = { shipmentId: string; codCollected?: Money | null; actor?: Actor };

/** Body of the cancel update. */
export type CancelArgs = { reason: string; cancelledBy: string; actor?: Actor };

/** Bodies of the subscription updates (`actor` absent in older histories and for system callers). */
export type SubscriptionCancelArgs = { reason: string; actor?: Actor };
/** Body of updatePaymentMethod. */
export type SubscriptionCardArgs = { token: string; actor?: Actor };
/** Body of retryNow (older histories send none). */
export type SubscriptionRetryArgs = { actor?: Actor };

/** Input of a relay run (the Schedule's action arguments). */
export type OutboxRelayInput = { batchSize: number; maxBatches: number; tenantIds?: string[] };

/** What the relay starts a notice with: the event as it was recorded. */
export type EventNoticeInput = { tenantId: string; event: { id: string; type: string; data: Record<string, unknown> } };

/** What the relay starts a delivery with; the event travels in the input so every attempt sends the same body. */
export type WebhookDeliveryInput = {
  tenantId: string;
  webhookId: string;
  event: { id: string; type: string; created_at: string; data: Record<string, unknown>; sequence?: number };
  retry: { initialIntervalMs: number; maximumIntervalMs: number; giveUpAfterMs: number };
  /** A redelivery's attempts are numbered after the `attemptOffset` attempts made before it (absent: the first series). */
  attemptOffset?: number;
};

/** A staff retry of a refused capture: the payment had `attempt` refusals when it was asked for. */
export type CaptureRetryInput = { tenantId: string; orderId: string; paymentId: string; attempt: number; actor?: Actor };

/** What a capture retry did: captured (now or before), or refused again by the gateway. */
export type CaptureRetryOutcome = { status: 'captured' } | { status: 'capture_failed'; declineCode: string };

/** A notification sent again by staff: the message rebuilt from the order, with the resend's id in its data. */
export type NotificationResendInput = { notification: Notification };

/** Input of a tenant's search reindex. */
export type SearchReindexInput = { tenantId: string; pageSize?: number };

/** Progress of a reindex. */
export type ReindexProgress = { indexed: number; removed: number; pages: number; pruned: number; done: boolean };

/** Input of an order's resume run; `actor` is who asked (absent: the reconciler). */
export type OrderResumeInput = { tenantId: string; orderId: string; actor?: Actor };

/** What a resume run needs from the database, read when it starts. */
export type ResumePlan = {
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  email: string;
  cartId: string;
  total: Money;
  vendorIds: string[];
  /** Bank transfer: time left until the payment deadline (0 once passed), and what was received so far. */
  paymentDueInMs: number | null;
  received: number;
  shipmentIds: string[];
  /** Card orders: the subscriptions it started (their billing outlives the checkout; a cancellation stops it). */
  subscriptionIds: string[];
  paymentReminderBeforeMs: number;
  shipSlaMs: number;
};

/** Input of one reconciler run (the Schedule's action arguments). */
export type OrderReconcilerInput = { graceMs: number; batchSize: number; maxBatches: number; tenantIds?: string[] };

/** What one reconciler run found: orders checked, live, repaired (resume runs started) and failed to repair. */
export type ReconcileReport = { checked: number; live: number; repaired: number; failed: number };

/** Input of the groupBuy workflow: the campaign's terms, fixed when it was created. */
export type GroupBuyInput = {
  tenantId: string;
  groupBuyId: string;
  variantId: string;
  price: Money;
  minParticipants: number;
  maxParticipants: number | null;
  /** The deadline (ISO); the workflow's timer runs until then. */
  endsAt: string;
};

/** Body of the join Update: the card token travels only in the (encrypted) history, never into the database. */
export type JoinGroupBuyArgs = { email: string; paymentToken: string; shippingAddress: Address };

/** What a join answers once the unit is held and the card authorized. */
export type JoinResult = { participationId: string; status: 'pending' };

/** The campaign as its workflow sees it (the status query). */
export type GroupBuyState = { status: GroupBuyStatus; participants: number; joining: number; orders: string[] };

/** How a campaign ended. */
export type GroupBuyOutcome = { status: 'succeeded' | 'failed'; participants: number; orderIds: string[] };

/** Workflow signatures, so callers start workflows by type without importing workflows/ (workflows/index.ts checks them). */
export type WorkflowSignatures = {
  checkout: (input: CheckoutInput) => Promise<OrderStatus>;
  /** The checkout with every recorded change built in (workflows/changes.ts): what the API starts. */
  checkoutV2: (input: CheckoutInput) => Promise<OrderStatus>;
  reservationExpiry: (input: HoldsInput) => Promise<string>;
  holdSweeper: () => Promise<number>;
  paymentConfirmation: (input: PaymentConfirmationInput) => Promise<PaymentOutcome>;
  fulfillment: (input: FulfillmentInput) => Promise<OrderStatus>;
  /** The fulfillment a checkoutV2 starts, with every recorded change built in. */
  fulfillmentV2: (input: FulfillmentInput) => Promise<OrderStatus>;
  shipment: (input: ShipmentInput) => Promise<'delivered' | 'cancelled'>;
  outboxRelay: (input: OutboxRelayInput) => Promise<number>;
  webhookDelivery: (input: WebhookDeliveryInput) => Promise<{ status: number | null; attempts: number }>;
  searchReindex: (input: SearchReindexInput) => Promise<ReindexProgress>;
  subscriptionBilling: (input: SubscriptionBillingInput) => Promise<string>;
  refundPayment: (input: RefundInput) => Promise<RefundOutcome>;
  eventNotice: (input: EventNoticeInput) => Promise<string | null>;
  captureRetry: (input: CaptureRetryInput) => Promise<CaptureRetryOutcome>;
  notificationResend: (input: NotificationResendInput) => Promise<void>;
  orderResume: (input: OrderResumeInput) => Promise<OrderStatus>;
  orderReconciler: (input: OrderReconcilerInput) => Promise<ReconcileReport>;
  bankStatement: (input: BankStatementInput) => Promise<BankStatementProgress>;
  groupBuy: (input: GroupBuyInput) => Promise<GroupBuyOutcome>;
  productImport: (input: ProductImportInput) => Promise<ImportProgress>;
};
