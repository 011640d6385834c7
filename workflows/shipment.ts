// Shipment: one vendor's part of a mall order (or a parcel of an order fulfilled before shipments ran inside the
// fulfillment), from pending through shipped to delivered.
import { allHandlersFinished, CancellationScope, condition, getExternalWorkflowHandle, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { shipmentChangedSignal, statusQuery, type ShipmentChange } from '../contracts/definitions.ts';
import { createNotifications } from './support.ts';
import { shipmentProgress } from './shipment-progress.ts';
import type { ShipmentInput } from '../contracts/workflows.ts';

/**
 * One per shipment (`shipment:<tenant>:<shipment>`), a child of the order's fulfillment. Waits for the ship
 * and deliver updates (admin or the owning vendor), tells operations when the ship SLA passes, and reports
 * every change to its parent. A shipment created cancelled ends `cancelled` at once.
 */
export async function shipment(input: ShipmentInput): Promise<'delivered' | 'cancelled'> {
  const s = { ...input.shipment };
  // Runs after this patch end at once for a shipment created cancelled (its order was cancelled first).
  const endsWhenCancelled = patched('cancelled-shipment-ends');
  const notifications = createNotifications();
  const report = async (change: ShipmentChange) => {
    const parent = workflowInfo().parent;
    // The fulfillment's latest run, not the one that started this: a fulfillment reset in the UI follows this shipment
    // from a new run. Runs recorded before this patch signalled the starting run, and replay so.
    const latest = patched('signal-latest-fulfillment-run');
    const fulfillmentRun = latest ? undefined : parent?.runId;
    try {
      if (parent) await getExternalWorkflowHandle(parent.workflowId, fulfillmentRun).signal(shipmentChangedSignal, change);
    } catch (err) {
      // Runs recorded before the patch failed the update here, and replay so.
      if (!latest) throw err;
      // The change is committed; a fulfillment that has ended cannot hear it, and failing the update would only hide that.
      log.warn('the fulfillment of this shipment has ended; the change is recorded in the database only', { shipmentId: s.id, error: String(err) });
    }
  };

  setHandler(statusQuery, () => s.status);
  await shipmentProgress(input, s, report, notifications, { endsWhenCancelled }).follow();
  await CancellationScope.nonCancellable(async () => {
    await condition(allHandlersFinished);
    await notifications.flush();
  });
  return s.status === 'cancelled' ? 'cancelled' : 'delivered';
}
