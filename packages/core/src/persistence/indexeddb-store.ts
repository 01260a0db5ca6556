/**
 * The browser replica store, on IndexedDB, in y-indexeddb's on-disk layout (one database per
 * document with an auto-increment `updates` store and a `custom` key-value store), so replicas
 * written by y-indexeddb open here and the other way round.
 *
 * It does not wrap `IndexeddbPersistence`: that class binds itself to a Y.Doc and its weak spots
 * sit in code a wrapper cannot reach, so this module talks to IndexedDB directly:
 * (a) y-indexeddb appends the whole state on every open (issue 31), so storage grows with no
 *     edits; here `load` only reads, and compacts when that shrinks the log.
 * (b) y-indexeddb compacts at a fixed 500 rows; here the log is compacted on load and whenever it
 *     has grown by a row count that doubles when compaction was not worth it (size-adaptive).
 * (c) y-indexeddb drops write errors; here `append` resolves on transaction commit and rejects
 *     with ParleyError `quota_exceeded` (or `storage`), so the caller can tell the user.
 * (d) y-indexeddb's clearData does not await the deletion; here `clear` resolves when it is done.
 * (e) when the browser deletes the site's data it closes every connection; y-indexeddb keeps the
 *     dead one and fails every later write. Here the next write reopens (creating the database
 *     afresh) and `onLost` tells the client, which writes the whole in-memory state back.
 */
import * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { shouldCompact, type Replica, type ReplicaStore } from './types.js';

const UPDATES = 'updates';
const CUSTOM = 'custom';
const ACKED_KEY = 'parley.acked';
const FIRST_COMPACTION_CHECK = 64;
/**
 * After the browser closes our connections for a deletion it is still deleting for a moment; a
 * replica written back at once is deleted with the rest (and a log missing its start loads as
 * nothing: Yjs keeps updates whose predecessors are absent pending). Chromium gives no event for
 * "done" (indexedDB.databases() does not even answer meanwhile), so the write-back waits a little,
 * and a write that still fails within RECOVERY_WINDOW_MS asks for another, a bounded number of times.
 */
const DELETION_GRACE_MS = 250;
const RECOVERY_WINDOW_MS = 10_000;
const MAX_WRITE_BACKS = 5;

export interface IndexedDbStoreOptions {
  /** Database name prefix, so Parley's databases never clash with the host page's. Default 'parley:'. */
  prefix?: string;
  /** The IndexedDB factory; defaults to the global `indexedDB`. */
  indexedDB?: IDBFactory;
}

interface DocDb {
  db: Promise<IDBDatabase>;
  appended: number;
  nextCheck: number;
}

