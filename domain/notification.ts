// The message a customer or the back office is sent: what workflows ask for and notification providers deliver.

/** A message to a customer or to the back office. */
export type Notification = {
  tenantId: string;
  to: string;
  template:
    | 'order_placed'
    | 'payment_reminder'
    | 'order_cancelled'
    | 'order_shipped'
    | 'order_completed'
    | 'shipment_late'
    | 'subscription_payment_failed'
    | 'subscription_cancelled'
    | 'payment_refunded'
    | 'subscription_renewed'
    | 'customer_welcome'
    | 'password_reset'
    | 'group_buy_succeeded'
    | 'group_buy_failed'
    | 'digital_downloads';
  data: Record<string, unknown>;
};
