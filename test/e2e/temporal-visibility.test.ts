// Ops find an order's workflows in Temporal by the custom search attributes (DESIGN.md §4).
import type { Client } from '@temporalio/client';
import { holdWatcherStarted, startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, placeTestOrder } from '../helpers/factories.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';
import { checkoutWorkflowId, holdsWorkflowId, paymentWorkflowId } from '../../domain/ids.ts';
import { OrderStatusKey, PaymentMethodKey, TenantIdKey } from '../../contracts/search-attributes.ts';

let stack: TestStack;
let tenant: CreatedTenant;

// The cart's hold watcher starts 300 ms after its first hold (not the default 5 s), so the test can wait for it.
beforeAll(async () => ({ stack, tenant } = await startStackWithTenant({ config: { HOLD_WATCH_DELAY: '300ms' } })));
afterAll(async () => stack?.stop());

/** Workflow id → type of every execution a visibility query finds. */
async function found(client: Client, query: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const wf of client.workflow.list({ query })) out[wf.workflowId] = wf.type;
  return out;
}

/** Waits until the query finds at least these workflow ids (visibility is eventually consistent). */
const findsAll = (query: string, ids: string[]) =>
  waitFor(
    async () => {
      const hits = await found(stack.temporal, query);
      return ids.every((id) => id in hits) ? hits : null;
    },
    { what: `visibility query ${query} to find ${ids.join(', ')}` },
  );

describe('Temporal visibility', () => {
  test('when a bank-transfer order is placed, then its workflows are found by OrderId, CartId and CustomerEmail', async () => {
    const email = `ops-${Date.now()}@example.jp`;
    // A watcher runs only for a cart not checked out within HOLD_WATCH_DELAY: wait for it, so it has something to find.
    const watcherStarted = (cartId: string) => holdWatcherStarted(stack, tenant.tenant_id, cartId);
    const { cartId, order } = await placeTestOrder(stack.http, tenant, { payment_method: 'bank_transfer', email, beforeCheckout: watcherStarted });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const paymentId = paymentWorkflowId(tenant.tenant_id, order.id);
    const holdsId = holdsWorkflowId(tenant.tenant_id, cartId);

    const byOrder = await findsAll(`OrderId='${order.id}'`, [checkoutId, paymentId]);
    expect(byOrder[checkoutId]).toBe('checkoutV2');
    expect(byOrder[paymentId]).toBe('paymentConfirmation');
    expect(Object.keys(byOrder)).not.toContain(holdsId);

    const byCart = await findsAll(`CartId='${cartId}'`, [checkoutId, holdsId]);
    expect(byCart[holdsId]).toBe('reservationExpiry');
    expect(byCart[checkoutId]).toBe('checkoutV2');

    const byEmail = await findsAll(`CustomerEmail='${email}'`, [checkoutId, paymentId]);
    expect(Object.values(byEmail).sort()).toEqual(['checkoutV2', 'paymentConfirmation']);

    const byTenant = await findsAll(`TenantId='${tenant.tenant_id}' AND PaymentMethod='bank_transfer' AND OrderId='${order.id}'`, [checkoutId, paymentId]);
    expect(Object.keys(byTenant).sort()).toEqual([checkoutId, paymentId].sort());
    expect(await found(stack.temporal, `OrderId='ord_nobody'`)).toEqual({});
  });

  test('when the transfer is confirmed, then the checkout workflow’s OrderStatus becomes pending_shipment', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const { cartId, order } = await placeTestOrder(stack.http, tenant, { price: 1300, payment_method: 'bank_transfer' });
    const checkoutId = checkoutWorkflowId(tenant.tenant_id, cartId);
    const handle = stack.temporal.workflow.getHandle(checkoutId);
    await waitFor(async () => (await handle.describe()).typedSearchAttributes.get(OrderStatusKey) === 'pending_payment', {
      what: 'OrderStatus pending_payment',
    });
    await findsAll(`OrderStatus='pending_payment' AND OrderId='${order.id}'`, [checkoutId]);

    expect((await admin.confirmPayment(order.id, 1300)).status).toBe(200);

    const described = await waitFor(
      async () => {
        const d = await handle.describe();
        return d.typedSearchAttributes.get(OrderStatusKey) === 'pending_shipment' ? d : null;
      },
      { what: 'OrderStatus pending_shipment on the checkout workflow' },
    );
    expect(described.typedSearchAttributes.get(TenantIdKey)).toBe(tenant.tenant_id);
    expect(described.typedSearchAttributes.get(PaymentMethodKey)).toBe('bank_transfer');
    const hits = await findsAll(`OrderStatus='pending_shipment' AND OrderId='${order.id}'`, [checkoutId]);
    expect(hits[checkoutId]).toBe('checkoutV2');
    await waitFor(async () => !(checkoutId in (await found(stack.temporal, `OrderStatus='pending_payment' AND OrderId='${order.id}'`))), {
      what: 'the checkout workflow to leave pending_payment in visibility',
    });
  });
});
