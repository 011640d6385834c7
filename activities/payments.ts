// Activities of the bank-transfer confirmation workflow.
import type { DatabasePool } from 'slonik';
import { lockOrder, setOrderStatus } from '../db/queries/orders.ts';
import { findReceipt, lockPayment, recordReceipt } from '../db/queries/payments.ts';
import { AmountMismatchError, ConflictError } from '../domain/errors.ts';
import { evaluatePaymentConfirmation } from '../domain/order.ts';
import type { ConfirmPaymentArgs } from '../contracts/workflows.ts';
import { asActivity } from './errors.ts';
import { recordAudit } from '../db/queries/audit-log.ts';
import { changedFields } from '../domain/audit.ts';
import type { PaymentActivities } from '../contracts/activities.ts';

/** Builds the payment activities. */
export function createPaymentActivities({ pool }: { pool: DatabasePool }) {
  return {
    /**
     * Records a bank transfer against the order's payment; when it is paid in full the order moves to
     * pending_shipment in the same transaction. The reference makes a retry count the money once.
     */
    async recordBankTransfer(input: { tenantId: string; orderId: string } & ConfirmPaymentArgs): Promise<{ received: number; fullyPaid: boolean }> {
      return asActivity(() =>
        pool.transaction(async (tx) => {
          const order = await lockOrder(tx, input.tenantId, input.orderId);
          const payment = await lockPayment(tx, input.orderId, 'bank_transfer');
          if (order.status === 'cancelled') throw new ConflictError('the order was cancelled; the transfer must be refunded by hand');
          const before = await findReceipt(tx, payment.id, input.reference);
          if (before && (before.amount !== input.amount.amount || before.currency !== input.amount.currency)) {
            throw new ConflictError(`reference ${input.reference} was already used for ${before.amount} ${before.currency}`);
          }
          if (!before) {
            const verdict = evaluatePaymentConfirmation({ amount: payment.amount, currency: payment.currency }, payment.received_amount, input.amount);
            if (!verdict.ok) throw new AmountMismatchError(verdict.reason);
          }
          const after = await recordReceipt(tx, {
            tenantId: input.tenantId,
            paymentId: payment.id,
            amount: input.amount.amount,
            currency: input.amount.currency,
            reference: input.reference,
            confirmedBy: input.confirmedBy,
          });
          const fullyPaid = after.status === 'captured';
          const orderStatus = fullyPaid && order.status === 'pending_payment' ? 'pending_shipment' : order.status;
          if (orderStatus !== order.status) await setOrderStatus(tx, input.tenantId, input.orderId, order.status, orderStatus);
          // A retry finds its receipt already counted: the entry was written with it.
          if (after.counted && input.actor) {
            await recordAudit(tx, {
              tenantId: input.tenantId,
              actor: input.actor,
              action: 'payment.confirm',
              resourceType: 'order',
              resourceId: input.orderId,
              changes: {
                ...changedFields(
                  { received_amount: payment.received_amount, payment_status: payment.status, status: order.status },
                  { received_amount: after.received_amount, payment_status: after.status, status: orderStatus },
                ),
                ...changedFields(null, { payment_id: payment.id, reference: input.reference }),
              },
            });
          }
          return { received: after.received_amount, fullyPaid };
        }),
      );
    },
  } satisfies PaymentActivities;
}
