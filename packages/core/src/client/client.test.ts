/**
 * The client's replica side, with no relay (connect: false): what is stored on open and on edit,
 * and how storage trouble reaches the app. Relay behaviour is tested in test/sync-client.
 */
import 'fake-indexeddb/auto';
import { afterEach, expect, it, vi } from 'vitest';
import { createClient } from './client.js';
import { createIndexedDbStore } from '../persistence/indexeddb-store.js';
import type { ParleyError } from '../errors.js';

const DOC = 'ws/acme/customers/c1/conv/k1';
afterEach(() => vi.restoreAllMocks());

async function rows(prefix: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(`${prefix}${DOC}`);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const count = await new Promise<number>((resolve) => {
    const req = db.transaction('updates').objectStore('updates').count();
    req.onsuccess = () => resolve(req.result);
  });
  db.close();
  return count;
}

it('does not grow the replica when a document is opened again and again without edits', async () => {
  const prefix = 'reopen:';
  const first = createClient({ url: 'ws://unused', token: 't', connect: false, store: createIndexedDbStore({ prefix }) });
  const h = first.open(DOC);
  await h.whenLoaded;
  h.doc.getArray<string>('messages').push(['one', 'two']);
  await first.close();
  const before = await rows(prefix);
  for (let i = 0; i < 5; i++) {
    const c = createClient({ url: 'ws://unused', token: 't', connect: false, store: createIndexedDbStore({ prefix }) });
    const again = c.open(DOC);
    await again.whenLoaded;
    expect(again.doc.getArray<string>('messages').toArray()).toEqual(['one', 'two']);
    await c.close();
  }
  expect(await rows(prefix)).toBeLessThanOrEqual(before);
});

it('reports a full disk as a quota_exceeded error event naming the document', async () => {
  const client = createClient({ url: 'ws://unused', token: 't', connect: false, store: createIndexedDbStore({ prefix: 'full:' }) });
  const h = client.open(DOC);
  await h.whenLoaded;
  const errors: Array<[string, string | undefined]> = [];
  client.on('error', (e: ParleyError, ctx) => errors.push([e.code, ctx.doc]));
  const onHandle = new Promise<string>((resolve) => h.on('error', (e) => resolve(e.code)));
  vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
    throw new DOMException('quota', 'QuotaExceededError');
  });
  h.doc.getArray<string>('messages').push(['does not fit']);
  expect(await onHandle).toBe('quota_exceeded');
  expect(errors).toEqual([['quota_exceeded', DOC]]);
  vi.restoreAllMocks();
  await client.close();
});

it('refuses names that are not document names', () => {
  const client = createClient({ url: 'ws://unused', token: 't', connect: false });
  expect(() => client.open('../etc/passwd')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
});
