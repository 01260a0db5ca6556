import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { loadVapidKeys, VAPID_FILE, VapidConfigError } from './vapid.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-vapid-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadVapidKeys', () => {
  it('generates a key pair once into the data folder (mode 0600) and reads the same pair on the next start', () => {
    const dir = freshDir();
    const first = loadVapidKeys(dir, {});
    expect(first.source).toBe('generated');
    // An uncompressed P-256 point: what PushManager.subscribe's applicationServerKey needs.
    expect(Buffer.from(first.keys.publicKey, 'base64url')).toHaveLength(65);
    expect(statSync(join(dir, VAPID_FILE)).mode & 0o777).toBe(0o600);
    const second = loadVapidKeys(dir, {});
    expect(second).toEqual({ keys: first.keys, source: 'file' });
  });

  it('takes the pair and subject from the environment, so several relays can share one', () => {
    const pair = webpush.generateVAPIDKeys();
    const { keys, source } = loadVapidKeys(freshDir(), {
      PARLEY_VAPID_PUBLIC_KEY: pair.publicKey,
      PARLEY_VAPID_PRIVATE_KEY: pair.privateKey,
      PARLEY_VAPID_SUBJECT: 'mailto:ops@shop.example',
    });
    expect(source).toBe('env');
    expect(keys).toEqual({ ...pair, subject: 'mailto:ops@shop.example' });
  });

  it.each([
    ['only half of the pair', { PARLEY_VAPID_PUBLIC_KEY: webpush.generateVAPIDKeys().publicKey }, /both/],
    ['a key that is not a P-256 key', { PARLEY_VAPID_PUBLIC_KEY: 'abc', PARLEY_VAPID_PRIVATE_KEY: 'def' }, /not usable/],
    ['a subject that is neither mailto: nor https:', { PARLEY_VAPID_SUBJECT: 'http://shop.example' }, /mailto: or https/],
  ])('refuses to start with %s', (_what, env, message) => {
    expect(() => loadVapidKeys(freshDir(), env)).toThrow(VapidConfigError);
    expect(() => loadVapidKeys(freshDir(), env)).toThrow(message);
  });

  it('names the damaged file instead of silently replacing the pair subscriptions depend on', () => {
    const dir = freshDir();
    writeFileSync(join(dir, VAPID_FILE), '{not json');
    expect(() => loadVapidKeys(dir, {})).toThrow(/vapid\.json is not JSON/);
    expect(readFileSync(join(dir, VAPID_FILE), 'utf8')).toBe('{not json');
  });
});
