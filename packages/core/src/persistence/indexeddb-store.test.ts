import 'fake-indexeddb/auto';
import { afterEach, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createIndexedDbStore } from './indexeddb-store.js';

const DOC = 'ws/acme/customers/c1/conv/k1';
afterEach(() => vi.restoreAllMocks());

function update(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray<string>('messages').push([text]);
  return Y.encodeStateAsUpdate(doc);
}

it('surfaces a full disk as quota_exceeded instead of losing the update silently', async () => {
  const store = createIndexedDbStore({ prefix: 'quota:' });
  await store.append(DOC, update('fits'));
  // fault injection: the browser's answer when the origin's quota is used up
  vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
    throw new DOMException('quota', 'QuotaExceededError');
  });
  await expect(store.append(DOC, update('does not fit'))).rejects.toMatchObject({ name: 'ParleyError', code: 'quota_exceeded', status: 507 });
  vi.restoreAllMocks();
  expect((await store.load(DOC)).updates).toHaveLength(1);
});

it('clear deletes the database before it resolves', async () => {
  const store = createIndexedDbStore({ prefix: 'clear:' });
  await store.append(DOC, update('x'));
  await store.clear(DOC);
  const names = (await indexedDB.databases()).map((d) => d.name);
  expect(names).not.toContain(`clear:${DOC}`);
});

it('reads a replica written by y-indexeddb (same on-disk layout)', async () => {
  const { IndexeddbPersistence } = await import('y-indexeddb');
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(`compat:${DOC}`, doc);
  await persistence.whenSynced;
  doc.getArray<string>('messages').push(['from y-indexeddb']);
  await persistence.destroy(); // waits for the connection, not for the write: wait for the row below
  const store = createIndexedDbStore({ prefix: 'compat:' });
  const rebuilt = new Y.Doc();
  for (const u of (await store.load(DOC)).updates) Y.applyUpdate(rebuilt, u);
  expect(rebuilt.getArray<string>('messages').toArray()).toEqual(['from y-indexeddb']);
});

it('compacts while appending, well before y-indexeddb’s fixed 500 rows', async () => {
  const store = createIndexedDbStore({ prefix: 'adaptive:' });
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < 200; i++) doc.getArray<string>('messages').push([`m${i}`]);
  for (const u of updates) await store.append(DOC, u);
  const rows = await new Promise<number>((resolve, reject) => {
    const req = indexedDB.open(`adaptive:${DOC}`);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const count = req.result.transaction('updates').objectStore('updates').count();
      count.onsuccess = () => {
        req.result.close();
        resolve(count.result);
      };
    };
  });
  expect(rows).toBeLessThan(64);
  await store.close();
});
