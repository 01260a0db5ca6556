/**
 * The relay's VAPID identity (RFC 8292): one P-256 key pair that signs every push request, and whose
 * public half browsers bind each push subscription to. It must stay the same for as long as
 * subscriptions made with it should work, so it is generated once into the data folder (like the
 * token secret) unless the environment gives it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';

export interface VapidKeys {
  /** uncompressed P-256 point, base64url: what `PushManager.subscribe({applicationServerKey})` takes */
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact push services may use to reach the operator */
  subject: string;
}

export type VapidSource = 'env' | 'file' | 'generated';

export const VAPID_FILE = 'vapid.json';
/** Push services want a way to reach the operator; this placeholder works but should be replaced. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:push@parley.invalid';

export class VapidConfigError extends Error {
  override readonly name = 'VapidConfigError';
  readonly code = 'vapid_config';
}

/**
 * PARLEY_VAPID_PUBLIC_KEY + PARLEY_VAPID_PRIVATE_KEY win (several relays must share one pair, or a
 * subscription made through one relay is refused when another pushes); otherwise `<data>/vapid.json`,
 * created on first use with mode 0600. PARLEY_VAPID_SUBJECT overrides the subject either way.
 */
export function loadVapidKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): { keys: VapidKeys; source: VapidSource } {
  const subjectOverride = env.PARLEY_VAPID_SUBJECT;
  if (subjectOverride !== undefined) checkSubject(subjectOverride);
  const { PARLEY_VAPID_PUBLIC_KEY: publicKey, PARLEY_VAPID_PRIVATE_KEY: privateKey } = env;
  if (publicKey || privateKey) {
    if (!publicKey || !privateKey) throw new VapidConfigError('set both PARLEY_VAPID_PUBLIC_KEY and PARLEY_VAPID_PRIVATE_KEY, or neither');
    const keys = { publicKey, privateKey, subject: subjectOverride ?? DEFAULT_VAPID_SUBJECT };
    checkKeys(keys, 'PARLEY_VAPID_*');
    return { keys, source: 'env' };
  }
  const file = join(dataDir, VAPID_FILE);
  if (existsSync(file)) {
    const keys = parseFile(readFileSync(file, 'utf8'), file);
    return { keys: subjectOverride ? { ...keys, subject: subjectOverride } : keys, source: 'file' };
  }
  const generated = webpush.generateVAPIDKeys();
  const keys: VapidKeys = { ...generated, subject: subjectOverride ?? DEFAULT_VAPID_SUBJECT };
  mkdirSync(dataDir, { recursive: true });
  // 'wx': two relays starting on one folder must not overwrite each other's fresh pair.
  try {
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { keys: parseFile(readFileSync(file, 'utf8'), file), source: 'file' };
  }
  return { keys, source: 'generated' };
}

function parseFile(text: string, file: string): VapidKeys {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new VapidConfigError(`${file} is not JSON; delete it to generate a new key pair (existing push subscriptions then stop working)`);
  }
  const { publicKey, privateKey, subject } = (value ?? {}) as Record<string, unknown>;
  if (typeof publicKey !== 'string' || typeof privateKey !== 'string') throw new VapidConfigError(`${file} lacks publicKey or privateKey`);
  const keys = { publicKey, privateKey, subject: typeof subject === 'string' ? subject : DEFAULT_VAPID_SUBJECT };
  checkKeys(keys, file);
  return keys;
}

/** web-push validates lazily (on the first send); a bad key should stop the relay at start instead. */
function checkKeys(keys: VapidKeys, from: string): void {
  try {
    webpush.getVapidHeaders('https://push.example', keys.subject, keys.publicKey, keys.privateKey, 'aes128gcm');
  } catch (err) {
    throw new VapidConfigError(`VAPID keys from ${from} are not usable: ${(err as Error).message}`);
  }
}

function checkSubject(subject: string): void {
  if (!/^(mailto:|https:\/\/)\S+$/.test(subject)) throw new VapidConfigError('PARLEY_VAPID_SUBJECT must be a mailto: or https:// URL');
}
