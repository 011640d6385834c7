// Password hashing: scrypt from node:crypto with a per-user salt; the cost parameters are stored with each hash.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// N = 2^14, r = 8, p = 1: about 80 ms per hash on the development machine (measured with scryptSync), slow enough
// to make guessing expensive, fast enough for a sign-in. Raise LOG_N later: old hashes keep their own parameters.
const LOG_N = 14;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const options = (logN: number, r: number, p: number): ScryptOptions => ({ N: 2 ** logN, r, p, maxmem: 256 * 1024 * 1024 });

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url) of a password with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, options(LOG_N, R, P));
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Counts of verifications, by path: the test of "same work for an unknown e-mail" reads `dummy`. */
export const passwordVerifications = { real: 0, dummy: 0 };

/** Whether `password` matches `stored`; false for a malformed hash. */
async function verify(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, options(Number(logN), Number(r), Number(p)));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a sign-in. `stored` is null for an unknown e-mail: the password is then verified against a dummy hash of the
 * same cost, so the answer takes as long as for a wrong password and an e-mail's existence does not show in timing.
 */
export async function checkPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    passwordVerifications.dummy += 1;
    await verify(password, await dummyHash);
    return false;
  }
  passwordVerifications.real += 1;
  return verify(password, stored);
}
