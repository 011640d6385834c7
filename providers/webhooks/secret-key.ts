// The key that encrypts webhook signing secrets at rest.
import type { Config } from '../../config/config.ts';

// Development only: without WEBHOOK_SECRET_KEY secrets are still encrypted, but under a key anyone can read here.
const DEVELOPMENT_KEY = 'temporal-commerce-development-webhook-key';

/** WEBHOOK_SECRET_KEY, or the development key when it is unset. */
export function webhookSecretKey(config: Pick<Config, 'WEBHOOK_SECRET_KEY'> | undefined): string {
  return config?.WEBHOOK_SECRET_KEY ?? DEVELOPMENT_KEY;
}
