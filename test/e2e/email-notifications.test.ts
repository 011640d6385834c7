// Customer e-mail through the nodemailer notifier: the workflows' notifications, rendered and handed to a transport.
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder } from '../helpers/factories.ts';
import { EmailNotifier } from '../../providers/notifications/email.ts';
import { RecordingTransport, type RecordedMail } from '../helpers/recording-transport.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
const transport = new RecordingTransport();
const emailNotifier = () => new EmailNotifier({ transport: transport as never, from: 'Shop <shop@example.jp>', operations: 'ops@example.jp' });

beforeAll(
  async () =>
    ({ stack, tenant } = await startStackWithTenant({
      relay: true,
      notifier: emailNotifier(),
      config: { BANK_TRANSFER_TIMEOUT: '4s', PAYMENT_REMINDER_BEFORE: '2s', DUNNING_RETRY_SCHEDULE: '1s' },
    })),
);
afterAll(async () => stack?.stop());

const mailsTo = (to: string) => transport.messages.filter((m) => m.to === to);

describe('e-mail notifications', () => {
  test('when a bank-transfer order is never paid, then the customer gets the order with transfer instructions, a reminder, then the cancellation', async () => {
    const email = 'hanako@example.jp';
    const { order } = await placeTestOrder(stack.http, tenant, { price: 1200, quantity: 2, email });
    const mails: RecordedMail[] = await waitFor(async () => (mailsTo(email).length >= 3 ? mailsTo(email) : null), { what: 'three e-mails', timeoutMs: 20_000 });
    expect(mails.map((m) => m.template)).toEqual(['order_placed', 'payment_reminder', 'order_cancelled']);
    const [placed, reminder, cancelled] = mails;
    expect(placed).toMatchObject({ from: 'Shop <shop@example.jp>', subject: `Order ${order.id} received` });
    expect(placed.text).toContain('Please pay by bank transfer');
    expect(placed.text).toContain('Amount: 2,400 JPY');
    // The receipt shows consumption tax once per rate (inclusive prices: 2,400 × 10/110 rounded down).
    expect(placed.text).toContain('10% on 2,400 JPY: tax 218 JPY');
    expect(placed.text).toContain(`Reference: ${order.id}`);
    expect(reminder.text).toContain('Amount due: 2,400 JPY');
    expect(cancelled.text).toContain('the payment did not arrive before the deadline');
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);
  });

  test('when a COD order ships, then the customer gets the carrier and tracking number', async () => {
    const email = 'taro@example.jp';
    const { order } = await placeTestOrder(stack.http, tenant, { payment_method: 'cod', email });
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    const shipped = await admin.ship(shipment.id);
    expect(shipped.status).toBe(200);
    const mail = await waitFor(async () => mailsTo(email).find((m) => m.template === 'order_shipped'), { what: 'the shipped e-mail' });
    expect(mail.subject).toBe(`Order ${order.id} shipped`);
    expect(mail.text).toContain(`Tracking number: ${shipped.body.tracking_number}`);
    expect(mail.text).toContain('Carrier: yamato');
    expect(mailsTo(email)[0].text).toContain('cash on delivery');
  });

  test('when a subscription renewal is declined on every retry, then the customer is told each failure (amount, attempt, next try), then that it ended', async () => {
    const email = 'sub@example.jp';
    await placeTestOrder(stack.http, tenant, {
      price: 980,
      stock: 5,
      quantity: 1,
      payment_method: 'card',
      payment_token: 'tok_renewal_fails',
      email,
      billing_interval: '2s',
    });
    const subscriptionMails = () => mailsTo(email).filter((m) => m.template.startsWith('subscription_'));
    const mails = await waitFor(async () => (subscriptionMails().length >= 3 ? subscriptionMails() : null), { what: 'the dunning e-mails', timeoutMs: 30_000 });
    expect(mails.map((m) => m.template)).toEqual(['subscription_payment_failed', 'subscription_payment_failed', 'subscription_cancelled']);
    const subscriptionId = String(mails[0].subject.match(/sub_\w+/)?.[0]);
    expect(mails[0].subject).toBe(`Payment for your subscription ${subscriptionId} failed`);
    expect(mails[0].text).toContain('980 JPY');
    expect(mails[0].text).toContain('attempt 1');
    expect(mails[0].text).toMatch(/We will try again at \d{4}-\d\d-\d\dT/);
    expect(mails[1].text).toContain('attempt 2');
    expect(mails[1].text).not.toContain('We will try again');
    expect(mails[2].text).toContain(`Subscription ${subscriptionId} is now cancelled`);
  });

  test('when card money is refunded, then the relay turns the payment.refunded event into one e-mail, visible as its own workflow', async () => {
    const email = 'refund@example.jp';
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { order } = await placeTestOrder(stack.http, tenant, {
      price: 2500,
      stock: 5,
      quantity: 1,
      payment_method: 'card',
      payment_token: 'tok_visa',
      email,
    });
    const shipment = await waitFor(async () => (await admin.order(order.id)).body.shipments[0], { what: 'the shipment' });
    await admin.ship(shipment.id);
    await waitFor(async () => (await admin.order(order.id)).body.payments[0].status === 'captured' || null, { what: 'the capture' });
    const refund = await admin.refund(order.id, 500);
    expect(refund.status).toBe(200);
    const mail = await waitFor(async () => mailsTo(email).find((m) => m.template === 'payment_refunded'), { what: 'the refund e-mail' });
    expect(mail.subject).toBe(`Refund for order ${order.id}`);
    expect(mail.text).toContain('We refunded 500 JPY');
    const notice = stack.temporal.workflow.getHandle(`notice:refund:${refund.body.refund.id}`);
    expect(await notice.result()).toBe(email);
    expect(mailsTo(email).filter((m) => m.template === 'payment_refunded')).toHaveLength(1);
  });

  test('when operations must be told (a late shipment), then the mail goes to OPERATIONS_EMAIL, not to a customer', async () => {
    await emailNotifier().send({
      tenantId: tenant.tenant_id,
      to: 'operations',
      template: 'shipment_late',
      data: { order_id: 'ord_1', shipment_id: 'shp_1', vendor_id: null },
    });
    expect(mailsTo('ops@example.jp').map((m) => m.subject)).toEqual(['Shipment shp_1 is late']);
  });
});
