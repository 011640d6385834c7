// Notification provider interface; e-mail transports plug in behind it.

/** A message to a customer or to the back office. */
export type Notification = { tenantId: string; to: string; template: 'order_placed' | 'payment_reminder' | 'order_cancelled' | 'order_shipped' | 'order_completed' | 'shipment_late' | 'subscription_payment_failed' | 'subscription_cancelled'
    | 'payment_refunded' | 'subscription_renewed'; data: Record<string, unknown> };

/** Sends notifications. Implementations must tolerate the same message sent twice (at-least-once). */
export interface Notifier {
  send(message: Notification): Promise<void>;
}

/** Writes notifications to the structured log (development default). */
export class LogNotifier implements Notifier {
  private readonly log: (obj: object, msg: string) => void;
  constructor(log: (obj: object, msg: string) => void) {
    this.log = log;
  }
  async send(message: Notification): Promise<void> {
    this.log({ notification: message }, `notification ${message.template} to ${message.to}`);
  }
}

/** Keeps every notification in memory so tests can assert on what customers would receive. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async send(message: Notification): Promise<void> {
    this.sent.push(message);
  }
}
