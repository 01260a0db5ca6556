/**
 * [DESIGN: Directory] Per workspace, the relay keeps `ws/{ws}/directory`: a small Y.Doc it alone
 * writes (principal `relay:relay`), mapping each conversation document name to a DirectoryEntry.
 * It is stored and served like any document, so agents following it see a live list. Writes are
 * throttled per conversation (at most one per `throttleMs`), the latest change winning, and the
 * entries due at the same moment are written together, one update per workspace.
 */
import * as Y from 'yjs';
import { DirectoryRoot, directoryDoc, parseDocName } from '@parley/core';
import type { DirectoryEntry } from '@parley/core';
import type { Documents, DocEntry } from './documents.js';
import { inspectUpdate } from './inspect.js';
import type { LogFn } from './relay.js';

/** The principal key the relay writes under; not a Role any token can carry. */
export const RELAY_PRINCIPAL_KEY = 'relay:relay';

export interface DirectoryOptions {
  documents: Documents;
  throttleMs: number;
  now: () => number;
  log: LogFn;
}

export interface Directory {
  /** Every committed (remote = fanned in from another relay process) update of any document. */
  onUpdate(entry: DocEntry, update: Uint8Array, remote: boolean): void;
  /** Writes what the throttle holds back and waits for every directory write in flight. */
  flush(): Promise<void>;
}

interface Pending {
  ws: string;
  customerId: string;
  conversationId: string;
  changedAt: number;
  lastWrite: number;
  timer: NodeJS.Timeout | null;
}

interface Workspace {
  ydoc: Y.Doc;
  entry: DocEntry;
  /** a write failed: the next one sends everything the store lacks */
  dirty: boolean;
}

const WRITER = Symbol('directory-writer');
const FROM_ELSEWHERE = Symbol('directory-remote');

export function createDirectory(options: DirectoryOptions): Directory {
  const { documents, throttleMs, now, log } = options;
  const pending = new Map<string, Pending>();
  const workspaces = new Map<string, Promise<Workspace>>();
  const inflight = new Set<Promise<void>>();

  const track = (job: Promise<void>): void => {
    inflight.add(job);
    void job.finally(() => inflight.delete(job));
  };

  const persist = (w: Workspace, update: Uint8Array): void => {
    const payload = w.dirty ? Y.diffUpdate(Y.encodeStateAsUpdate(w.ydoc), w.entry.doc.stateVector()) : update;
    w.dirty = false;
    w.entry.doc.owners.set(w.ydoc.clientID, RELAY_PRINCIPAL_KEY);
    const job = documents.commit(w.entry, payload, inspectUpdate(payload, true), new Map([[w.ydoc.clientID, RELAY_PRINCIPAL_KEY]]), null).catch((err: unknown) => {
      w.dirty = true;
      log('warn', 'directory write failed; will retry with the next change', { doc: w.entry.doc.name, err: String(err) });
    });
    track(job);
  };

  const workspace = (ws: string): Promise<Workspace> => {
    let p = workspaces.get(ws);
    if (!p) {
      const name = directoryDoc(ws);
      p = documents.acquire(name, parseDocName(name)!, null).then((entry) => {
        entry.pinned = true;
        const ydoc = new Y.Doc();
        Y.applyUpdate(ydoc, entry.doc.merged(), FROM_ELSEWHERE);
        const w: Workspace = { ydoc, entry, dirty: false };
        ydoc.on('update', (update: Uint8Array, origin: unknown) => {
          if (origin === WRITER) persist(w, update);
        });
        return w;
      });
      p.catch(() => workspaces.delete(ws));
      workspaces.set(ws, p);
    }
    return p;
  };

  /** Conversations whose entry is due, per workspace: written together in one transaction. */
  const due = new Map<string, Map<string, Pending>>();

  const writeDue = (ws: string): void => {
    const batch = due.get(ws);
    if (!batch) return;
    due.delete(ws);
    const job = workspace(ws).then((w) => {
      const map = w.ydoc.getMap<DirectoryEntry>(DirectoryRoot);
      w.ydoc.transact(() => {
        for (const [name, p] of batch) {
          const prev = map.get(name);
          map.set(name, {
            customerId: p.customerId,
            conversationId: p.conversationId,
            createdAt: prev?.createdAt ?? p.changedAt,
            updatedAt: Math.max(prev?.updatedAt ?? 0, p.changedAt),
          });
        }
      }, WRITER);
    });
    track(job.catch((err: unknown) => log('warn', 'directory unavailable', { ws, err: String(err) })));
  };

  /**
   * A conversation's entry goes into its workspace's next write. One write per workspace per event
   * loop turn (not one per conversation): each write is a Y transaction, a store append and a
   * forward, which at a few messages per second per conversation cost as much as the messages.
   */
  const write = (name: string, p: Pending): void => {
    p.lastWrite = now();
    let batch = due.get(p.ws);
    if (!batch) {
      batch = new Map();
      due.set(p.ws, batch);
      const ws = p.ws;
      setImmediate(() => writeDue(ws));
    }
    batch.set(name, p);
  };

  // Held-back writes wait for the next multiple of this, so that the timers of many conversations
  // fire together and share one write.
  const grid = Math.max(1, Math.floor(throttleMs / 10));

  const touch = (name: string, ws: string, customerId: string, conversationId: string): void => {
    const t = now();
    let p = pending.get(name);
    if (!p) {
      p = { ws, customerId, conversationId, changedAt: t, lastWrite: -Infinity, timer: null };
      pending.set(name, p);
    }
    p.changedAt = t;
    if (p.timer) return;
    const earliest = p.lastWrite + throttleMs;
    if (earliest <= t) return write(name, p);
    const held = p;
    held.timer = setTimeout(() => {
      held.timer = null;
      write(name, held);
    }, Math.ceil(earliest / grid) * grid - t);
    held.timer.unref();
  };

  return {
    onUpdate(entry, update, remote) {
      const parsed = entry.doc.parsed;
      if (parsed.kind === 'directory') {
        if (!remote) return;
        const w = workspaces.get(parsed.ws);
        if (w) void w.then((x) => Y.applyUpdate(x.ydoc, update, FROM_ELSEWHERE)).catch(() => undefined);
        return;
      }
      if (parsed.kind === 'conversation' && !remote) touch(entry.doc.name, parsed.ws, parsed.customerId, parsed.conversationId);
    },

    async flush() {
      for (const [name, p] of pending) {
        if (!p.timer) continue;
        clearTimeout(p.timer);
        p.timer = null;
        write(name, p);
      }
      for (const ws of [...due.keys()]) writeDue(ws);
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
  };
}
