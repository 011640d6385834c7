// One customer notice for one outbox event (`notice:<event>`), started by the relay; retried a bounded number of times.
import { proxyActivities } from '@temporalio/workflow';
import type { EventNoticeActivities } from '../contracts/activities.ts';
import type { EventNoticeInput } from '../contracts/workflows.ts';

// A time budget, not an attempt count: an e-mail provider down for hours still gets the notice out afterwards.
const { sendEventNotice } = proxyActivities<EventNoticeActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Finds the customer the event is about and sends them its notice; returns the recipient (null: nobody to tell). */
export async function eventNotice(input: EventNoticeInput): Promise<string | null> {
  return sendEventNotice(input);
}
