// Activities are retried: an attempt that finds its change already done must not write a second audit entry.
// No worker runs here: the test plays each attempt twice itself, straight against the activities.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';
import { startTestStack, type TestStack } from '../helpers/harness.ts';
import { buildAddress, createTestTenant, seedProduct, storefront } from '../helpers/factories.ts';
import { createActivities } from '../../activities/index.ts';
import { createPaymentProviders } from '../../providers/payments/index.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { hashSecret } from '../../domain/secrets.ts';
import type { Actor } from '../../contracts/audit.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

let stack: TestStack;
let tenant: CreatedTenant;
let acts: ReturnType<typeof createActivities>;
let actor: Actor;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  tenant = await createTestTenant(stack.pool);
  acts = createActivities({
    pool: stack.pool,
    notifier: new RecordingNotifier(),
    payments: createPaymentProviders({ pool: stack.pool, cardProvider: 'test' }),
  });
  const keyId = await stack.pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id FROM api_keys WHERE key_hash = ${hashSecret(tenant.admin_api_key)}`);
  actor = { keyId, role: 'owner', requestId: 'req-retried' };
});
afterAll(async () => stack?.stop());

const actionsOf = async (resourceId: string) =>
  (await stack.pool.any(sql.type(z.object({ action: z.string() }))`SELECT action FROM audit_log WHERE resource_id = ${resourceId} ORDER BY at, id`)).map(
    (r) => r.action,
  );

/** A bank-transfer order placed by the activity itself (the checkout workflow's first step). */
async function placeBankOrder(price: number) {
  const store = storefront(stack.http, tenant.publishable_key);
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price, stock: 5 });
  const cart = (await store.createCart()).body;
  expect((await store.addItem(cart.id, variantId, 1)).status).toBe(200);
  const placed = await acts.placeOrder({
    tenantId: tenant.tenant_id,
    cartId: cart.id,
    orderId: `ord_${randomUUID().replaceAll('-', '')}`,
    email: 'retry@example.jp',
    shippingAddress: buildAddress(),
    paymentMethod: 'bank_transfer',
    holdTtlMs: 60_000,
    bankTransferTimeoutMs: 60_000,
    paymentReminderBeforeMs: 30_000,
    shipSlaMs: 60_000,
  });
  return placed.orderId;
}

describe('audited activities run twice with the same input', () => {
  test('when recordBankTransfer, shipShipment and deliverShipment each run twice, then each change has one entry', async () => {
    const orderId = await placeBankOrder(1500);
    const confirmation = {
      tenantId: tenant.tenant_id,
      orderId,
      amount: { amount: 1500, currency: 'JPY' },
      reference: 'ref-retried',
      confirmedBy: 'api-key:x',
      actor,
    };
    const first = await acts.recordBankTransfer(confirmation);
    const again = await acts.recordBankTransfer(confirmation);
    expect(again).toEqual(first);
    expect(first.fullyPaid).toBe(true);
    expect(await actionsOf(orderId)).toEqual(['payment.confirm']);

    const [shipment] = await acts.createShipments({ tenantId: tenant.tenant_id, orderId });
    const ship = { tenantId: tenant.tenant_id, orderId, shipmentId: shipment!.id, carrier: 'yamato', trackingNumber: 'TRK-retried', actor };
    await acts.shipShipment(ship);
    await acts.shipShipment(ship);
    const deliver = { tenantId: tenant.tenant_id, orderId, shipmentId: shipment!.id, codCollected: null, actor };
    await acts.deliverShipment(deliver);
    const delivered = await acts.deliverShipment(deliver);
    expect(delivered.shipment.status).toBe('delivered');
    expect(await actionsOf(shipment!.id)).toEqual(['shipment.ship', 'shipment.deliver']);
  });

  test('when cancelOrder runs twice for a person, then one entry; as compensation (no actor), then none', async () => {
    const asked = await placeBankOrder(800);
    await acts.cancelOrder({ tenantId: tenant.tenant_id, orderId: asked, reason: 'customer asked', actor });
    await acts.cancelOrder({ tenantId: tenant.tenant_id, orderId: asked, reason: 'customer asked', actor });
    expect(await actionsOf(asked)).toEqual(['order.cancel']);

    const compensated = await placeBankOrder(800);
    await acts.cancelOrder({ tenantId: tenant.tenant_id, orderId: compensated, reason: 'checkout compensation' });
    expect(await actionsOf(compensated)).toEqual([]);
  });
});
