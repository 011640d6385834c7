// The key that encrypts webhook signing secrets at rest.
import type { Config } from '../../config/config.ts';

// Development only: without WEBHOOK_SECRET_KEY secrets are still encrypted, but under a key anyone can read here.
const DEVELOPMENT_KEY = 'temporal-commerce-development-webhook-key';

let warned = false;

/** WEBHOOK_SECRET_KEY, or the development key when it is unset (said once on stderr, so nobody runs production on it unknowingly). */
export function webhookSecretKey(config: Pick<Config, 'WEBHOOK_SECRET_KEY'> | undefined): string {
  if (config?.WEBHOOK_SECRET_KEY) return config.WEBHOOK_SECRET_KEY;
  if (!warned && process.env.NODE_ENV === 'production') {
    warned = true;
    process.stderr.write('WARNING: WEBHOOK_SECRET_KEY is not set: webhook secrets are encrypted under the public development key\n');
  }
  return DEVELOPMENT_KEY;
}
