// Subscription lifecycle rules shared by the API, the queries and the billing workflow.

/** Statuses after which a subscription is never billed again: cancelled, or unpaid when dunning ran out. */
export const ENDED_SUBSCRIPTION_STATUSES: readonly string[] = ['cancelled', 'unpaid'];

/** True once a subscription has ended (nothing may retry, cancel or re-card it any more). */
export function isSubscriptionEnded(status: string): boolean {
  return ENDED_SUBSCRIPTION_STATUSES.includes(status);
}
