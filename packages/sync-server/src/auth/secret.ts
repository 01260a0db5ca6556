/**
 * The token-signing secret. PARLEY_SECRET wins; otherwise `<data>/secret`, generated on first use
 * (readable by the owner only), so `parley serve` and `parley token` on the same data folder agree
 * without any configuration.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_SECRET_LENGTH = 32;

export interface LoadedSecret {
  secret: string;
  source: 'env' | 'file' | 'generated';
  /** the file, when the secret lives in one */
  file?: string;
}

export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): LoadedSecret {
  const fromEnv = env.PARLEY_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH) throw new Error(`PARLEY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    return { secret: fromEnv, source: 'env' };
  }
  const file = join(dataDir, 'secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`${file} holds fewer than ${MIN_SECRET_LENGTH} characters; delete it to generate a new secret`);
    return { secret, source: 'file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx': two processes starting at once must not each write their own secret.
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecret(dataDir, env);
    throw err;
  }
  return { secret, source: 'generated', file };
}
