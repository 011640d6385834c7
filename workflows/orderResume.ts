// Order resume: a new run of an order's process that starts where the database says the order is (its checkout was lost).
import { CancellationScope, condition, allHandlersFinished, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { fulfillmentWorkflowId, paymentWorkflowId, subscriptionWorkflowId } from '../domain/ids.ts';
import { isCancellable, isLaterStatus, type OrderStatus } from '../domain/order.ts';
import { PROCESS_LOST_REASON, resumeStep } from '../domain/repair.ts';
import { cancelOrderUpdate, orderStatusSignal, statusQuery } from '../contracts/definitions.ts';
import { orderSearchAttributes } from '../contracts/search-attributes.ts';
import type { CardPaymentActivities, OrderActivities, RepairActivities } from '../contracts/activities.ts';
import type { OrderResumeInput, PaymentOutcome, ResumePlan } from '../contracts/workflows.ts';
import { paymentConfirmation } from './paymentConfirmation.ts';
import { fulfillment } from './fulfillment.ts';
import { fulfillmentV2 } from './fulfillmentV2.ts';
import { changed } from './changes.ts';
import { stopWorkflow } from './checkout-steps.ts';
import { startOrFollow } from './follow.ts';
import { businessFailure, createNotifications, GATEWAY_RETRY, publishOrderStatus, RETRY_UNTIL_DONE, unwrapFailure } from './support.ts';

// Reading the order, taking over orphans and cancelling are idempotent and must happen: retried until done.
const acts = proxyActivities<Pick<RepairActivities, 'orderResumePlan' | 'takeOverWorkflows'> & Pick<OrderActivities, 'cancelOrder'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});
// voidCardAuthorization: the gateway's key `void:<order>` makes retries safe; an outage is waited out.
const { voidCardAuthorization } = proxyActivities<Pick<CardPaymentActivities, 'voidCardAuthorization'>>({
  startToCloseTimeout: '15 seconds',
  retry: GATEWAY_RETRY,
});

/**
 * One per resumed order (`order-resume:<tenant>:<order>`), started by the reconciler or POST /admin/orders/:id/resume
 * when the order is open and its checkout is not running. Reads the order, then: a bank transfer waits for its payment
 * again (deadline kept), a paid or COD order is fulfilled (shipments keep their state), a card order still awaiting its
 * authorization is cancelled with its stock released. Answers cancelOrder like the checkout does. A child that fails
 * fails this run: the order stays open and the reconciler resumes it again from the database.
 */
