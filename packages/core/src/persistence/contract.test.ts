/**
 * The ReplicaStore contract: every implementation runs the same cases (contract-suite.ts, which
 * test/persistence/ also runs against Chromium's real IndexedDB). A `medium` outlives store
 * instances (a directory, an IndexedDB factory), so "reopen" means a restart of the device.
 */
import 'fake-indexeddb/auto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replicaStoreContract, type Medium } from './contract-suite.js';
import { createFileStore } from './file-store.js';
import { createIndexedDbStore } from './indexeddb-store.js';
import { createMemoryStore } from './memory-store.js';
import type { ReplicaStore } from './types.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

let idbRun = 0;
const media: Array<[string, () => Promise<Medium>]> = [
  [
    'memory',
    async () => {
      const store = createMemoryStore();
      return { open: () => store };
    },
  ],
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'parley-replica-'));
      dirs.push(dir);
      return { open: () => createFileStore({ dir }) };
    },
  ],
  [
    'indexeddb (fake-indexeddb; real Chromium in test/persistence/)',
    async () => {
      const prefix = `contract-${idbRun++}:`;
      return { open: () => createIndexedDbStore({ prefix }) };
    },
  ],
];

describe.each(media)('ReplicaStore contract: %s', (_kind, makeMedium) => {
  it.each(replicaStoreContract.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.run(makeMedium);
  });
});

/** A store that forgets acknowledgements on restart: what the cases must notice. */
function forgetfulAcks(): Medium {
  const inner = createMemoryStore();
  return {
    open(): ReplicaStore {
      return { ...inner, load: async (name) => ({ ...(await inner.load(name)), acked: null }) };
    },
  };
}

describe('the contract catches broken stores', () => {
  it('fails a store that loses the acked vector', async () => {
    const c = replicaStoreContract.find((x) => x.name.startsWith('keeps appended updates'))!;
    await expect(c.run(async () => forgetfulAcks())).rejects.toMatchObject({ name: 'ContractViolation', message: expect.stringContaining('acked') });
  });
});
