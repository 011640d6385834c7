// Webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>`, sent as `Webhook-Signature: t=<unix s>,v1=<hex>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature. */
export const SIGNATURE_HEADER = 'webhook-signature';

/** The header value for a body signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receivers' check: the signature matches the raw body and is at most `toleranceS` old (replays are refused). */
export function verifyWebhook(secret: string, header: string | undefined, body: string, opts: { toleranceS?: number; nowMs?: number } = {}): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return false;
  if (Math.abs((opts.nowMs ?? Date.now()) / 1000 - timestamp) > (opts.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