export async function orderResume(input: OrderResumeInput): Promise<OrderStatus> {
  const { tenantId, orderId } = input;
  // Handlers come first: an Update that arrives before its handler exists is rejected, and the back office may cancel
  // the moment the resume run starts. Until the order is read, a cancellation waits for it.
  const read: { plan?: ResumePlan } = {};
  let status: OrderStatus | undefined;
  let child: string | undefined;
  const notifications = createNotifications();
  const cancelled = () => status === 'cancelled';

  setHandler(statusQuery, () => status ?? 'loading');
  setHandler(orderStatusSignal, (next) => {
    // Signals may arrive out of order: a stale one never moves the status back (runs before the patch replay as they were).
    if (!cancelled() && (status === undefined || isLaterStatus(status, next) || !patched('order-status-forward-only'))) setStatus(next);
  });
  setHandler(
    cancelOrderUpdate,
    ({ reason, cancelledBy, actor }) =>
      CancellationScope.nonCancellable(async () => {
        await condition(() => status !== undefined);
        if (!isCancellable(status!)) throw businessFailure('conflict', `an order in status ${status} can no longer be cancelled`);
        try {
          await acts.cancelOrder({ tenantId, orderId, reason: `${reason} (by ${cancelledBy})`, ...(actor ? { actor } : {}) });
        } catch (err) {
          throw unwrapFailure(err);
        }
        await afterCancel(`${reason} (by ${cancelledBy})`);
        return { status: 'cancelled' as const };
      }),
    {
      validator: (_args) => {
        if (status !== undefined && !isCancellable(status)) throw businessFailure('conflict', `an order in status ${status} can no longer be cancelled`);
      },
    },
  );

  const loaded = await acts.orderResumePlan({ tenantId, orderId });
  read.plan = loaded;
  status = loaded.status;
  const step = resumeStep(loaded.status, loaded.paymentMethod);
  if (step === 'cancel') {
    await CancellationScope.nonCancellable(() => acts.cancelOrder({ tenantId, orderId, reason: PROCESS_LOST_REASON }));
    await afterCancel('process_lost');
  } else if (step === 'await_payment') {
    const outcome = await awaitPayment(loaded);
    if (outcome === 'expired' && !cancelled()) {
      await acts.cancelOrder({ tenantId, orderId, reason: 'payment deadline passed' });
      await afterCancel('payment_timeout');
    } else if (!cancelled()) {
      setStatus('pending_shipment');
      await fulfil(loaded);
    }
  } else if (step === 'fulfil') {
    await fulfil(loaded);
  }
  await condition(allHandlersFinished);
  await notifications.flush();
  return status;

  /**
   * A bank transfer waits again for its confirmation, until the deadline the order was given. A payment the lost checkout
   * abandoned (parent-close ABANDON) still runs with that deadline and whatever it received: it is followed, not replaced,
   * so a confirmation sent to it meanwhile counts. A terminated one is started again from the database.
   */
  async function awaitPayment(p: ResumePlan): Promise<PaymentOutcome | 'cancelled'> {
    const timeoutMs = p.paymentDueInMs ?? 0;
    const workflowId = paymentWorkflowId(tenantId, orderId);
    if (timeoutMs <= 0) {
      // The database says the deadline passed: this run cancels the order, so nothing may keep waiting for a transfer.
      await acts.takeOverWorkflows({ workflowIds: [workflowId], reason: `resumed by ${input.actor ? 'the back office' : 'the order reconciler'}` });
      if (cancelled()) return 'cancelled';
      // A transfer confirmed just before the take-over made the order paid: it is fulfilled, not cancelled.
      const now = await acts.orderResumePlan({ tenantId, orderId });
      return now.status === 'pending_payment' ? 'expired' : 'paid';
    }
    // TERMINATE for a child this run starts: if this run is lost too, the reconciler resumes the order again.
    const payment = await startOrFollow(paymentConfirmation, {
      workflowId,
      parentClosePolicy: 'TERMINATE',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      args: [{ tenantId, orderId, amountDue: p.total, timeoutMs, reminderBeforeMs: p.paymentReminderBeforeMs, email: p.email, received: p.received }],
      typedSearchAttributes: attributes(p, 'pending_payment'),
    });
    // Cancelled by the back office while it started: stop it (afterCancel did not know it yet).
    if (cancelled()) {
      await CancellationScope.nonCancellable(() => stopWorkflow(workflowId));
      return 'cancelled';
    }
    return runChild(workflowId, () => payment.result());
  }

  /**
   * The order is fulfilled. A fulfillment the lost checkout abandoned still runs with its shipments: it is followed, so
   * ship and deliver go on undisturbed. Otherwise a new one (TERMINATE: if this run is lost too, the reconciler resumes
   * again) rebuilds the shipments from the database, status included, and follows any shipment still running.
   */
  async function fulfil(p: ResumePlan): Promise<void> {
    const workflowId = fulfillmentWorkflowId(tenantId, orderId);
    // Runs after this patch start the fulfillment with every change built in, as a checkoutV2 does; earlier ones replay theirs.
    const started = await startOrFollow(changed('resume-starts-fulfillment-v2') ? fulfillmentV2 : fulfillment, {
      workflowId,
      parentClosePolicy: 'TERMINATE',
      args: [{ tenantId, orderId, paymentMethod: p.paymentMethod, email: p.email, shipSlaMs: p.shipSlaMs }],
      typedSearchAttributes: attributes(p, 'pending_shipment'),
    });
    // Cancelled by the back office while it started: stop it (afterCancel did not know it yet).
    if (cancelled()) {
      await CancellationScope.nonCancellable(() => stopWorkflow(workflowId));
      return;
    }
    const final = await runChild(workflowId, () => started.result());
    if (!cancelled() && final !== 'cancelled') setStatus(final);
  }

  /** Runs a child; once the order is cancelled, its stopped child's cancellation is the expected end. */
  async function runChild<T>(workflowId: string, result: () => Promise<T>): Promise<T | 'cancelled'> {
    child = workflowId;
    try {
      return await result();
    } catch (err) {
      if (cancelled()) return 'cancelled';
      throw err;
    } finally {
      child = undefined;
    }
  }

  /** What follows the order's cancellation: a card's authorization voided and its subscriptions stopped, the running child stopped, the customer told. */
  async function afterCancel(reason: string): Promise<void> {
    setStatus('cancelled');
    await CancellationScope.nonCancellable(async () => {
      if (read.plan!.paymentMethod === 'card') await voidCardAuthorization({ tenantId, orderId });
      for (const id of read.plan!.subscriptionIds) await stopWorkflow(subscriptionWorkflowId(tenantId, id));
      if (child) await stopWorkflow(child);
    });
    notifications.send({ tenantId, to: read.plan!.email, template: 'order_cancelled', data: { order_id: orderId, reason } });
  }

  function attributes(p: ResumePlan, s: OrderStatus) {
    return orderSearchAttributes({ tenantId, orderId, cartId: p.cartId, email: p.email, paymentMethod: p.paymentMethod, vendorIds: p.vendorIds, status: s });
  }

  function setStatus(next: OrderStatus): void {
    status = next;
    publishOrderStatus(next);
  }
}
