// Payment confirmation: waits for the back office to confirm a bank transfer, reminds, expires at the deadline.
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import { evaluatePaymentConfirmation } from '../domain/order.ts';
import { confirmPaymentUpdate, paymentStateQuery, statusQuery } from '../contracts/definitions.ts';
import type { PaymentActivities } from '../contracts/activities.ts';
import { businessFailure, createLock, createNotifications, publishOrderStatus, rethrowAfterHandlers, unwrapFailure, WHILE_OPERATOR_WAITS } from './support.ts';
import type { ConfirmPaymentArgs, PaymentConfirmationInput, PaymentOutcome, PaymentState } from '../contracts/workflows.ts';

// recordBankTransfer: keyed by the transfer reference (safe to repeat); the back office waits on the confirmPayment
// update, so it is retried for a minute, then the update fails and they can confirm again.
const acts = proxyActivities<PaymentActivities>(WHILE_OPERATOR_WAITS);

/** One per bank-transfer order (`payment:<tenant>:<order>`); returns `paid` or `expired`. */
export async function paymentConfirmation(input: PaymentConfirmationInput): Promise<PaymentOutcome> {
  const state: PaymentState = { status: 'pending', amountDue: input.amountDue, received: input.received ?? 0 };
  const oneAtATime = createLock();
  const notifications = createNotifications();

  const rejectIfInvalid = (args: ConfirmPaymentArgs) => {
    if (state.status === 'paid') throw businessFailure('conflict', 'this order is already paid');
    if (state.status === 'expired') throw businessFailure('conflict', 'the payment deadline passed and the order was cancelled');
    if (!args.reference?.trim()) throw businessFailure('validation_failed', 'a payment reference is required');
    const verdict = evaluatePaymentConfirmation(input.amountDue, state.received, args.amount);
    if (!verdict.ok) throw businessFailure('amount_mismatch', verdict.reason);
  };

  setHandler(paymentStateQuery, () => ({ ...state }));
  setHandler(statusQuery, () => state.status);
  setHandler(
    confirmPaymentUpdate,
    (args) =>
      oneAtATime(async () => {
        rejectIfInvalid(args); // again: an earlier confirmation may have finished while this one waited
        try {
          const result = await acts.recordBankTransfer({ tenantId: input.tenantId, orderId: input.orderId, ...args });
          state.received = result.received;
          if (result.fullyPaid) state.status = 'paid';
          return { ...state };
        } catch (err) {
          throw unwrapFailure(err);
        }
      }),
    { validator: rejectIfInvalid },
  );

  // The reminder runs beside the deadline timer, so neither a slow notifier nor the reminder moves the deadline.
  const reminderAt = input.timeoutMs - input.reminderBeforeMs;
  const isPaid = () => state.status === 'paid';
  if (reminderAt > 0) {
    void (async () => {
      try {
        if (!(await condition(isPaid, reminderAt))) {
          notifications.send({
            tenantId: input.tenantId,
            to: input.email,
            template: 'payment_reminder',
            data: { order_id: input.orderId, amount_due: input.amountDue, received: state.received },
          });
        }
      } catch {
        // Cancelled with the workflow: no reminder.
      }
    })();
  }
  try {
    await condition(isPaid, input.timeoutMs);
    // A confirmation may be mid-flight when the deadline fires; let it land before deciding.
    await condition(allHandlersFinished);
  } catch (err) {
    await rethrowAfterHandlers(err);
  }
  state.status = isPaid() ? 'paid' : 'expired';
  publishOrderStatus(state.status === 'paid' ? 'pending_shipment' : 'cancelled');
  await notifications.flush();
  return state.status;
}
