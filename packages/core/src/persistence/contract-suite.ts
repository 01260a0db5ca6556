/**
 * The ReplicaStore contract as plain data: named cases that take a medium and throw when the store
 * breaks the contract. No test runner and no Node imports, so the same cases run under vitest in
 * Node (contract.test.ts) and inside a real browser page against the real IndexedDB
 * (test/persistence/indexeddb-contract.test.ts), where fake-indexeddb cannot stand in for
 * Chromium's transaction and durability behaviour.
 *
 * A `medium` outlives store instances (a directory, an IndexedDB origin), so "reopen" is a restart.
 */
import * as Y from 'yjs';
import type { ReplicaStore } from './types.js';

export interface Medium {
  /** a store over the same data as every earlier call (a restart) */
  open(): ReplicaStore;
}

export interface ContractCase {
  name: string;
  run(makeMedium: () => Promise<Medium>): Promise<void>;
}

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

const DOC = 'ws/acme/customers/c1/conv/k1';

function check(ok: boolean, message: string): void {
  if (!ok) throw new ContractViolation(message);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function edits(count: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const messages = doc.getArray<string>('messages');
  for (let i = 0; i < count; i++) messages.push([`message ${i}`]);
  return { doc, updates };
}

function rebuilt(updates: Uint8Array[]): string[] {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getArray<string>('messages').toArray();
}

const bytes = (updates: Uint8Array[]): number => updates.reduce((n, u) => n + u.length, 0);
const isEmpty = (r: { updates: Uint8Array[]; acked: Uint8Array | null }): boolean => r.updates.length === 0 && r.acked === null;

export const replicaStoreContract: readonly ContractCase[] = [
  {
    name: 'loads an unknown document as empty',
    async run(makeMedium) {
      const store = (await makeMedium()).open();
      check(isEmpty(await store.load(DOC)), 'an unknown document is not { updates: [], acked: null }');
    },
  },
  {
    name: 'keeps appended updates and the acked vector across a restart',
    async run(makeMedium) {
      const medium = await makeMedium();
      const { doc, updates } = edits(3);
      const store = medium.open();
      for (const u of updates) await store.append(DOC, u);
      await store.saveAcked(DOC, Y.encodeStateVector(new Map([[doc.clientID, 1]])));
      await store.saveAcked(DOC, Y.encodeStateVector(new Map([[doc.clientID, 2]])));
      await store.close();
      const replica = await medium.open().load(DOC);
      const texts = rebuilt(replica.updates);
      check(same(texts, ['message 0', 'message 1', 'message 2']), `after a restart the replica holds ${JSON.stringify(texts)}`);
      check(replica.acked !== null && same([...Y.decodeStateVector(replica.acked)], [[doc.clientID, 2]]), 'the last saved acked vector did not survive');
    },
  },
  {
    name: 'does not grow when a document is only opened (y-indexeddb issue 31)',
    async run(makeMedium) {
      const medium = await makeMedium();
      const { updates } = edits(5);
      const store = medium.open();
      for (const u of updates) await store.append(DOC, u);
      await store.close();
      const first = await medium.open().load(DOC);
      for (let i = 0; i < 5; i++) {
        const s = medium.open();
        await s.load(DOC);
        await s.close();
      }
      const last = await medium.open().load(DOC);
      check(bytes(last.updates) <= bytes(first.updates), `opening grew the replica from ${bytes(first.updates)} to ${bytes(last.updates)} bytes`);
      check(rebuilt(last.updates).length === 5, 'opening lost edits');
    },
  },
  {
    name: 'compacts a long log without losing appends made while it compacts',
    async run(makeMedium) {
      const medium = await makeMedium();
      const { updates } = edits(300);
      const store = medium.open();
      // not awaited one by one: appends race the compaction that the 64th one starts
      await Promise.all(updates.map((u) => store.append(DOC, u)));
      await store.close();
      const replica = await medium.open().load(DOC);
      const texts = rebuilt(replica.updates);
      check(same(texts, updates.map((_, i) => `message ${i}`)), `${300 - texts.length} of 300 appends lost or reordered`);
      check(replica.updates.length < 10, `the log still has ${replica.updates.length} entries`);
    },
  },
  {
    name: 'clears one document and resolves only when it is gone',
    async run(makeMedium) {
      const medium = await makeMedium();
      const store = medium.open();
      const other = 'ws/acme/customers/c1/conv/k2';
      const { updates } = edits(2);
      for (const u of updates) {
        await store.append(DOC, u);
        await store.append(other, u);
      }
      await store.saveAcked(DOC, Y.encodeStateVector(new Map([[1, 1]])));
      await store.clear(DOC);
      check(isEmpty(await store.load(DOC)), 'the cleared document still loads data');
      check(isEmpty(await medium.open().load(DOC)), 'the cleared document came back after a restart');
      check(rebuilt((await medium.open().load(other)).updates).length === 2, 'clearing one document touched another');
    },
  },
  {
    name: 'returns copies: mutating a loaded update does not change the replica',
    async run(makeMedium) {
      const medium = await makeMedium();
      const store = medium.open();
      const { updates } = edits(1);
      await store.append(DOC, updates[0]!);
      const loaded = await store.load(DOC);
      loaded.updates[0]!.fill(0);
      check(same(rebuilt((await store.load(DOC)).updates), ['message 0']), 'a caller changed the stored update through a loaded one');
    },
  },
];
