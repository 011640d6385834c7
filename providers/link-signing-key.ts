// The key that signs expiring links (export downloads, digital deliveries).
import type { Config } from '../config/config.ts';
import { webhookSecretKey } from './webhooks/secret-key.ts';

/** LINK_SIGNING_KEY, else derived from the webhook key (itself required in production), so production never signs with a public key. */
export function linkSigningKey(config: Pick<Config, 'LINK_SIGNING_KEY' | 'WEBHOOK_SECRET_KEY'> | undefined): string {
  if (config?.LINK_SIGNING_KEY) return config.LINK_SIGNING_KEY;
  return `derived-from-webhook-key:${webhookSecretKey(config)}`;
}
