// Notification provider interface; e-mail transports plug in behind it.
import type { Notification } from '../../domain/notification.ts';

/** Sends notifications. Implementations must tolerate the same message sent twice (at-least-once). */
export interface Notifier {
  send(message: Notification): Promise<void>;
}
