// A nodemailer transport that keeps every message instead of sending it (tests assert on what customers receive).
import type { Notification } from '../../domain/notification.ts';

/** One message as the transport received it. */
export type RecordedMail = { from: string; to: string; subject: string; text: string; messageId: string; template: Notification['template'] };

type MailLike = {
  data: { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; headers?: Record<string, unknown> };
  message: { messageId(): string; getEnvelope(): unknown };
};

/** Pass as `transport` of EmailNotifier. */
export class RecordingTransport {
  readonly name = 'recording';
  readonly version = '1';
  readonly messages: RecordedMail[] = [];
  send(mail: MailLike, callback: (err: Error | null, info: { envelope: unknown; messageId: string }) => void): void {
    const d = mail.data;
    this.messages.push({
      from: String(d.from),
      to: String(d.to),
      subject: String(d.subject),
      text: String(d.text),
      messageId: mail.message.messageId(),
      template: String(d.headers?.['X-Notification-Template']) as Notification['template'],
    });
    callback(null, { envelope: mail.message.getEnvelope(), messageId: mail.message.messageId() });
  }
}
