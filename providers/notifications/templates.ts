// Every notification's subject and text, in one place.
import type { Notification } from '../../domain/notification.ts';

/** A rendered message. */
export type Rendered = { subject: string; text: string };

type Money = { amount: number; currency: string };
const money = (m: unknown): string => {
  if (typeof m === 'number') return String(m);
  const v = m as Money | undefined;
  return v && typeof v.amount === 'number' ? `${v.amount.toLocaleString('en-US')} ${v.currency}` : '';
};
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

const TEMPLATES: Record<Notification['template'], (d: Record<string, unknown>) => Rendered> = {
  order_placed: (d) => {
    const payment = (d.payment ?? {}) as { method?: string; instructions?: { reference?: string; amount?: unknown; due_at?: string | null; note?: string } };
    const lines = [`Thank you for your order ${str(d.order_id)}.`, `Total: ${money(d.total)}`];
    // The qualified-invoice breakdown: tax once per rate over the order.
    for (const t of (d.tax_breakdown ?? []) as { rate_bps: number; taxable_amount: unknown; tax: unknown }[]) {
      lines.push(`  ${t.rate_bps / 100}% on ${money(t.taxable_amount)}: tax ${money(t.tax)}`);
    }
    if (payment.method === 'bank_transfer' && payment.instructions) {
      const i = payment.instructions;
      lines.push(
        '',
        'Please pay by bank transfer:',
        `  Amount: ${money(i.amount)}`,
        `  Reference: ${str(i.reference)} (quote it with your transfer)`,
        `  Pay by: ${str(i.due_at)}`,
        `  ${str(i.note)}`,
        'Unpaid orders are cancelled after the deadline.',
      );
    } else if (payment.method === 'cod') {
      lines.push('', 'You pay the courier in cash on delivery.');
    }
    return { subject: `Order ${str(d.order_id)} received`, text: lines.join('\n') };
  },
  payment_reminder: (d) => ({
    subject: `Reminder: payment for order ${str(d.order_id)} is due soon`,
    text: [
      `We have not yet received the full bank transfer for order ${str(d.order_id)}.`,
      `Amount due: ${money(d.amount_due)}; received so far: ${money(d.received)}.`,
      `Quote the reference ${str(d.order_id)}. The order is cancelled if it is not paid by the deadline.`,
    ].join('\n'),
  }),
  order_cancelled: (d) => ({
    subject: `Order ${str(d.order_id)} cancelled`,
    text: [
      `Your order ${str(d.order_id)} was cancelled.`,
      `Reason: ${str(d.reason) === 'payment_timeout' ? 'the payment did not arrive before the deadline' : str(d.reason)}`,
      'Any stock held for you has been released.',
    ].join('\n'),
  }),
  order_shipped: (d) => ({
    subject: `Order ${str(d.order_id)} shipped`,
    text: [`Part or all of order ${str(d.order_id)} is on its way.`, `Carrier: ${str(d.carrier)}`, `Tracking number: ${str(d.tracking_number)}`].join('\n'),
  }),
  order_completed: (d) => ({ subject: `Order ${str(d.order_id)} delivered`, text: `Order ${str(d.order_id)} has been delivered. Thank you!` }),
  shipment_late: (d) => ({
    subject: `Shipment ${str(d.shipment_id)} is late`,
    text: `Shipment ${str(d.shipment_id)} of order ${str(d.order_id)}${d.vendor_id ? ` (vendor ${str(d.vendor_id)})` : ''} is still unshipped after its SLA.`,
  }),
  subscription_payment_failed: (d) => ({
    subject: `Payment for your subscription ${str(d.subscription_id)} failed`,
    text: [
      `We could not charge ${money({ amount: d.amount as number, currency: str(d.currency) })} for subscription ${str(d.subscription_id)} (attempt ${str(d.attempt)}).`,
      d.next_attempt_at
        ? `We will try again at ${str(d.next_attempt_at)}. Please update your payment method before then.`
        : 'Please update your payment method.',
    ].join('\n'),
  }),
  payment_refunded: (d) => ({
    subject: `Refund for order ${str(d.order_id)}`,
    text: [
      `We refunded ${money({ amount: d.amount as number, currency: str(d.currency) })} of order ${str(d.order_id)} to your card.`,
      'It can take a few days to appear on your statement.',
    ].join('\n'),
  }),
  subscription_renewed: (d) => ({
    subject: `Your subscription ${str(d.subscription_id)} renewed`,
    text: `We charged ${money({ amount: d.amount as number, currency: str(d.currency) })} to your card for period ${str(d.period)} of subscription ${str(d.subscription_id)}.`,
  }),
  customer_welcome: (d) => ({
    subject: 'Welcome to our store',
    text: [
      `Hello${d.name ? ` ${str(d.name)}` : ''},`,
      '',
      'your account is ready: sign in with this e-mail address to see your orders and subscriptions.',
    ].join('\n'),
  }),
  group_buy_succeeded: (d) => ({
    subject: `Your group buy ${str(d.group_buy_id)} succeeded`,
    text: [
      `The group buy ${str(d.group_buy_id)} reached its participants: your order ${str(d.order_id)} is placed.`,
      'Your card is charged the authorized amount when the order ships.',
    ].join('\n'),
  }),
  group_buy_failed: (d) => ({
    subject: `Your group buy ${str(d.group_buy_id)} did not go ahead`,
    text: [
      `Not enough people joined the group buy ${str(d.group_buy_id)} before it ended.`,
      'The amount reserved on your card has been released; you are not charged.',
    ].join('\n'),
  }),
  password_reset: (d) => ({
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of your account. If it was you, use this one-time code within one hour:',
      '',
      `  ${str(d.token)}`,
      '',
      'If it was not you, ignore this e-mail: your password stays as it is.',
    ].join('\n'),
  }),
  digital_downloads: (d) => {
    const downloads = (d.downloads ?? []) as { title?: string; url?: string; expires_at?: string; remaining?: number }[];
    const lines = [`Your downloads for order ${str(d.order_id)} are ready:`, ''];
    for (const l of downloads) lines.push(`  ${str(l.title)}`, `  ${str(l.url)}`, `  (${str(l.remaining)} downloads, until ${str(l.expires_at)})`, '');
    lines.push('Each link is personal: it stops working after its last download or at its expiry.');
    return { subject: `Your downloads for order ${str(d.order_id)}`, text: lines.join('\n') };
  },
  subscription_cancelled: (d) => ({
    subject: `Your subscription ${str(d.subscription_id)} has ended`,
    text:
      d.reason === 'payment_failed'
        ? `Subscription ${str(d.subscription_id)} is now ${str(d.status)}: the renewal payment was declined on every retry. No further charges will be made; you can subscribe again at any time.`
        : `Subscription ${str(d.subscription_id)} was cancelled (${str(d.reason)}). No further charges will be made.`,
  }),
};

/** Renders a notification (an unknown template renders its data, so a new one is never dropped silently). */
export function renderNotification(n: Notification): Rendered {
  const template = TEMPLATES[n.template];
  return template ? template(n.data) : { subject: n.template, text: JSON.stringify(n.data, null, 2) };
}
