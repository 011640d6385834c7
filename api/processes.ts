// How the API drives workflows: signal-with-start holds, Update-with-Start checkout, updates for the back office.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  checkoutWorkflowId,
  fulfillmentWorkflowId,
  holdsWorkflowId,
  paymentWorkflowId,
  refundWorkflowId,
  shipmentWorkflowId,
  subscriptionWorkflowId,
} from '../domain/ids.ts';
import type { PaymentMethod } from '../domain/order.ts';
import {
  cancelOrderUpdate,
  cancelSubscriptionUpdate,
  confirmPaymentUpdate,
  holdsChangedSignal,
  placeOrderUpdate,
  retrySubscriptionUpdate,
  updatePaymentMethodUpdate,
} from '../contracts/definitions.ts';
import { orderSearchAttributes } from '../contracts/search-attributes.ts';
import type {
  CheckoutInput,
  ConfirmPaymentArgs,
  PaymentState,
  PlacedOrder,
  RefundInput,
  RefundOutcome,
  CancelArgs,
  SubscriptionCancelArgs,
  SubscriptionCardArgs,
  SubscriptionRetryArgs,
  WorkflowSignatures,
} from '../contracts/workflows.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';
import { businessErrorFromTemporal, domainErrorFromTemporal } from './errors.ts';
import { cartTaskQueue } from '../domain/task-queues.ts';
import { DomainError, UnavailableError } from '../domain/errors.ts';
import { orderDriverId, repairOrderProcess, resumeRunOf, type OrderRef, type RepairOutcome } from '../providers/temporal/order-process.ts';
import type { Actor } from '../contracts/audit.ts';
import { createShipmentProcesses, type FollowedShipment } from './shipment-processes.ts';

