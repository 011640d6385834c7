// TEMPORAL_PAYLOAD_KEY and its retired predecessors → the keys of the payload codec.
import { createHash } from 'node:crypto';
import type { PayloadKeys } from './encryption-codec.ts';

// Development only: without TEMPORAL_PAYLOAD_KEY payloads are still encrypted, but under a key anyone can read here.
const DEVELOPMENT_KEY = createHash('sha256').update('temporal-commerce-development-payload-key').digest();
const DEVELOPMENT_KEY_ID = 'development';

let warned = false;

/** A 32-byte key from 64 hex digits or base64 (`openssl rand -base64 32`); throws a message naming the accepted forms. */
export function parsePayloadKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new Error('must be 32 bytes: 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

/** The id a key gets when none is named: a short fingerprint, so a new key never reuses an old key's id. */
function defaultKeyId(key: Buffer): string {
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Parses TEMPORAL_PAYLOAD_OLD_KEYS: comma-separated `id:key` (or a bare key, whose id is its fingerprint). */
export function parseOldKeys(text: string): { id: string; key: Buffer }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const key = parsePayloadKey(colon >= 0 ? entry.slice(colon + 1) : entry);
      return { id: colon >= 0 ? entry.slice(0, colon).trim() : defaultKeyId(key), key };
    });
}

/** The config entries the codec keys come from (spelled out rather than picked from Config: config/ imports this file's parsers). */
export type PayloadKeyConfig = { TEMPORAL_PAYLOAD_KEY?: string; TEMPORAL_PAYLOAD_KEY_ID?: string; TEMPORAL_PAYLOAD_OLD_KEYS?: string; NODE_ENV?: string };

/** The codec keys of a config; without TEMPORAL_PAYLOAD_KEY (never in production: config refuses) the development key, said once on stderr. */
export function payloadKeys(config: PayloadKeyConfig): PayloadKeys {
  let current: { id: string; key: Buffer };
  if (config.TEMPORAL_PAYLOAD_KEY) {
    const key = parsePayloadKey(config.TEMPORAL_PAYLOAD_KEY);
    current = { id: config.TEMPORAL_PAYLOAD_KEY_ID ?? defaultKeyId(key), key };
  } else {
    if (!warned) {
      warned = true;
      process.stderr.write('WARNING: TEMPORAL_PAYLOAD_KEY is not set: workflow payloads are encrypted under the public development key\n');
    }
    current = { id: DEVELOPMENT_KEY_ID, key: DEVELOPMENT_KEY };
  }
  const all = new Map<string, Buffer>();
  // Outside production, histories written under the development key stay readable after a real key is set.
  if (config.NODE_ENV !== 'production') all.set(DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY);
  for (const old of parseOldKeys(config.TEMPORAL_PAYLOAD_OLD_KEYS ?? '')) all.set(old.id, old.key);
  all.set(current.id, current.key);
  return { current, all };
}
