/**
 * The one behaviour every DocStore must have. Each implementation's test file calls
 * `docStoreContract` with a factory for a fresh, isolated storage location.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocStore } from './types.js';

/** A fresh, empty storage location. `open` may be called again after `close` to reopen it. */
export interface StoreLocation {
  open(): Promise<DocStore>;
  /** removes whatever the location left behind (temp dir, schema) */
  destroy(): Promise<void>;
}

export interface ContractOptions {
  /** false for stores that forget everything on close (memory): skips the reopen tests */
  persistent: boolean;
}

/** Builds a doc and records every update it emits, as a client would send them. */
function recordingDoc(clientID: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  return { doc, updates };
}

/** Seeded edits so that a failure replays the same way. */
function randomEdits(doc: Y.Doc, count: number, seed: number): void {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const text = doc.getText('t');
  const list = doc.getArray<string>('a');
  const map = doc.getMap<number>('m');
  for (let i = 0; i < count; i++) {
    const r = next();
    if (r < 0.4) text.insert(Math.floor(next() * (text.length + 1)), `w${i} `);
    else if (r < 0.55 && text.length > 2) text.delete(Math.floor(next() * (text.length - 1)), 1);
    else if (r < 0.8) list.push([`item ${i}`]);
    else if (r < 0.9 && list.length > 0) list.delete(Math.floor(next() * list.length), 1);
    else map.set(`k${i % 7}`, i);
  }
}

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

/** What a user would see of a document, plus its state vector: equal means the same document. */
function visibleState(doc: Y.Doc): unknown {
  return {
    text: doc.getText('t').toString(),
    list: doc.getArray('a').toJSON(),
    map: doc.getMap('m').toJSON(),
    stateVector: Array.from(Y.encodeStateVector(doc)),
  };
}

const sum = (updates: Uint8Array[]): number => updates.reduce((n, u) => n + u.byteLength, 0);

