// The key that encrypts webhook signing secrets at rest.
import type { Config } from '../../config/config.ts';

// Development only: without WEBHOOK_SECRET_KEY secrets are still encrypted, but under a key anyone can read here.
const DEVELOPMENT_KEY = 'temporal-commerce-development-webhook-key';

/** WEBHOOK_SECRET_KEY, or the development key outside production (config refuses production without the variable). */
export function webhookSecretKey(config: Pick<Config, 'WEBHOOK_SECRET_KEY'> | undefined): string {
  if (config?.WEBHOOK_SECRET_KEY) return config.WEBHOOK_SECRET_KEY;
  if (process.env.NODE_ENV === 'production') throw new Error('WEBHOOK_SECRET_KEY is required when NODE_ENV=production');
  return DEVELOPMENT_KEY;
}
