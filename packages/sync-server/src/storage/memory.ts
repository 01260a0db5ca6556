/**
 * An in-memory DocStore: for tests, demos and the relay's own unit tests. Nothing survives the
 * process. It keeps the same semantics as the durable stores (append order, first owner wins,
 * compaction that never loses a concurrent append) so the shared contract suite runs against it.
 */
import * as Y from 'yjs';
import type { DocStore, DocSummary, StoredDoc } from './types.js';

interface Entry {
  updates: Uint8Array[];
  owners: Map<number, string>;
  createdAt: number;
  updatedAt: number;
}

export interface MemoryStoreOptions {
  now?: () => number;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): DocStore {
  const now = options.now ?? Date.now;
  const docs = new Map<string, Entry>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('memory store is closed');
  };

  return {
    async append(name, update, owners) {
      assertOpen();
      let entry = docs.get(name);
      if (!entry) {
        const t = now();
        entry = { updates: [], owners: new Map(), createdAt: t, updatedAt: t };
        docs.set(name, entry);
      }
      // Copy: the caller may reuse its buffer, and a store must hold what was committed.
      entry.updates.push(update.slice());
      for (const [client, principal] of owners ?? []) {
        if (!entry.owners.has(client)) entry.owners.set(client, principal);
      }
      entry.updatedAt = Math.max(entry.updatedAt, now());
    },

    async load(name): Promise<StoredDoc | null> {
      assertOpen();
      const entry = docs.get(name);
      if (!entry) return null;
      return { updates: entry.updates.slice(), owners: new Map(entry.owners), updatedAt: entry.updatedAt };
    },

    async compact(name) {
      assertOpen();
      const entry = docs.get(name);
      if (!entry || entry.updates.length <= 1) return;
      // Synchronous between read and write, so no append can slip in and be lost.
      entry.updates = [Y.mergeUpdates(entry.updates)];
    },

    async delete(name) {
      assertOpen();
      docs.delete(name);
    },

    async list(prefix): Promise<DocSummary[]> {
      assertOpen();
      const out: DocSummary[] = [];
      for (const [name, e] of docs) {
        if (!name.startsWith(prefix)) continue;
        out.push({ name, createdAt: e.createdAt, updatedAt: e.updatedAt, bytes: e.updates.reduce((n, u) => n + u.byteLength, 0) });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async close() {
      closed = true;
    },
  };
}