/** Workflow operations the routes need. */
export function createProcesses(client: Client, config: Config, logger: Logger, metrics?: Metrics) {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  /**
   * Every wait on Temporal is bounded: after `ms` the call's gRPC requests are aborted and the caller gets 503
   * `unavailable` (Retry-After). The workflow itself goes on, and the same request retried later joins it: workflow
   * ids are deterministic and starts use USE_EXISTING (an Idempotency-Key also names the Update).
   */
  const answerWithin = async <T>(ms: number, what: string, call: () => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const work = client.withAbortSignal(controller.signal, call);
    work.catch(() => undefined); // once timed out, nobody awaits the aborted call's rejection
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UnavailableError(`${what} did not answer within ${Math.ceil(ms / 1000)} s; it may still finish: retry the same request`));
      }, ms);
    });
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  const backOffice = <T>(what: string, call: () => Promise<T>) => answerWithin(config.PROCESS_ANSWER_TIMEOUT, what, call);

  const rethrow = (err: unknown, workflow: string): never => {
    const domain = domainErrorFromTemporal(err);
    if (domain) throw domain;
    metrics?.workflowFailures.inc({ workflow });
    throw err;
  };

  const orderWorkflowIds = (
    tenantId: string,
    cartId: string,
    orderId: string,
    method: PaymentMethod,
    shipments: Pick<FollowedShipment, 'id' | 'followed_by'>[],
    subscriptionIds: string[] = [],
  ): { id: string; type: string }[] => [
    { id: checkoutWorkflowId(tenantId, cartId), type: 'checkout' },
    ...(method === 'bank_transfer' ? [{ id: paymentWorkflowId(tenantId, orderId), type: 'paymentConfirmation' }] : []),
    { id: fulfillmentWorkflowId(tenantId, orderId), type: 'fulfillment' },
    // A shipment the fulfillment follows itself has no workflow of its own.
    ...shipments.filter((s) => s.followed_by === 'shipment').map((s) => ({ id: shipmentWorkflowId(tenantId, s.id), type: 'shipment' })),
    ...subscriptionIds.map((id) => ({ id: subscriptionWorkflowId(tenantId, id), type: 'subscriptionBilling' })),
  ];

  return {
    /**
     * Signal-with-starts the cart's reservation-expiry workflow when the cart begins to hold stock (on the hot queue when
     * `hot`). Later changes need no call: the workflow re-reads expiry times from the database whenever its timer fires.
     * The signal keeps a run that is just finishing from ending without seeing the new hold. A failure is logged: the
     * hold-sweeper Schedule releases holds that no workflow watches.
     */
    async watchHolds(tenantId: string, cartId: string, { hot = false, holdExpiresAt }: { hot?: boolean; holdExpiresAt?: string | null } = {}): Promise<void> {
      try {
        await answerWithin(config.CHECKOUT_ANSWER_TIMEOUT, 'the hold watcher', () =>
          client.workflow.signalWithStart<WorkflowSignatures['reservationExpiry'], []>('reservationExpiry', {
            workflowId: holdsWorkflowId(tenantId, cartId),
            taskQueue: cartTaskQueue(taskQueue, hot),
            args: [{ tenantId, cartId, ...(holdExpiresAt ? { holdExpiresAt } : {}) }], // a new run sleeps until then first
            signal: holdsChangedSignal,
            signalArgs: [],
            typedSearchAttributes: orderSearchAttributes({ tenantId, cartId }),
          }),
        );
        metrics?.workflowStarts.inc({ workflow: 'reservationExpiry' });
      } catch (err) {
        metrics?.workflowFailures.inc({ workflow: 'reservationExpiry' });
        logger.error({ err, tenantId, cartId }, 'could not start the reservation-expiry workflow; the sweeper will release expired holds');
      }
    },

    /**
     * Update-with-Start on `checkout:<tenant>:<cart>`: a retried or concurrent request gets the same order. The answer is
     * waited for CHECKOUT_ANSWER_TIMEOUT at most; then, or when the checkout failed for a reason that is not the
     * customer's (a programming error, Temporal unreachable), 503 `unavailable`: the retried request rejoins the same
     * workflow (USE_EXISTING) or, after a failed one, starts it again (ALLOW_DUPLICATE_FAILED_ONLY), never a second order.
     * `hot` (the cart holds a hot variant): the checkout and its children, which inherit the queue, run on the hot task queue.
     */
    async checkout(input: CheckoutInput, opts: { idempotencyKey?: string; hot?: boolean } = {}): Promise<PlacedOrder | 'already_finished'> {
      // checkoutV2: every recorded change built in (no patch markers); a run of the older `checkout` type is rejoined all the same.
      const startWorkflowOperation = new WithStartWorkflowOperation<WorkflowSignatures['checkoutV2']>('checkoutV2', {
        workflowId: checkoutWorkflowId(input.tenantId, input.cartId),
        taskQueue: cartTaskQueue(taskQueue, opts.hot ?? false),
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: orderSearchAttributes({
          tenantId: input.tenantId,
          cartId: input.cartId,
          email: input.email,
          customerId: input.customerId,
          paymentMethod: input.paymentMethod,
        }),
      });
      try {
        const placed = await answerWithin(config.CHECKOUT_ANSWER_TIMEOUT, 'the checkout', () =>
          client.workflow.executeUpdateWithStart(placeOrderUpdate, {
            startWorkflowOperation,
            ...(opts.idempotencyKey ? { updateId: `checkout-request:${opts.idempotencyKey}` } : {}),
          }),
        );
        metrics?.workflowStarts.inc({ workflow: 'checkout' });
        return placed;
      } catch (err) {
        // A finished checkout (completed or cancelled order) is not started again: the order stands.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_finished';
        const business = err instanceof DomainError && !(err instanceof UnavailableError) ? err : businessErrorFromTemporal(err);
        if (business) throw business;
        metrics?.workflowFailures.inc({ workflow: 'checkout' });
        logger.warn({ err, tenantId: input.tenantId, cartId: input.cartId }, 'checkout could not answer; the storefront was told to retry');
        throw err instanceof UnavailableError ? err : new UnavailableError('the checkout could not finish; retry the same request');
      }
    },

    /** Sends confirmPayment to `payment:<tenant>:<order>`. */
    async confirmPayment(tenantId: string, orderId: string, args: ConfirmPaymentArgs): Promise<PaymentState> {
      try {
        return await backOffice('the payment confirmation', () =>
          client.workflow.getHandle(paymentWorkflowId(tenantId, orderId)).executeUpdate(confirmPaymentUpdate, { args: [args] }),
        );
      } catch (err) {
        return rethrow(err, 'paymentConfirmation');
      }
    },

    /** Sends cancelOrder to the order's checkout workflow, or to its resume run when the checkout was lost and the order resumed. */
    async cancelOrder(tenantId: string, cartId: string, args: CancelArgs, orderId?: string): Promise<void> {
      try {
        await backOffice('the cancellation', async () =>
          client.workflow.getHandle(await orderDriverId(client, tenantId, cartId, orderId)).executeUpdate(cancelOrderUpdate, { args: [args] }),
        );
      } catch (err) {
        rethrow(err, 'checkout');
      }
    },

    ...createShipmentProcesses({ client, logger, backOffice, rethrow }),

    /**
     * Runs `refund:<tenant>:<refund>` to completion (PROCESS_ANSWER_TIMEOUT at most, then 503); a repeated request with the
     * same Idempotency-Key joins the running refund instead of paying twice.
     */
    async refund(input: RefundInput): Promise<RefundOutcome> {
      try {
        return await backOffice('the refund', async () => {
          const handle = await client.workflow.start<WorkflowSignatures['refundPayment']>('refundPayment', {
            workflowId: refundWorkflowId(input.tenantId, input.refundId),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            typedSearchAttributes: orderSearchAttributes({ tenantId: input.tenantId, orderId: input.orderId }),
          });
          metrics?.workflowStarts.inc({ workflow: 'refundPayment' });
          return await handle.result();
        });
      } catch (err) {
        return rethrow(err, 'refundPayment');
      }
    },

    /** Sends retryNow, cancel or updatePaymentMethod to `subscription:<tenant>:<sub>`; each returns once it took effect. */
    async retrySubscription(tenantId: string, subscriptionId: string, args: SubscriptionRetryArgs): Promise<void> {
      await backOffice('the subscription', () =>
        client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(retrySubscriptionUpdate, { args: [args] }),
      ).catch((err) => rethrow(err, 'subscriptionBilling'));
    },
    async cancelSubscription(tenantId: string, subscriptionId: string, args: SubscriptionCancelArgs): Promise<void> {
      await backOffice('the subscription', () =>
        client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(cancelSubscriptionUpdate, { args: [args] }),
      ).catch((err) => rethrow(err, 'subscriptionBilling'));
    },
    async updateSubscriptionCard(tenantId: string, subscriptionId: string, args: SubscriptionCardArgs): Promise<void> {
      await backOffice('the subscription', () =>
        client.workflow.getHandle(subscriptionWorkflowId(tenantId, subscriptionId)).executeUpdate(updatePaymentMethodUpdate, { args: [args] }),
      ).catch((err) => rethrow(err, 'subscriptionBilling'));
    },

    /** Resumes an open order whose process is lost (a resume run, joined if one runs); a live process is left alone. */
    async resumeOrder(ref: OrderRef, actor: Actor): Promise<RepairOutcome> {
      return backOffice('Temporal', () => repairOrderProcess(client, taskQueue, ref, actor)).catch((err) => rethrow(err, 'orderResume'));
    },

    /** Ids and types of the workflows an order has or will have. */
    orderWorkflowIds,

    /** Ids, types and states of an order's workflows that exist (for the admin order view). */
    async orderWorkflows(
      tenantId: string,
      cartId: string,
      orderId: string,
      method: PaymentMethod,
      shipments: Pick<FollowedShipment, 'id' | 'followed_by'>[],
      subscriptionIds: string[] = [],
    ): Promise<{ id: string; type: string; status: string }[]> {
      const ids = [...orderWorkflowIds(tenantId, cartId, orderId, method, shipments, subscriptionIds), resumeRunOf(tenantId, orderId)];
      const describe = (w: { id: string; type: string }) => backOffice('Temporal', () => client.workflow.getHandle(w.id).describe());
      const described = await Promise.all(
        ids.map((w) =>
          describe(w).then(
            (d) => ({ ...w, status: d.status.name as string }),
            () => null,
          ),
        ),
      );
      return described.filter((w): w is { id: string; type: string; status: string } => w !== null);
    },
  };
}

/** The workflow operations object. */
export type Processes = ReturnType<typeof createProcesses>;
