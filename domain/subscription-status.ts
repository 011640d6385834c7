// The states of a subscription, shared by the database rows, the billing workflow and the API filters.

/** Every status a subscription can have. */
export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'cancelled', 'unpaid'] as const;
/** One of SUBSCRIPTION_STATUSES. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
