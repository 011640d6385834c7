// How the API drives workflows: signal-with-start holds, Update-with-Start checkout, updates for the back office.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { checkoutWorkflowId, fulfillmentWorkflowId, holdsWorkflowId, paymentWorkflowId, refundWorkflowId, shipmentWorkflowId, subscriptionWorkflowId } from '../domain/ids.ts';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { PaymentMethod } from '../domain/order.ts';
import {
  cancelOrderUpdate, cancelSubscriptionUpdate, confirmPaymentUpdate, deliverUpdate, holdsChangedSignal, placeOrderUpdate, retrySubscriptionUpdate, shipUpdate,
  updatePaymentMethodUpdate, type ShipmentChange,
} from '../workflows/definitions.ts';
import type { checkout as checkoutWorkflow, refundPayment as refundWorkflow, reservationExpiry as reservationExpiryWorkflow } from '../workflows/index.ts';
import { CartIdKey, CustomerEmailKey, OrderIdKey, PaymentMethodKey, TenantIdKey } from '../workflows/search-attributes.ts';
import type { CheckoutInput, ConfirmPaymentArgs, DeliverArgs, PaymentState, PlacedOrder, RefundInput, RefundOutcome, ShipArgs } from '../workflows/types.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';
import { domainErrorFromTemporal } from './errors.ts';

