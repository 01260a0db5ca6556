/**
 * Notices when the browser stops keeping the widget's data, so the customer is told before a
 * message they believe is safe disappears:
 * - `full`: a replica write was refused for quota (core reports ParleyError `quota_exceeded`).
 *   What was stored before stays; new messages live in memory until the relay acknowledges them.
 * - `cleared`: the site's data was deleted (the customer cleared it, or the browser evicted it)
 *   while messages were still waiting to be sent. Their only copy is now this page's memory.
 *   Detected with a sentinel IndexedDB connection: browsers close open connections when they
 *   delete an origin's data, and only then fire `close` on them. The alert goes away once those
 *   messages are acknowledged.
 */
import { createValue, type Source } from './chat-store.js';

export type StorageAlert = { kind: 'full' } | { kind: 'cleared'; unsent: number };

export interface StorageWatchOptions {
  /** the sync client's error events */
  errors(listener: (error: { code?: string }) => void): () => void;
  /** this device's messages not yet acknowledged by the relay */
  unsent(): number;
  /** fires when `unsent` may have changed */
  changes(listener: () => void): () => void;
  indexedDB?: IDBFactory;
}

const SENTINEL = 'parley:sentinel';

export function watchStorage(options: StorageWatchOptions): Source<StorageAlert | null> & { stop(): void } {
  const alert = createValue<StorageAlert | null>(null);
  let stopped = false;
  let sentinel: IDBDatabase | undefined;

  const stopErrors = options.errors((error) => {
    if (error.code === 'quota_exceeded' && alert.get()?.kind !== 'cleared') alert.set({ kind: 'full' });
  });
  const stopChanges = options.changes(() => {
    const current = alert.get();
    if (current?.kind !== 'cleared') return;
    const unsent = options.unsent();
    if (unsent === 0) alert.set(null);
    else if (unsent !== current.unsent) alert.set({ kind: 'cleared', unsent });
  });

  const openSentinel = (): void => {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory || stopped) return;
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(SENTINEL);
    } catch {
      return; // storage disabled: nothing to watch
    }
    request.onsuccess = () => {
      const db = request.result;
      if (stopped) return db.close();
      sentinel = db;
      // Another tab deleting or upgrading the sentinel must not be blocked by this connection.
      db.onversionchange = () => db.close();
      db.onclose = () => {
        sentinel = undefined;
        const unsent = options.unsent();
        if (unsent > 0) alert.set({ kind: 'cleared', unsent });
        openSentinel(); // watch for the next time too
      };
    };
  };
  openSentinel();

  return {
    get: alert.get,
    subscribe: alert.subscribe,
    stop() {
      stopped = true;
      stopErrors();
      stopChanges();
      sentinel?.close();
    },
  };
}
