import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createFileStore } from './file-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-file-store-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const DOC = 'ws/acme/customers/c1/conv/k1';
const logPath = (): string => join(dir, `${encodeURIComponent(DOC)}.log`);

function update(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray<string>('messages').push([text]);
  return Y.encodeStateAsUpdate(doc);
}

it('drops a torn record at the tail after a crash and keeps appending readably', async () => {
  const store = createFileStore({ dir });
  await store.append(DOC, update('kept'));
  await store.close();
  // a crash in the middle of a write: a header promising more bytes than made it to disk
  await appendFile(logPath(), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 0, 9, 9]));

  const after = createFileStore({ dir });
  const replica = await after.load(DOC);
  expect(replica.updates).toHaveLength(1);
  await after.append(DOC, update('after the crash'));
  await after.close();

  const doc = new Y.Doc();
  for (const u of (await createFileStore({ dir }).load(DOC)).updates) Y.applyUpdate(doc, u);
  expect(doc.getArray<string>('messages').toArray().sort()).toEqual(['after the crash', 'kept']);
});

it('reports an unwritable directory as a typed storage error', async () => {
  const store = createFileStore({ dir: join(dir, 'missing', '\0bad') });
  await expect(store.append(DOC, update('x'))).rejects.toMatchObject({ name: 'ParleyError', code: 'storage' });
});