export function createIndexedDbStore(options: IndexedDbStoreOptions = {}): ReplicaStore {
  const prefix = options.prefix ?? 'parley:';
  const factory = (): IDBFactory => {
    const f = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!f) throw new ParleyError('storage', 'IndexedDB is not available here');
    return f;
  };
  const dbs = new Map<string, DocDb>();
  const lostListeners = new Set<(name: string) => void>();
  const recovering = new Map<string, { attempts: number; since: number }>();

  const announceLost = (name: string): void => {
    const previous = recovering.get(name);
    const attempts = previous && Date.now() - previous.since < RECOVERY_WINDOW_MS ? previous.attempts + 1 : 1;
    if (attempts > MAX_WRITE_BACKS) return; // the medium keeps failing: writes report it themselves
    recovering.set(name, { attempts, since: Date.now() });
    setTimeout(() => {
      for (const listener of [...lostListeners]) listener(name);
    }, DELETION_GRACE_MS * attempts);
  };

  const docDb = (name: string): DocDb => {
    const known = dbs.get(name);
    if (known) return known;
    // Called only from IndexedDB callbacks, after `fresh` exists.
    const forget = (): boolean => dbs.get(name) === fresh && dbs.delete(name);
    const fresh: DocDb = {
      db: openDb(factory(), prefix + name, {
        onVersionChange: forget,
        onForcedClose: () => {
          // Only a connection still in use means a replica someone relies on was deleted.
          if (!forget()) return;
          announceLost(name);
        },
      }),
      appended: 0,
      nextCheck: FIRST_COMPACTION_CHECK,
    };
    fresh.db.catch(forget);
    dbs.set(name, fresh);
    return fresh;
  };

  /** Merges the log into one row inside one transaction, so no concurrent append is lost. */
  const compact = async (d: DocDb, onLoad: boolean): Promise<Replica> => {
    const db = await d.db;
    return new Promise<Replica>((resolve, reject) => {
      const tx = db.transaction([UPDATES, CUSTOM], 'readwrite');
      const updates = tx.objectStore(UPDATES);
      let replica: Replica = { updates: [], acked: null };
      const ackedReq = tx.objectStore(CUSTOM).get(ACKED_KEY);
      ackedReq.onsuccess = () => {
        replica.acked = ackedReq.result instanceof Uint8Array ? ackedReq.result : null;
      };
      const all = updates.getAll();
      all.onsuccess = () => {
        const rows = all.result as Uint8Array[];
        replica = { ...replica, updates: rows };
        const bytes = rows.reduce((n, u) => n + u.length, 0);
        if (rows.length > 1) {
          const merged = Y.mergeUpdates(rows);
          if (onLoad || shouldCompact(rows.length, bytes, merged.length)) {
            updates.clear();
            updates.add(merged);
            replica = { ...replica, updates: [merged] };
            d.nextCheck = FIRST_COMPACTION_CHECK;
          } else {
            d.nextCheck = Math.max(FIRST_COMPACTION_CHECK, rows.length * 2);
          }
        }
        d.appended = replica.updates.length;
      };
      tx.oncomplete = () => resolve(replica);
      tx.onabort = tx.onerror = () => reject(toStoreError(tx.error));
    });
  };

  const put = async (name: string, store: string, value: Uint8Array, key?: string): Promise<void> => {
    const d = docDb(name);
    const db = await d.db.catch((err: unknown) => Promise.reject(toStoreError(err)));
    const written = new Promise<void>((resolve, reject) => {
      try {
        const tx = db.transaction([store], 'readwrite');
        tx.oncomplete = () => resolve();
        tx.onabort = tx.onerror = () => reject(toStoreError(tx.error));
        if (key === undefined) tx.objectStore(store).add(value);
        else tx.objectStore(store).put(value, key);
      } catch (err) {
        // Browsers report a full disk through abort; some also throw synchronously
        reject(toStoreError(err));
      }
    });
    await written.catch((err: ParleyError) => {
      const recovery = recovering.get(name);
      if (err.code !== 'quota_exceeded' && recovery && Date.now() - recovery.since < RECOVERY_WINDOW_MS && dbs.get(name) === d) {
        // The deletion caught the connection reopened for the write-back: reopen and write back again.
        dbs.delete(name);
        db.close();
        announceLost(name);
      }
      throw err;
    });
    if (store === UPDATES && ++d.appended >= d.nextCheck) await compact(d, false).catch(() => undefined);
  };

  return {
    async load(name) {
      // compact on load: the log is read in full anyway, and a page load is when it has grown most
      return compact(docDb(name), true);
    },
    append(name, update) {
      return put(name, UPDATES, update);
    },
    saveAcked(name, stateVector) {
      return put(name, CUSTOM, stateVector, ACKED_KEY);
    },
    async clear(name) {
      const d = dbs.get(name);
      dbs.delete(name);
      if (d) (await d.db.catch(() => null))?.close();
      await new Promise<void>((resolve, reject) => {
        const req = factory().deleteDatabase(prefix + name);
        req.onsuccess = () => resolve();
        req.onerror = () => reject(toStoreError(req.error));
      });
    },
    async close() {
      const open = [...dbs.values()];
      dbs.clear();
      lostListeners.clear();
      await Promise.all(open.map(async (d) => (await d.db.catch(() => null))?.close()));
    },
    onLost(listener) {
      lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
  };
}

function openDb(factory: IDBFactory, dbName: string, on: { onVersionChange(): void; onForcedClose(): void }): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(dbName);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(UPDATES)) db.createObjectStore(UPDATES, { autoIncrement: true });
      if (!db.objectStoreNames.contains(CUSTOM)) db.createObjectStore(CUSTOM);
    };
    req.onsuccess = () => {
      const db = req.result;
      // another tab deleting or upgrading this database must not wait for us forever
      db.onversionchange = () => {
        db.close();
        on.onVersionChange();
      };
      // Fired only when the browser closes the connection itself (site data deleted, disk error),
      // never after our own close().
      db.onclose = () => on.onForcedClose();
      resolve(db);
    };
    req.onerror = () => reject(toStoreError(req.error));
  });
}

function toStoreError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') return new ParleyError('quota_exceeded', 'the browser refused to store more data', { cause: err });
  return new ParleyError('storage', `IndexedDB failed: ${(err as Error | null)?.message ?? 'unknown error'}`, { cause: err });
}
