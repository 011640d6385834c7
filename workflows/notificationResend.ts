// A notification sent again by staff (`resend:<tenant>:<order>:<template>:<request>`), through the same notifier activity.
import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../contracts/activities.ts';
import type { NotificationResendInput } from '../contracts/workflows.ts';

// A time budget like eventNotice's: staff asked for this message, so an e-mail provider down for hours still gets it out.
const { notifyCustomer } = proxyActivities<Pick<OrderActivities, 'notifyCustomer'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Sends the rebuilt notification once (the workflow id is the request's, so a repeated request sends nothing more). */
export async function notificationResend(input: NotificationResendInput): Promise<void> {
  await notifyCustomer(input.notification);
}
