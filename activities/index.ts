// All activities, built by one factory from their dependencies (samples-typescript style).
import type { DatabasePool } from 'slonik';
import type { Notifier } from '../providers/notifications/notifier.ts';
import type { PaymentProviders } from '../providers/payments/types.ts';
import { createHoldActivities } from './holds.ts';
import { createOrderActivities } from './orders.ts';
import { createPaymentActivities } from './payments.ts';
import { createFulfillmentActivities } from './fulfillment.ts';
import { createPayoutActivities } from './payouts.ts';
import { createRelayActivities, type RelayDeps } from './relay.ts';
import { createWebhookActivities } from './webhooks.ts';
import { createSearchActivities } from './search.ts';
import { createCardPaymentActivities } from './card-payments.ts';
import { createSubscriptionActivities } from './subscriptions.ts';
import { createEventNoticeActivities } from './event-notices.ts';
import { createRepairActivities } from './repair.ts';
import { createProcessActivities } from './processes.ts';
import { createBankStatementActivities } from './bank-statements.ts';
import { createGroupBuyActivities } from './group-buys.ts';
import { createImportActivities } from './imports.ts';
import { createDigitalDeliveryActivities } from './digital-delivery.ts';
import { allAsActivities } from './errors.ts';
import type { Activities } from '../contracts/activities.ts';

/** Dependencies of the activities. */
export type ActivityDeps = { pool: DatabasePool; notifier: Notifier; payments: PaymentProviders } & Omit<RelayDeps, 'pool'>;

/** Builds every activity the worker registers, each behind asActivity (no programming error is retried forever). */
export function createActivities(deps: ActivityDeps): Activities {
  return allAsActivities<Activities>({
    ...createHoldActivities(deps),
    ...createOrderActivities(deps),
    ...createPaymentActivities(deps),
    ...createFulfillmentActivities(deps),
    ...createPayoutActivities(deps),
    ...createRelayActivities(deps),
    ...createWebhookActivities(deps),
    ...createSearchActivities(deps),
    ...createCardPaymentActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createEventNoticeActivities(deps),
    ...createRepairActivities(deps),
    ...createProcessActivities(deps),
    ...createBankStatementActivities(deps),
    ...createGroupBuyActivities(deps),
    ...createImportActivities(deps),
    ...createDigitalDeliveryActivities(deps),
  });
}
