// checkoutV2 with stand-in activities: the same business process as `checkout`, with no patch markers in its histories.
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { checkout } from '../../workflows/checkout.ts';
import { checkoutV2 } from '../../workflows/checkoutV2.ts';
import { deliverUpdate, placeOrderUpdate, shipUpdate } from '../../contracts/definitions.ts';
import { checkoutWorkflowId, fulfillmentWorkflowId } from '../../domain/ids.ts';
import type { Notification } from '../../domain/notification.ts';
import { buildActivities, buildCheckoutInput, createWorkflowEnv, shipmentsTracked, type WorkflowEnv } from '../helpers/workflow-env.ts';

const { EventType } = temporal.api.enums.v1;

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

/** What a run's history records that versioning costs: patch markers, and the search attributes of each upsert. */
async function versioningEvents(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    patchMarkers: events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .length,
    upserts: events.flatMap((e) =>
      e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
        ? [Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort()]
        : [],
    ),
  };
}

describe('checkoutV2 with stand-in activities', () => {
  test('when a card order is placed, shipped and delivered, then its checkout and fulfillmentV2 complete with no patch marker and one upsert at placement', async () => {
    const acts = buildActivities();
    env.use(acts);
    const args = buildCheckoutInput();
    const handle = await env.client.workflow.start(checkoutV2, {
      taskQueue: env.taskQueue,
      workflowId: checkoutWorkflowId(args.tenantId, args.cartId),
      args: [args],
    });
    const placed = await handle.executeUpdate(placeOrderUpdate);
    expect(placed).toMatchObject({ status: 'pending_payment', created: true });
    const fulfillment = env.client.workflow.getHandle(fulfillmentWorkflowId(args.tenantId, placed.orderId));
    await shipmentsTracked(fulfillment);
    await fulfillment.executeUpdate(shipUpdate, { args: [{ shipmentId: 'shp_main', carrier: 'DHL', trackingNumber: 'T1' }] });
    await fulfillment.executeUpdate(deliverUpdate, { args: [{ shipmentId: 'shp_main' }] });

    expect(await handle.result()).toBe('completed');
    expect((await fulfillment.describe()).type).toBe('fulfillmentV2');
    expect(acts.names()).toEqual(expect.arrayContaining(['placeOrder', 'authorizeCardPayment', 'createShipments', 'captureCardPayment']));
    expect(acts.inputsOf<Notification>('notifyCustomer').map((n) => n.template)).toEqual(['order_placed', 'order_shipped', 'order_completed']);
    const checkoutRun = await versioningEvents(handle);
    expect(checkoutRun.patchMarkers).toBe(0);
    // The order's id and its status in one upsert; then the card's authorization and the fulfillment's reports move the status.
    expect(checkoutRun.upserts[0]).toEqual(['OrderId', 'OrderStatus']);
    expect(checkoutRun.upserts.flat()).not.toContain('TemporalChangeVersion');
    const fulfillmentRun = await versioningEvents(fulfillment);
    expect(fulfillmentRun).toMatchObject({ patchMarkers: 0 });
    expect(fulfillmentRun.upserts.flat()).not.toContain('TemporalChangeVersion');
  });

  test('when a checkout of the older type runs for the cart, then a checkoutV2 Update-with-Start rejoins it and gets its order', async () => {
    env.use(buildActivities());
    const args = buildCheckoutInput({ paymentMethod: 'cod' });
    const workflowId = checkoutWorkflowId(args.tenantId, args.cartId);
    const older = await env.client.workflow.start(checkout, { taskQueue: env.taskQueue, workflowId, args: [args] });
    const first = await older.executeUpdate(placeOrderUpdate);

    const again = await env.client.workflow.executeUpdateWithStart(placeOrderUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(checkoutV2, {
        workflowId,
        taskQueue: env.taskQueue,
        args: [args],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });

    expect(again).toMatchObject({ orderId: first.orderId, created: false });
    expect((await older.describe()).type).toBe('checkout');
    // The older type's run still asks its patches: its history records them.
    expect((await versioningEvents(older)).patchMarkers).toBeGreaterThan(0);
    await older.terminate('test over');
    // Its fulfillment outlives it (ABANDON): end it too.
    await env.client.workflow.getHandle(fulfillmentWorkflowId(args.tenantId, first.orderId)).terminate('test over');
  });
});
