// Every workflow the worker hosts.
import type { WorkflowSignatures } from '../contracts/workflows.ts';
import { checkout } from './checkout.ts';
import { checkoutV2 } from './checkoutV2.ts';
import { reservationExpiry } from './reservationExpiry.ts';
import { holdSweeper } from './holdSweeper.ts';
import { paymentConfirmation } from './paymentConfirmation.ts';
import { fulfillment } from './fulfillment.ts';
import { fulfillmentV2 } from './fulfillmentV2.ts';
import { shipment } from './shipment.ts';
import { outboxRelay } from './outboxRelay.ts';
import { webhookDelivery } from './webhookDelivery.ts';
import { searchReindex } from './searchReindex.ts';
import { subscriptionBilling } from './subscriptionBilling.ts';
import { refundPayment } from './refundPayment.ts';
import { eventNotice } from './eventNotice.ts';
import { captureRetry } from './captureRetry.ts';
import { notificationResend } from './notificationResend.ts';
import { orderResume } from './orderResume.ts';
import { orderReconciler } from './orderReconciler.ts';
import { bankStatement } from './bankStatement.ts';
import { groupBuy } from './groupBuy.ts';
import { productImport } from './productImport.ts';

export {
  checkout,
  checkoutV2,
  reservationExpiry,
  holdSweeper,
  paymentConfirmation,
  fulfillment,
  fulfillmentV2,
  shipment,
  outboxRelay,
  webhookDelivery,
  searchReindex,
  subscriptionBilling,
  refundPayment,
  eventNotice,
  captureRetry,
  notificationResend,
  orderResume,
  orderReconciler,
  bankStatement,
  groupBuy,
  productImport,
};

/** Compile-time proof that each workflow has the signature its callers start it with (contracts/workflows.ts). */
export type SignaturesHold = Expect<{
  checkout: typeof checkout;
  checkoutV2: typeof checkoutV2;
  reservationExpiry: typeof reservationExpiry;
  holdSweeper: typeof holdSweeper;
  paymentConfirmation: typeof paymentConfirmation;
  fulfillment: typeof fulfillment;
  fulfillmentV2: typeof fulfillmentV2;
  shipment: typeof shipment;
  outboxRelay: typeof outboxRelay;
  webhookDelivery: typeof webhookDelivery;
  searchReindex: typeof searchReindex;
  subscriptionBilling: typeof subscriptionBilling;
  refundPayment: typeof refundPayment;
  eventNotice: typeof eventNotice;
  captureRetry: typeof captureRetry;
  notificationResend: typeof notificationResend;
  orderResume: typeof orderResume;
  orderReconciler: typeof orderReconciler;
  bankStatement: typeof bankStatement;
  groupBuy: typeof groupBuy;
  productImport: typeof productImport;
}>;
type Expect<T extends WorkflowSignatures> = T;
