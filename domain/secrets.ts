// Random credentials. Uses Node's crypto, so only API/CLI code imports this (never workflows).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A new random secret with a readable prefix, e.g. `pk_…`, `sk_…`. */
export function newSecret(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 of a secret; API keys are stored only as this hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const boxKey = (keyMaterial: string) => createHash('sha256').update(`temporal-commerce/secret-box/v1:${keyMaterial}`).digest();

/** Encrypts a secret that must be read back later (webhook signing secrets) with AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`. */
export function encryptSecret(plain: string, keyMaterial: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(keyMaterial), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Decrypts `encryptSecret` output; throws when the key is wrong or the box was altered. */
export function decryptSecret(box: string, keyMaterial: string): string {
  const [version, iv, tag, data] = box.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a v1 secret box');
  const decipher = createDecipheriv('aes-256-gcm', boxKey(keyMaterial), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
