/**
 * Password hashing with scrypt (node:crypto), a per-user random salt and a timing-safe compare.
 * Parameters follow OWASP's scrypt guidance (N=2^15, r=8, p=1).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const OPTIONS: ScryptOptions = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, OPTIONS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<{ salt: Buffer; hash: Buffer }> {
  const salt = randomBytes(16);
  return { salt, hash: await scrypt(password, salt) };
}

export async function verifyPassword(password: string, salt: Buffer, hash: Buffer): Promise<boolean> {
  const candidate = await scrypt(password, salt);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}

/** A password for generated accounts: 18 random bytes, URL-safe, about 144 bits. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');
