// Checkout saga: places the order, then drives payment and fulfillment; compensates on failure or cancellation.
import {
  allHandlersFinished, ApplicationFailure, CancellationScope, condition, executeChild, startChild, getExternalWorkflowHandle,
  isCancellation, log, setHandler, upsertSearchAttributes, uuid4, workflowInfo,
} from '@temporalio/workflow';
import { fulfillmentWorkflowId, holdsWorkflowId, makeId, paymentWorkflowId } from '../domain/ids.ts';
import { isCancellable, type OrderStatus } from '../domain/order.ts';
import { cancelOrderUpdate, cartClosedSignal, placeOrderUpdate, statusQuery } from './definitions.ts';
import { fulfillment } from './fulfillment.ts';
import { paymentConfirmation } from './paymentConfirmation.ts';
import { CustomerEmailKey, OrderIdKey, OrderStatusKey, PaymentMethodKey, TenantIdKey, CartIdKey } from './search-attributes.ts';
import { acts, businessFailure, publishOrderStatus, unwrapFailure } from './support.ts';
import type { CheckoutInput, PlacedOrder } from './types.ts';

type Compensation = { name: string; run: () => Promise<unknown> };

/** One per cart (`checkout:<tenant>:<cart>`), started with Update-with-Start; lives until the order completes or is cancelled. */
export async function checkout(input: CheckoutInput): Promise<OrderStatus> {
  let placed: PlacedOrder | undefined;
  // The storefront hears back once the order can be acted on (for bank transfer: its payment workflow runs).
  let ready = false;
  let placeFailure: unknown;
  let status: OrderStatus | 'placing' = 'placing';
  let updateCalls = 0;
  const compensations: Compensation[] = [];
  const lifecycle = new CancellationScope();

  const currentStatus = (): OrderStatus | 'placing' => status;
  const setStatus = (next: OrderStatus) => {
    status = next;
    publishOrderStatus(next);
  };
  const compensate = async (reason: string) => {
    // Compensations run even when the workflow itself is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      for (const c of compensations.reverse()) {
        try {
          await c.run();
        } catch (err) {
          log.error('compensation failed', { compensation: c.name, reason, error: String(unwrapFailure(err)) });
          throw err;
        }
      }
    });
  };

  setHandler(statusQuery, () => status);
  setHandler(placeOrderUpdate, async () => {
    const first = ++updateCalls === 1;
    await condition(() => (placed !== undefined && ready) || placeFailure !== undefined);
    if (placeFailure !== undefined) throw unwrapFailure(placeFailure);
    return { ...placed!, created: placed!.created && first };
  });
  setHandler(cancelOrderUpdate, async ({ reason, cancelledBy }) => {
    try {
      // The activity decides atomically against shipping; only once it succeeded do children stop.
      await acts.cancelOrder({ tenantId: input.tenantId, orderId: placed?.orderId, reason: `${reason} (by ${cancelledBy})` });
    } catch (err) {
      throw unwrapFailure(err);
    }
    compensations.length = 0;
    setStatus('cancelled');
    lifecycle.cancel();
    await notifyCancelled(reason);
    return { status: 'cancelled' as const };
  }, {
    validator: (_args) => {
      if (!placed) throw businessFailure('conflict', 'the order is still being placed');
      if (status !== 'placing' && !isCancellable(status)) throw businessFailure('conflict', `an order in status ${status} can no longer be cancelled`);
    },
  });

  const notifyCancelled = (reason: string) => acts.notifyCustomer({ tenantId: input.tenantId, to: input.email, template: 'order_cancelled', data: { order_id: placed?.orderId, reason } });

  // Steps 1-2: the order exists and holds its stock, or the checkout fails with the business reason.
  try {
    placed = await acts.placeOrder({ ...input, orderId: makeId('ord', uuid4()) });
  } catch (err) {
    placeFailure = unwrapFailure(err);
    await condition(allHandlersFinished);
    throw placeFailure instanceof ApplicationFailure ? placeFailure : ApplicationFailure.create({ message: String(placeFailure), nonRetryable: true });
  }
  const orderId = placed.orderId;
  compensations.push({ name: 'cancelOrderAndReleaseStock', run: () => acts.cancelOrder({ tenantId: input.tenantId, orderId, reason: 'checkout compensation' }) });
  upsertSearchAttributes([{ key: OrderIdKey, value: orderId }]);
  setStatus(placed.status);
  await signalCartClosed(input.tenantId, input.cartId);
  if (placed.created) {
    await acts.notifyCustomer({ tenantId: input.tenantId, to: input.email, template: 'order_placed', data: { order_id: orderId, total: placed.total, payment: placed.payment } });
  }

  const childAttributes = [
    { key: TenantIdKey, value: input.tenantId }, { key: OrderIdKey, value: orderId }, { key: CartIdKey, value: input.cartId },
    { key: CustomerEmailKey, value: input.email }, { key: PaymentMethodKey, value: input.paymentMethod },
  ];
  try {
    await lifecycle.run(async () => {
      if (input.paymentMethod === 'bank_transfer') {
        const payment = await startChild(paymentConfirmation, {
          workflowId: paymentWorkflowId(input.tenantId, orderId),
          args: [{ tenantId: input.tenantId, orderId, amountDue: placed!.total, timeoutMs: input.bankTransferTimeoutMs, reminderBeforeMs: input.paymentReminderBeforeMs, email: input.email }],
          typedSearchAttributes: [...childAttributes, { key: OrderStatusKey, value: 'pending_payment' }],
        });
        ready = true;
        const outcome = await payment.result();
        if (outcome === 'expired') {
          await compensate('payment deadline passed');
          compensations.length = 0;
          setStatus('cancelled');
          await notifyCancelled('payment_timeout');
          return;
        }
        setStatus('pending_shipment');
      }
      ready = true;
      const final = await executeChild(fulfillment, {
        workflowId: fulfillmentWorkflowId(input.tenantId, orderId),
        args: [{ tenantId: input.tenantId, orderId, paymentMethod: input.paymentMethod, email: input.email }],
        typedSearchAttributes: [...childAttributes, { key: OrderStatusKey, value: 'pending_shipment' }],
      });
      setStatus(final);
    });
  } catch (err) {
    if (isCancellation(err) && currentStatus() === 'cancelled') {
      // Cancelled through the cancelOrder update: compensation already ran there.
    } else if (isCancellation(err)) {
      // Cancelled from the Temporal UI/CLI: run the compensations, then end as cancelled.
      await compensate('workflow cancelled');
      setStatus('cancelled');
      await CancellationScope.nonCancellable(() => notifyCancelled('workflow_cancelled'));
      throw err;
    } else {
      await compensate(`failure: ${String(err)}`);
      setStatus('cancelled');
      throw err;
    }
  }
  await condition(allHandlersFinished);
  log.info('checkout finished', { orderId, status, workflowId: workflowInfo().workflowId });
  return status as OrderStatus;
}

async function signalCartClosed(tenantId: string, cartId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(holdsWorkflowId(tenantId, cartId)).signal(cartClosedSignal);
  } catch {
    // The expiry workflow may have ended already: nothing to stop.
  }
}