/** Workflow operations the routes need. */
export function createProcesses(client: Client, config: Config, logger: Logger, metrics?: Metrics) {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const rethrow = (err: unknown, workflow: string): never => {
    const domain = domainErrorFromTemporal(err);
    if (domain) throw domain;
    metrics?.workflowFailures.inc({ workflow });
    throw err;
  };

  // A shipment row is committed a moment before its workflow starts: a quick back office may race it.
  const untilStarted = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  };

  const orderWorkflowIds = (tenantId: string, cartId: string, orderId: string, method: PaymentMethod, shipmentIds: string[], subscriptionIds: string[] = []): { id: string; type: string }[] => [
    { id: checkoutWorkflowId(tenantId, cartId), type: 'checkout' },
    ...(method === 'bank_transfer' ? [{ id: paymentWorkflowId(tenantId, orderId), type: 'paymentConfirmation' }] : []),
    { id: fulfillmentWorkflowId(tenantId, orderId), type: 'fulfillment' },
    ...shipmentIds.map((id) => ({ id: shipmentWorkflowId(tenantId, id), type: 'shipment' })),
    ...subscriptionIds.map((id) => ({ id: subscriptionWorkflowId(tenantId, id), type: 'subscriptionBilling' })),
  ];

  return {
    /**
     * Signal-with-starts the cart's reservation-expiry workflow when the cart begins to hold stock. Later
     * changes need no call: the workflow re-reads expiry times from the database whenever its timer fires.
     * The signal keeps a run that is just finishing from ending without seeing the new hold. A failure is
     * logged: the hold-sweeper Schedule releases holds that no workflow watches.
     */
    async watchHolds(tenantId: string, cartId: string): Promise<void> {
      try {
        await client.workflow.signalWithStart<typeof reservationExpiryWorkflow, []>('reservationExpiry', {
          workflowId: holdsWorkflowId(tenantId, cartId), taskQueue, args: [{ tenantId, cartId }], signal: holdsChangedSignal, signalArgs: [],
          typedSearchAttributes: [{ key: TenantIdKey, value: tenantId }, { key: CartIdKey, value: cartId }],
        });
        metrics?.workflowStarts.inc({ workflow: 'reservationExpiry' });
      } catch (err) {
        metrics?.workflowFailures.inc({ workflow: 'reservationExpiry' });
        logger.error({ err, tenantId, cartId }, 'could not start the reservation-expiry workflow; the sweeper will release expired holds');
      }
    },

    /** Update-with-Start on `checkout:<tenant>:<cart>`: a retried or concurrent request gets the same order. */
    async checkout(input: CheckoutInput, idempotencyKey?: string): Promise<PlacedOrder | 'already_finished'> {
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof checkoutWorkflow>('checkout', {
        workflowId: checkoutWorkflowId(input.tenantId, input.cartId), taskQueue, args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: TenantIdKey, value: input.tenantId }, { key: CartIdKey, value: input.cartId },
          { key: CustomerEmailKey, value: input.email }, { key: PaymentMethodKey, value: input.paymentMethod as PaymentMethod },
        ],
      });
      try {
        const placed = await client.workflow.executeUpdateWithStart(placeOrderUpdate, {
          startWorkflowOperation, ...(idempotencyKey ? { updateId: `checkout-request:${idempotencyKey}` } : {}),
        });
        metrics?.workflowStarts.inc({ workflow: 'checkout' });
        return placed;
      } catch (err) {
        // A finished checkout (completed or cancelled order) is not started again: the order stands.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_finished';
        return rethrow(err, 'checkout');
      }
    },

    /** Sends confirmPayment to `payment:<tenant>:<order>`. */
    async confirmPayment(tenantId: string, orderId: string, args: ConfirmPaymentArgs): Promise<PaymentState> {
      try {
        return await client.workflow.getHandle(paymentWorkflowId(tenantId, orderId)).executeUpdate(confirmPaymentUpdate, { args: [args] });
      } catch (err) {
        return rethrow(err, 'paymentConfirmation');
      }
    },

    /** Sends cancelOrder to the order's checkout workflow. */
    async cancelOrder(tenantId: string, cartId: string, reason: string, cancelledBy: string): Promise<void> {
      try {
        await client.workflow.getHandle(checkoutWorkflowId(tenantId, cartId)).executeUpdate(cancelOrderUpdate, { args: [{ reason, cancelledBy }] });
      } catch (err) {
        rethrow(err, 'checkout');
      }
    },

    /** Sends ship to the shipment's workflow (`orderId` is for logs: shipment ids are unique). */
    async ship(tenantId: string, orderId: string, args: ShipArgs): Promise<ShipmentChange> {
      try {
        return await untilStarted(() => client.workflow.getHandle(shipmentWorkflowId(tenantId, args.shipmentId)).executeUpdate(shipUpdate, { args: [args] }));
      } catch (err) {
        logger.debug({ err, orderId, shipmentId: args.shipmentId }, 'ship update failed');
        return rethrow(err, 'shipment');
      }
    },

    /** Sends deliver to the shipment's workflow. */
    async deliver(tenantId: string, orderId: string, args: DeliverArgs): Promise<ShipmentChange> {
      try {
        return await untilStarted(() => client.workflow.getHandle(shipmentWorkflowId(tenantId, args.shipmentId)).executeUpdate(deliverUpdate, { args: [args] }));
      } catch (err) {
        logger.debug({ err, orderId, shipmentId: args.shipmentId }, 'deliver update failed');
        return rethrow(err, 'shipment');
      }
    },

    /** Runs `refund:<tenant>:<refund>` to completion; a repeated request joins the running refund instead of paying twice. */
    async refund(input: RefundInput): Promise<RefundOutcome> {
      try {
        const handle = await client.workflow.start<typeof refundWorkflow>('refundPayment', {
          workflowId: refundWorkflowId(input.tenantId, input.refundId), taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [{ key: TenantIdKey, value: input.tenantId }, { key: OrderIdKey, value: input.orderId }],
        });
        metrics?.workflowStarts.inc({ workflow: 'refundPayment' });
        return await handle.result();
      } catch (err) {
        return rethrow(err, 'refundPayment');
      }
    },

    /** Sends retryNow, cancel or updatePaymentMethod to `subscription:<tenant>:<sub>`; each returns once it took effect. */
    async retrySubscription(tenantId: string, subscriptionId: string): Promise<void> {
      await client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(retrySubscriptionUpdate).catch((err) => rethrow(err, 'subscriptionBilling'));
    },
    async cancelSubscription(tenantId: string, subscriptionId: string, reason: string): Promise<void> {
      await client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(cancelSubscriptionUpdate, { args: [{ reason }] }).catch((err) => rethrow(err, 'subscriptionBilling'));
    },
    async updateSubscriptionCard(tenantId: string, subscriptionId: string, token: string): Promise<void> {
      await client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(updatePaymentMethodUpdate, { args: [{ token }] }).catch((err) => rethrow(err, 'subscriptionBilling'));
    },

    /** Ids and types of the workflows an order has or will have. */
    orderWorkflowIds,

    /** Ids, types and states of an order's workflows that exist (for the admin order view). */
    async orderWorkflows(tenantId: string, cartId: string, orderId: string, method: PaymentMethod, shipmentIds: string[], subscriptionIds: string[] = []): Promise<{ id: string; type: string; status: string }[]> {
      const described = await Promise.all(orderWorkflowIds(tenantId, cartId, orderId, method, shipmentIds, subscriptionIds).map(async (w) => {
        try {
          const d = await client.workflow.getHandle(w.id).describe();
          return { ...w, status: d.status.name as string };
        } catch {
          return null;
        }
      }));
      return described.filter((w): w is { id: string; type: string; status: string } => w !== null);
    },
  };
}

/** The workflow operations object. */
export type Processes = ReturnType<typeof createProcesses>;
