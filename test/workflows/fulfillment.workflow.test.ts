// Fulfillment and shipment orchestration with stand-in activities: partial shipment across vendors, the ship SLA.
import { randomUUID } from 'node:crypto';
import { fulfillment } from '../../workflows/fulfillment.ts';
import { deliverUpdate, shipmentsQuery, shipUpdate } from '../../contracts/definitions.ts';
import { fulfillmentWorkflowId, shipmentWorkflowId } from '../../domain/ids.ts';
import type { FulfillmentInput, TrackedShipment } from '../../contracts/workflows.ts';
import type { Notification } from '../../domain/notification.ts';
import { buildActivities, createWorkflowEnv, eventually, type WorkflowEnv } from '../helpers/workflow-env.ts';

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

const fulfillmentInput = (overrides: Partial<FulfillmentInput> = {}): FulfillmentInput => ({
  tenantId: `ten_${randomUUID().slice(0, 8)}`,
  orderId: `ord_${randomUUID().slice(0, 8)}`,
  paymentMethod: 'bank_transfer',
  email: 'buyer@example.com',
  shipSlaMs: 60_000,
  ...overrides,
});

const pending = (id: string, vendorId: string | null): TrackedShipment => ({ id, vendorId, status: 'pending', codAmount: null });

async function startFulfillment(input: FulfillmentInput, shipmentIds: string[]) {
  const handle = await env.client.workflow.start(fulfillment, {
    taskQueue: env.taskQueue,
    workflowId: fulfillmentWorkflowId(input.tenantId, input.orderId),
    args: [input],
  });
  const shipments = shipmentIds.map((id) => env.client.workflow.getHandle(shipmentWorkflowId(input.tenantId, id)));
  // The shipment children exist once the fulfillment started them.
  await eventually(() =>
    Promise.all(shipments.map((s) => s.describe())).then(
      () => true,
      () => false,
    ),
  );
  return { handle, shipments };
}

const ship = (id: string) => ({
  args: [{ shipmentId: id, carrier: 'DHL', trackingNumber: `T-${id}` }] as [{ shipmentId: string; carrier: string; trackingNumber: string }],
});
const deliver = (id: string) => ({ args: [{ shipmentId: id }] as [{ shipmentId: string }] });

