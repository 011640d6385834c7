// Random credentials. Uses Node's crypto, so only API/CLI code imports this (never workflows).
import { createHash, randomBytes } from 'node:crypto';

/** A new random secret with a readable prefix, e.g. `pk_…`, `sk_…`. */
export function newSecret(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 of a secret; API keys are stored only as this hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
