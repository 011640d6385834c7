// Ship and deliver, sent to the workflow that follows each shipment: its own `shipment` workflow, or the order's fulfillment.
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { shipmentFollowerId } from '../domain/ids.ts';
import type { ShipmentFollower } from '../domain/order.ts';
import { deliverUpdate, shipUpdate, type ShipmentChange } from '../contracts/definitions.ts';
import type { DeliverArgs, ShipArgs } from '../contracts/workflows.ts';
import type { Logger } from '../config/logger.ts';

/** A shipment as far as addressing its workflow goes (a shipment row, or an order's shipment). */
export type FollowedShipment = { id: string; order_id: string; followed_by: ShipmentFollower };

/** What the shipment operations borrow from the process layer: its bounded wait and its error mapping. */
type Deps = {
  client: Client;
  logger: Logger;
  backOffice: <T>(what: string, call: () => Promise<T>) => Promise<T>;
  rethrow: (err: unknown, workflow: string) => never;
};

// A shipment row is committed a moment before its own workflow starts: a quick back office may race it.
async function untilStarted<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

/** The ship and deliver updates, addressed by the shipment row's `followed_by`. */
export function createShipmentProcesses({ client, logger, backOffice, rethrow }: Deps) {
  const send = async (
    what: 'ship' | 'deliver',
    tenantId: string,
    shipment: FollowedShipment,
    update: (handle: WorkflowHandle) => Promise<ShipmentChange>,
  ): Promise<ShipmentChange> => {
    try {
      return await backOffice('the shipment', () => untilStarted(() => update(client.workflow.getHandle(shipmentFollowerId(tenantId, shipment)))));
    } catch (err) {
      logger.debug({ err, orderId: shipment.order_id, shipmentId: shipment.id }, `${what} update failed`);
      return rethrow(err, shipment.followed_by);
    }
  };
  return {
    /** Sends ship to the workflow that follows the shipment. */
    ship: (tenantId: string, shipment: FollowedShipment, args: ShipArgs) =>
      send('ship', tenantId, shipment, (handle) => handle.executeUpdate(shipUpdate, { args: [args] })),
    /** Sends deliver to the workflow that follows the shipment. */
    deliver: (tenantId: string, shipment: FollowedShipment, args: DeliverArgs) =>
      send('deliver', tenantId, shipment, (handle) => handle.executeUpdate(deliverUpdate, { args: [args] })),
  };
}
