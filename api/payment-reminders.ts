// When the customer of a bank-transfer order was reminded: the payment workflow's notifyCustomer activities (its only
// notification is the reminder), read from its history by event type and time, never from its encrypted payloads.
import type { Client } from '@temporalio/client';
import type { TimelineEntry } from '../contracts/order-timeline.ts';
import { paymentWorkflowId } from '../domain/ids.ts';

/** Timeline entries of the reminders sent for the order; none when it has no payment workflow or Temporal is slow (bounded by `ms`). */
export async function paymentReminders(client: Client, tenantId: string, orderId: string, ms: number): Promise<TimelineEntry[]> {
  try {
    const history = await client.withAbortSignal(AbortSignal.timeout(ms), () => client.workflow.getHandle(paymentWorkflowId(tenantId, orderId)).fetchHistory());
    const reminders = new Set<string>();
    const entries: TimelineEntry[] = [];
    for (const event of history.events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyCustomer') reminders.add(String(event.eventId));
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && reminders.has(String(completed.scheduledEventId)) && event.eventTime?.seconds != null) {
        const at = new Date(Number(event.eventTime.seconds) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6));
        entries.push({ at: at.toISOString(), event: 'reminded', actor: null, details: {} });
      }
    }
    return entries;
  } catch {
    // No payment workflow (not a transfer, or gone from Temporal) or no answer in time: the timeline shows what the database knows.
    return [];
  }
}
