// A notifier for tests: keeps every notification in memory.
import type { Notification } from '../../domain/notification.ts';
import type { Notifier } from '../../providers/notifications/notifier.ts';

/** Keeps every notification in memory so tests can assert on what customers would receive. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async send(message: Notification): Promise<void> {
    this.sent.push(message);
  }
}
