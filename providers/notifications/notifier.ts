// Notification provider interface; e-mail transports plug in behind it.

/** A message to a customer or to the back office. */
export type Notification = { tenantId: string; to: string; template: 'order_placed' | 'payment_reminder' | 'order_cancelled' | 'order_shipped' | 'order_completed' | 'shipment_late' | 'subscription_payment_failed' | 'subscription_cancelled'
    | 'payment_refunded' | 'subscription_renewed'; data: Record<string, unknown> };

/** Sends notifications. Implementations must tolerate the same message sent twice (at-least-once). */
export interface Notifier {
  send(message: Notification): Promise<void>;
}
