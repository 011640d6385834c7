// Notification provider interface; e-mail transports plug in behind it.
import type { Notification } from '../../domain/notification.ts';

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
