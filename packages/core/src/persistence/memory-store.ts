/**
 * A replica store that lives as long as the process: tests, bots that need no restart, and the
 * fallback when a browser refuses IndexedDB (private mode in some browsers).
 */
import * as Y from 'yjs';
import { shouldCompact, type Replica, type ReplicaStore } from './types.js';

interface Entry {
  updates: Uint8Array[];
  bytes: number;
  acked: Uint8Array | null;
}

function compact(e: Entry, onLoad = false): void {
  const merged = Y.mergeUpdates(e.updates);
  if (onLoad || shouldCompact(e.updates.length, e.bytes, merged.length)) {
    e.updates = [merged];
    e.bytes = merged.length;
  }
}

export function createMemoryStore(): ReplicaStore {
  const docs = new Map<string, Entry>();
  const entry = (name: string): Entry => {
    let e = docs.get(name);
    if (!e) docs.set(name, (e = { updates: [], bytes: 0, acked: null }));
    return e;
  };
  return {
    async load(name): Promise<Replica> {
      const e = docs.get(name);
      if (e && e.updates.length > 1) compact(e, true);
      // copies, so a caller mutating what it got cannot change the stored replica
      return { updates: e ? e.updates.map((u) => u.slice()) : [], acked: e?.acked ? e.acked.slice() : null };
    },
    async append(name, update) {
      const e = entry(name);
      e.updates.push(update.slice());
      e.bytes += update.length;
      if (e.updates.length > 64) compact(e);
    },
    async saveAcked(name, stateVector) {
      entry(name).acked = stateVector.slice();
    },
    async clear(name) {
      docs.delete(name);
    },
    async close() {
      // the data is the store's life: a client closed and reopened on this store is a restart
    },
  };
}