describe('fulfillment workflow with stand-in activities', () => {
  test('when one of two vendors ships, then the order is partially_shipped, then shipped, and completed once both delivered (card captured once, payouts recorded)', async () => {
    const acts = buildActivities({
      async createShipments() {
        return [pending('shp_a', 'ven_a'), pending('shp_b', 'ven_b')];
      },
    });
    env.use(acts);
    const input = fulfillmentInput({ paymentMethod: 'card' });
    const {
      handle,
      shipments: [a, b],
    } = await startFulfillment(input, ['shp_a', 'shp_b']);

    expect((await a.executeUpdate(shipUpdate, ship('shp_a'))).orderStatus).toBe('partially_shipped');
    await eventually(async () => (await handle.query(shipmentsQuery)).orderStatus === 'partially_shipped');
    await eventually(() => acts.names().includes('captureCardPayment'));
    expect((await b.executeUpdate(shipUpdate, ship('shp_b'))).orderStatus).toBe('shipped');
    await eventually(async () => (await handle.query(shipmentsQuery)).orderStatus === 'shipped');
    await a.executeUpdate(deliverUpdate, deliver('shp_a'));
    await b.executeUpdate(deliverUpdate, deliver('shp_b'));

    expect(await handle.result()).toBe('completed');
    expect(acts.inputsOf('captureCardPayment')).toEqual([{ tenantId: input.tenantId, orderId: input.orderId }]);
    expect(acts.inputsOf('createPayouts')).toEqual([{ tenantId: input.tenantId, orderId: input.orderId }]);
    const notices = acts.inputsOf<Notification>('notifyCustomer').map((n) => n.template);
    expect(notices.sort()).toEqual(['order_completed', 'order_shipped', 'order_shipped']);
  });

  test('when a shipment has not shipped within its SLA, then operations get a shipment_late notice and the order still completes', async () => {
    const acts = buildActivities();
    env.use(acts);
    const input = fulfillmentInput({ shipSlaMs: 50 });
    const {
      handle,
      shipments: [main],
    } = await startFulfillment(input, ['shp_main']);
    await eventually(() => acts.inputsOf<Notification>('notifyCustomer').some((n) => n.template === 'shipment_late'));
    await main.executeUpdate(shipUpdate, ship('shp_main'));
    await main.executeUpdate(deliverUpdate, deliver('shp_main'));

    expect(await handle.result()).toBe('completed');
    const late = acts.inputsOf<Notification>('notifyCustomer').find((n) => n.template === 'shipment_late');
    expect(late).toMatchObject({ to: 'operations', data: { order_id: input.orderId, shipment_id: 'shp_main', sla_ms: 50 } });
    // A single-brand order has no vendor: no payout lines.
    expect(acts.names()).not.toContain('createPayouts');
    expect(acts.names()).not.toContain('captureCardPayment');
  });

  test('when an order has only digital lines, then fulfillment issues its links, captures the card and completes without a shipment', async () => {
    const acts = buildActivities({
      async createShipments() {
        return [];
      },
      async deliverDigitalGoods() {
        return { issued: 1, deliveries: 1, orderStatus: 'completed' as const, vendorItems: false };
      },
    });
    env.use(acts);
    const input = fulfillmentInput({ paymentMethod: 'card', digitalLines: 1 });
    const handle = await env.client.workflow.start(fulfillment, {
      taskQueue: env.taskQueue,
      workflowId: fulfillmentWorkflowId(input.tenantId, input.orderId),
      args: [input],
    });

    expect(await handle.result()).toBe('completed');
    expect(acts.inputsOf('deliverDigitalGoods')).toEqual([{ tenantId: input.tenantId, orderId: input.orderId }]);
    expect(acts.inputsOf('captureCardPayment')).toEqual([{ tenantId: input.tenantId, orderId: input.orderId }]);
    expect(acts.inputsOf<Notification>('notifyCustomer').map((n) => n.template)).toEqual(['order_completed']);
    expect(acts.names()).not.toContain('createPayouts');
  });

  test('when the order has no digital line, then the digital step never runs and the card waits for the parcel', async () => {
    const acts = buildActivities();
    env.use(acts);
    const input = fulfillmentInput({ paymentMethod: 'card', digitalLines: 0 });
    const {
      handle,
      shipments: [main],
    } = await startFulfillment(input, ['shp_main']);
    expect(acts.names()).not.toContain('captureCardPayment');
    await main.executeUpdate(shipUpdate, ship('shp_main'));
    await main.executeUpdate(deliverUpdate, deliver('shp_main'));
    expect(await handle.result()).toBe('completed');
    expect(acts.names()).not.toContain('deliverDigitalGoods');
    expect(acts.inputsOf('captureCardPayment')).toHaveLength(1);
  });

  test('when the shipment ships within its SLA, then no shipment_late notice is sent', async () => {
    const acts = buildActivities();
    env.use(acts);
    const input = fulfillmentInput({ shipSlaMs: 300 });
    const {
      handle,
      shipments: [main],
    } = await startFulfillment(input, ['shp_main']);
    await main.executeUpdate(shipUpdate, ship('shp_main'));
    await new Promise((r) => setTimeout(r, 350)); // past the SLA, already shipped
    await main.executeUpdate(deliverUpdate, deliver('shp_main'));

    expect(await handle.result()).toBe('completed');
    expect(acts.inputsOf<Notification>('notifyCustomer').map((n) => n.template)).toEqual(['order_shipped', 'order_completed']);
  });
});
