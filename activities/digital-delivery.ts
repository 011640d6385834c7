// The digital-delivery step of fulfillment: issues an order's download links once it is paid.
import type { DatabasePool } from 'slonik';
import { issueOrderDeliveries } from '../db/queries/digital-fulfillment.ts';
import { asActivity } from './errors.ts';
import type { DigitalDeliveryActivities, DigitalDeliveryOutcome } from '../contracts/activities.ts';

/** Builds the digital-delivery activity. */
export function createDigitalDeliveryActivities({ pool }: { pool: DatabasePool }) {
  return {
    /**
     * Issues one counted, expiring link per digital line (ids derived from the lines: a retry issues nothing new), and
     * with them the e-mail that carries them (an outbox event: the links never travel through workflow history). An
     * order with nothing to ship completes here.
     */
    async deliverDigitalGoods(input: { tenantId: string; orderId: string }): Promise<DigitalDeliveryOutcome> {
      return asActivity(async () => {
        const outcome = await issueOrderDeliveries(pool, input.tenantId, input.orderId);
        return { issued: outcome.issued, deliveries: outcome.deliveries, orderStatus: outcome.orderStatus, vendorItems: outcome.vendorItems };
      });
    },
  } satisfies DigitalDeliveryActivities;
}
