// Structured JSON logs (pino), with credentials redacted wherever a log object carries them.
import { pino, type DestinationStream, type Logger } from 'pino';

// Field names that hold credentials, at the top level and up to three objects deep (request headers, bodies, e-mails).
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-publishable-key',
  'x-order-token',
  'password',
  'current_password',
  'new_password',
  'token',
  'access_token',
  'api_key',
  'admin_api_key',
  'publishable_key',
  'payment_token',
  'secret',
  'secret_ciphertext',
  'codec_session',
  'password_hash',
  'token_hash',
];

/** The redacted paths: each secret field at depth 0-3 (pino's fast-redact has no recursive wildcard). */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => {
  // Names with a hyphen (headers) need fast-redact's bracket notation.
  const key = /^\w+$/.test(f) ? f : `["${f}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*'), join('*.*.*')];
});

/** Creates the process logger at the given level; tests pass a destination to read what was logged. */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  return pino(
    { level, name, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
