/**
 * The token-signing secret. PARLEY_SECRET wins; otherwise `<data>/secret`, generated on first use
 * (readable by the owner only), so `parley serve` and `parley token` on the same data folder agree
 * without any configuration.
 *
 * PARLEY_SECRET_PREVIOUS (comma-separated) lists secrets being rotated out: tokens they signed still
 * verify, nothing new is signed with them. Customers' tokens live 30 days and the widget refreshes
 * them before they expire, so a rotation that keeps the old secret here that long logs nobody out.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_SECRET_LENGTH = 32;

export interface LoadedSecret {
  secret: string;
  /** secrets being rotated out: verify only (PARLEY_SECRET_PREVIOUS) */
  previous: string[];
  source: 'env' | 'file' | 'generated';
  /** the file, when the secret lives in one */
  file?: string;
}

/** PARLEY_SECRET_PREVIOUS as a list; a short entry is a mistake worth stopping for, not a weak key to accept. */
export function previousSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.PARLEY_SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const [i, s] of list.entries()) {
    if (s.length < MIN_SECRET_LENGTH) throw new Error(`PARLEY_SECRET_PREVIOUS: secret ${i + 1} of ${list.length} has fewer than ${MIN_SECRET_LENGTH} characters`);
  }
  return list;
}

export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): LoadedSecret {
  const previous = previousSecrets(env);
  const fromEnv = env.PARLEY_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH) throw new Error(`PARLEY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    return { secret: fromEnv, previous, source: 'env' };
  }
  const file = join(dataDir, 'secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`${file} holds fewer than ${MIN_SECRET_LENGTH} characters; delete it to generate a new secret`);
    return { secret, previous, source: 'file', file };
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
  return { secret, previous, source: 'generated', file };
}
