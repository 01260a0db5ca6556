import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecret, previousSecrets } from './secret.js';

const dirs: string[] = [];
const dataDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'parley-secret-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const a = 'a'.repeat(32);
const b = 'b'.repeat(40);

describe('token secrets', () => {
  it('reads the secrets being rotated out from PARLEY_SECRET_PREVIOUS, whichever way the current one is found', () => {
    expect(previousSecrets({})).toEqual([]);
    expect(previousSecrets({ PARLEY_SECRET_PREVIOUS: ` ${a} ,${b},, ` })).toEqual([a, b]);
    expect(loadSecret(dataDir(), { PARLEY_SECRET: 'c'.repeat(32), PARLEY_SECRET_PREVIOUS: a })).toMatchObject({ source: 'env', previous: [a] });
    const dir = dataDir();
    writeFileSync(join(dir, 'secret'), 'd'.repeat(48) + '\n');
    expect(loadSecret(dir, { PARLEY_SECRET_PREVIOUS: b })).toMatchObject({ source: 'file', secret: 'd'.repeat(48), previous: [b] });
  });

  it('refuses a short previous secret by its place in the list, without echoing it', () => {
    const attempt = (): unknown => loadSecret(dataDir(), { PARLEY_SECRET: b, PARLEY_SECRET_PREVIOUS: `${a},hunter2` });
    expect(attempt).toThrow('PARLEY_SECRET_PREVIOUS: secret 2 of 2 has fewer than 32 characters');
  });
});