export function docStoreContract(
  name: string,
  makeLocation: () => Promise<StoreLocation>,
  options: ContractOptions,
): void {
  describe(`DocStore contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** Opens a store on a fresh location; closes and destroys it after the test. */
    async function fresh(): Promise<{ store: DocStore; location: StoreLocation; reopen(): Promise<DocStore> }> {
      const location = await makeLocation();
      cleanups.push(() => location.destroy());
      let current = await location.open();
      let closed = false;
      cleanups.push(async () => {
        if (!closed) await current.close();
      });
      return {
        get store() {
          return current;
        },
        location,
        async reopen() {
          closed = true;
          await current.close();
          current = await location.open();
          closed = false;
          return current;
        },
      };
    }

    it('returns null for a document never written', async () => {
      const { store } = await fresh();
      expect(await store.load('ws/a/settings')).toBeNull();
      expect(await store.list('')).toEqual([]);
    });

    it('loads appended updates byte for byte, oldest first', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(1);
      randomEdits(doc, 30, 7);
      for (const update of updates) await store.append('ws/a/settings', update);
      const loaded = await store.load('ws/a/settings');
      expect(loaded?.updates.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
      expect(visibleState(docFrom(loaded!.updates))).toEqual(visibleState(doc));
    });

    it('keeps call order for appends issued without waiting', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(2);
      randomEdits(doc, 50, 11);
      await Promise.all(updates.map((u) => store.append('ws/a/announcements', u)));
      const loaded = await store.load('ws/a/announcements');
      expect(loaded?.updates.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
    });

    it('stores what append was given even if the caller reuses its buffer before the commit', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(5);
      doc.getText('t').insert(0, 'original');
      const buffer = updates[0]!.slice();
      const committed = store.append('d/reuse', buffer);
      buffer.fill(0);
      await committed;
      expect(docFrom((await store.load('d/reuse'))!.updates).getText('t').toString()).toBe('original');
    });

    it('[P6] keeps the first owner of a client id', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(3);
      doc.getText('t').insert(0, 'a');
      doc.getText('t').insert(1, 'b');
      await store.append('d/1', updates[0]!, new Map([[3, 'customer:c1']]));
      await Promise.all([
        store.append('d/1', updates[1]!, new Map([[3, 'agent:mallory'], [4, 'agent:a1']])),
        store.append('d/1', updates[1]!, new Map([[4, 'agent:late'], [5, 'bot:b1']])),
      ]);
      const loaded = await store.load('d/1');
      expect(Object.fromEntries(loaded!.owners)).toEqual({ 3: 'customer:c1', 4: 'agent:a1', 5: 'bot:b1' });
    });

    it('compaction leaves one update that builds the same document, owners kept', async () => {
      const { store } = await fresh();
      const a = recordingDoc(10);
      const b = recordingDoc(11);
      randomEdits(a.doc, 40, 1);
      Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
      b.updates.length = 0;
      randomEdits(b.doc, 40, 2);
      const originals = [...a.updates, ...b.updates];
      for (const u of originals) await store.append('d/c', u, new Map([[10, 'p:a'], [11, 'p:b']]));
      const expected = visibleState(docFrom(originals));
      expect(visibleState(docFrom((await store.load('d/c'))!.updates))).toEqual(expected);

      await store.compact('d/c');
      const compacted = await store.load('d/c');
      expect(compacted!.updates).toHaveLength(1);
      expect(visibleState(docFrom(compacted!.updates))).toEqual(expected);
      expect(Object.fromEntries(compacted!.owners)).toEqual({ 10: 'p:a', 11: 'p:b' });
      const [summary] = await store.list('d/c');
      expect(summary!.bytes).toBe(compacted!.updates[0]!.byteLength);
      await store.compact('d/never-written');
      expect(await store.load('d/never-written')).toBeNull();
    });

    it('loses no append that races with compaction', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(20);
      randomEdits(doc, 120, 3);
      const pending: Promise<void>[] = [];
      for (const [i, update] of updates.entries()) {
        pending.push(store.append('d/race', update));
        if (i % 15 === 5) pending.push(store.compact('d/race'));
      }
      await Promise.all(pending);
      expect(visibleState(docFrom((await store.load('d/race'))!.updates))).toEqual(visibleState(doc));
      await store.compact('d/race');
      const after = await store.load('d/race');
      expect(after!.updates).toHaveLength(1);
      expect(visibleState(docFrom(after!.updates))).toEqual(visibleState(doc));
    });

    it('deletes a document, its owners and its summary, and only that one', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(30);
      doc.getText('t').insert(0, 'hello');
      await store.append('d/x', updates[0]!, new Map([[30, 'p:x']]));
      await store.append('d/y', updates[0]!);
      await store.delete('d/x');
      await store.delete('d/never-written');
      expect(await store.load('d/x')).toBeNull();
      expect((await store.list('d/')).map((s) => s.name)).toEqual(['d/y']);
      await store.append('d/x', updates[0]!, new Map([[30, 'p:new']]));
      expect(Object.fromEntries((await store.load('d/x'))!.owners)).toEqual({ 30: 'p:new' });
    });

    it('lists by prefix, ordered by name, with byte counts and times', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(40);
      randomEdits(doc, 6, 5);
      const before = Date.now();
      const names = ['ws/b/settings', 'ws/a/customers/c2/profile', 'ws/a/customers/c1/conv/1', 'ws/ab/settings', 'ws/a/settings'];
      for (const name of names) await store.append(name, updates[0]!);
      await store.append('ws/a/settings', updates[1]!);
      const after = Date.now();

      const listed = await store.list('ws/a/');
      expect(listed.map((s) => s.name)).toEqual(['ws/a/customers/c1/conv/1', 'ws/a/customers/c2/profile', 'ws/a/settings']);
      const settings = listed[2]!;
      expect(settings.bytes).toBe(sum(updates.slice(0, 2)));
      expect(listed[0]!.bytes).toBe(updates[0]!.byteLength);
      for (const s of listed) {
        expect(s.createdAt).toBeGreaterThanOrEqual(before);
        expect(s.updatedAt).toBeGreaterThanOrEqual(s.createdAt);
        expect(s.updatedAt).toBeLessThanOrEqual(after);
      }
      expect((await store.list('ws/')).length).toBe(5);
      expect((await store.list('')).length).toBe(5);
      expect(await store.list('ws/c')).toEqual([]);
      // Characters that mean something in LIKE or GLOB patterns are plain text in a prefix.
      expect(await store.list('ws/%')).toEqual([]);
      expect(await store.list('ws/_/')).toEqual([]);

      const loaded = await store.load('ws/a/settings');
      expect(loaded!.updatedAt).toBe(settings.updatedAt);
    });

    it('round-trips a large update byte for byte', async () => {
      const { store } = await fresh();
      const { doc, updates } = recordingDoc(50);
      const chunk = Array.from({ length: 4096 }, (_, i) => String.fromCharCode(0x61 + ((i * 7) % 26))).join('');
      doc.getText('t').insert(0, chunk.repeat(1200)); // about 5 MB in one update
      expect(updates[0]!.byteLength).toBeGreaterThan(4_000_000);
      await store.append('d/big', updates[0]!);
      const loaded = await store.load('d/big');
      expect(Buffer.from(loaded!.updates[0]!).equals(Buffer.from(updates[0]!))).toBe(true);
    });

    it('keeps many documents apart', async () => {
      const { store } = await fresh();
      const count = 400;
      const docs = Array.from({ length: count }, (_, i) => {
        const d = recordingDoc(1000 + i);
        d.doc.getText('t').insert(0, `conversation ${i}`);
        return d;
      });
      await Promise.all(docs.map((d, i) => store.append(`ws/w/customers/c${i}/conv/${i}`, d.updates[0]!, new Map([[1000 + i, `customer:c${i}`]]))));
      const listed = await store.list('ws/w/customers/');
      expect(listed).toHaveLength(count);
      for (const i of [0, 1, 199, 399]) {
        const loaded = await store.load(`ws/w/customers/c${i}/conv/${i}`);
        expect(docFrom(loaded!.updates).getText('t').toString()).toBe(`conversation ${i}`);
        expect(Object.fromEntries(loaded!.owners)).toEqual({ [1000 + i]: `customer:c${i}` });
      }
    });

    it.skipIf(!options.persistent)('sees everything after close and reopen, including appends close had to flush', async () => {
      const opened = await fresh();
      const { doc, updates } = recordingDoc(60);
      randomEdits(doc, 40, 9);
      const half = Math.floor(updates.length / 2);
      for (const u of updates.slice(0, half)) await opened.store.append('d/durable', u, new Map([[60, 'p:d']]));
      await opened.store.compact('d/durable');
      // Not awaited: close must flush appends already accepted, as graceful shutdown relies on it.
      const late = updates.slice(half).map((u) => opened.store.append('d/durable', u));
      const listedBefore = await opened.store.list('d/');
      const reopened = await opened.reopen();
      await Promise.all(late);
      const loaded = await reopened.load('d/durable');
      expect(visibleState(docFrom(loaded!.updates))).toEqual(visibleState(doc));
      expect(Object.fromEntries(loaded!.owners)).toEqual({ 60: 'p:d' });
      const [summary] = await reopened.list('d/');
      expect(summary!.createdAt).toBe(listedBefore[0]!.createdAt);
      expect(summary!.bytes).toBe(sum(loaded!.updates));
    });

    it('refuses work after close', async () => {
      const opened = await fresh();
      const store = opened.store;
      await opened.reopen();
      await expect(store.append('d/1', new Uint8Array([0, 0]))).rejects.toThrow();
    });
  });
}
