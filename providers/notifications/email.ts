// E-mail notifications through nodemailer: SMTP when EMAIL_TRANSPORT is a URL, else a JSON transport whose messages
// go to the log. Tests pass a recording transport and assert on what it received.
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../../config/config.ts';
import type { Notification } from '../../domain/notification.ts';
import type { Notifier } from './notifier.ts';
import { renderNotification } from './templates.ts';

type Transport = Parameters<typeof nodemailer.createTransport>[0];

/** Sends rendered notifications as e-mail. `to: 'operations'` goes to OPERATIONS_EMAIL. */
export class EmailNotifier implements Notifier {
  private readonly transporter: ReturnType<typeof nodemailer.createTransport>;
  private readonly from: string;
  private readonly operations: string;
  private readonly onSent?: (info: { messageId: string; message?: unknown }, n: Notification) => void;
  constructor(opts: {
    transport: Transport;
    from: string;
    operations: string;
    onSent?: (info: { messageId: string; message?: unknown }, n: Notification) => void;
  }) {
    this.transporter = nodemailer.createTransport(opts.transport);
    this.from = opts.from;
    this.operations = opts.operations;
    this.onSent = opts.onSent;
  }

  async send(n: Notification): Promise<void> {
    const { subject, text } = renderNotification(n);
    // The same notification always carries the same Message-ID, so a repeated send (at-least-once) can be deduped.
    const key = createHash('sha256')
      .update(JSON.stringify([n.tenantId, n.template, n.to, n.data]))
      .digest('hex')
      .slice(0, 32);
    const info = await this.transporter.sendMail({
      from: this.from,
      to: n.to === 'operations' ? this.operations : n.to,
      subject,
      text,
      messageId: `<${key}@notifications.temporal-commerce>`,
      headers: { 'X-Notification-Template': n.template, 'X-Tenant-Id': n.tenantId },
    });
    this.onSent?.(info as { messageId: string; message?: unknown }, n);
  }
}

/** Where notices are logged: a line per e-mail at info, the rendered body only at debug (bodies carry links and tokens). */
export type NoticeLog = { info(obj: object, msg: string): void; debug(obj: object, msg: string): void };

/** The configured notifier: SMTP for an smtp(s):// EMAIL_TRANSPORT, else rendered JSON messages in the log (bodies at debug). */
export function createNotifier(config: Pick<Config, 'EMAIL_TRANSPORT' | 'EMAIL_FROM' | 'OPERATIONS_EMAIL'>, log: NoticeLog): Notifier {
  const smtp = config.EMAIL_TRANSPORT !== 'log';
  return new EmailNotifier({
    transport: smtp ? config.EMAIL_TRANSPORT : { jsonTransport: true },
    from: config.EMAIL_FROM,
    operations: config.OPERATIONS_EMAIL,
    onSent: (info, n) => {
      log.info({ messageId: info.messageId, template: n.template }, `notification ${n.template} to ${n.to}`);
      if (!smtp) log.debug({ email: JSON.parse(String(info.message)) }, `notification ${n.template} body`);
    },
  });
}
