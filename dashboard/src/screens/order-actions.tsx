// The actions on an order, each behind a confirmation dialog; the API's refusal is shown in the dialog in words.
import { api } from '../api.ts';
import { ActionDialog, Field } from '../components.tsx';
import { currencyDigits, formatMoney, moneyInputValue, parseMoneyInput, t, type Money } from '../i18n/index.ts';
import type { Order, Shipment } from '../types.ts';
import { ApiProblem } from '../api.ts';

// Refused before any request: the field must hold an amount the currency can express.
const moneyOf = (form: FormData, name: string, currency: string): Money => {
  const amount = parseMoneyInput(String(form.get(name) ?? ''), currency);
  if (amount === null) throw new ApiProblem(400, 'validation_failed', `${name}: not an amount in ${currency}`);
  return { amount, currency };
};
const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const stepOf = (currency: string) => (currencyDigits(currency) === 0 ? '1' : String(10 ** -currencyDigits(currency)));

/** Confirm a bank transfer (amount due prefilled; less is a partial payment), cancel, refund. */
export function OrderActions({ order, done }: { order: Order; done: () => void }) {
  const payment = order.payments[0];
  const due = payment ? { amount: payment.amount.amount - payment.received.amount, currency: payment.amount.currency } : null;
  // The API refuses a cancellation once something shipped (409, shown in words); before that the button is offered.
  const open = order.status === 'pending_payment' || order.status === 'pending_shipment';
  const refundable = payment && payment.method === 'card' && (payment.status === 'captured' || payment.status === 'refunded');
  return (
    <div class="buttons">
      {order.payment_method === 'bank_transfer' && order.status === 'pending_payment' && due && (
        <ActionDialog
          label={t('action.confirmPayment')}
          title={t('action.confirmPayment')}
          onConfirm={async (form) => {
            await api('POST', `/admin/orders/${order.id}/payment-confirmations`, {
              amount: moneyOf(form, 'amount', order.currency),
              reference: text(form, 'reference'),
            });
            done();
          }}
        >
          <Field
            label={t('action.amount', { currency: order.currency })}
            name="amount"
            type="number"
            step={stepOf(order.currency)}
            defaultValue={moneyInputValue(due)}
            hint={t('action.amountHint', { due: formatMoney(due) })}
            required
          />
          <Field label={t('action.reference')} name="reference" required />
        </ActionDialog>
      )}
      {open && (
        <ActionDialog
          label={t('action.cancel')}
          title={t('action.cancel')}
          onConfirm={async (form) => {
            await api('POST', `/admin/orders/${order.id}/cancel`, { reason: text(form, 'reason') });
            done();
          }}
        >
          <Field label={t('action.reason')} name="reason" required />
        </ActionDialog>
      )}
      {refundable && (
        <ActionDialog
          label={t('action.refund')}
          title={t('action.refund')}
          onConfirm={async (form) => {
            const reason = text(form, 'reason');
            await api('POST', `/admin/orders/${order.id}/refunds`, { amount: moneyOf(form, 'amount', order.currency), ...(reason ? { reason } : {}) });
            done();
          }}
        >
          <Field label={t('action.amount', { currency: order.currency })} name="amount" type="number" step={stepOf(order.currency)} required />
          <Field label={t('action.reason')} name="reason" />
        </ActionDialog>
      )}
    </div>
  );
}

/** Ship a pending shipment (carrier, tracking) or deliver a shipped one (COD: the cash collected, prefilled). */
export function ShipmentActions({ order, shipment, done }: { order: Order; shipment: Shipment; done: () => void }) {
  if (shipment.status === 'pending') {
    return (
      <ActionDialog
        label={t('action.ship')}
        title={`${t('action.ship')} ${shipment.id}`}
        onConfirm={async (form) => {
          await api('POST', `/admin/shipments/${shipment.id}/ship`, { carrier: text(form, 'carrier'), tracking_number: text(form, 'tracking_number') });
          done();
        }}
      >
        <Field label={t('action.carrier')} name="carrier" required />
        <Field label={t('action.tracking')} name="tracking_number" required />
      </ActionDialog>
    );
  }
  if (shipment.status === 'shipped') {
    const cod = shipment.cod_amount;
    return (
      <ActionDialog
        label={t('action.deliver')}
        title={`${t('action.deliver')} ${shipment.id}`}
        onConfirm={async (form) => {
          await api('POST', `/admin/shipments/${shipment.id}/deliver`, cod ? { cod_collected: moneyOf(form, 'cod_collected', cod.currency) } : {});
          done();
        }}
      >
        {cod && (
          <Field
            label={t('action.codCollected', { currency: cod.currency })}
            name="cod_collected"
            type="number"
            step={stepOf(order.currency)}
            defaultValue={moneyInputValue(cod)}
            hint={t('action.codHint', { due: formatMoney(cod) })}
            required
          />
        )}
      </ActionDialog>
    );
  }
  return null;
}
