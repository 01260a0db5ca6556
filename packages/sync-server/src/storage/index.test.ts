/** The factories pick the implementation the configuration names, and it really stores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openFanOut } from '../fanout/index.js';
import { describeStore, openStore } from './index.js';

it.each(['worker', 'main'] as const)('opens SQLite (%s thread) in the data folder and reopens what it wrote', async (thread) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-open-'));
  try {
    const store = await openStore({ dataDir, thread });
    await store.append('ws/a/settings', new Uint8Array([0, 0]));
    await store.close();
    const again = await openStore({ dataDir, thread });
    expect((await again.list('ws/')).map((s) => s.name)).toEqual(['ws/a/settings']);
    await again.close();
    expect(describeStore({ dataDir })).toBe(`sqlite ${dataDir}/parley.sqlite`);
    expect(describeStore({ postgresUrl: 'postgres://u:secret@h/db' })).toBe('postgres postgres://u:***@h/db');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('gives a lone fan-out node without Redis: publishing reaches nobody and does not fail', async () => {
  const fanOut = await openFanOut({});
  const heard: Uint8Array[] = [];
  await fanOut.subscribe('doc', (m) => heard.push(m));
  await fanOut.publish('doc', new Uint8Array([1]));
  await Promise.resolve();
  expect(heard).toEqual([]);
  await fanOut.close();
});
