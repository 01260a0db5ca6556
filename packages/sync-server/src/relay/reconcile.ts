/**
 * Catching up with the shared store when the fan-out missed something. Redis pub/sub is
 * at-most-once: what other relays publish while this relay's subscription is down is lost to it,
 * and a relay that commits and dies before publishing tells nobody. The store is shared and
 * durable, so the truth is there: reconciliation reloads a document's stored log, keeps what the
 * in-memory copy lacks (a diff against the relay's state vector), adds it to memory and forwards
 * it to the document's followers, exactly as if it had come through the fan-out.
 *
 * Two triggers:
 * - `refresh()`: every document in memory, after the fan-out resubscribed (Redis came back).
 * - `check()`: the periodic, cheap pass. It asks the store only for each document's stored size
 *   (`list(name)`: one indexed row) and refreshes the documents whose size differs from what this
 *   relay accounted for (its load, plus every update it committed or received since). A missed
 *   update makes the store larger than the account; compaction also changes it, which costs one
 *   needless refresh that finds nothing.
 *
 * The account must stay exact across a refresh, or a busy document is reloaded on every pass: an
 * update can reach memory through the fan-out while the store is being read (the snapshot may or
 * may not hold it), and an update a refresh found in the store can have its fan-out message still
 * on the way (it arrives after, and is already counted). Both are told apart by the update's bytes,
 * which are the same in the store and on the fan-out.
 *
 * Work is O(document) per refreshed document and runs a few documents at a time, yielding to the
 * event loop between batches, so sockets keep being served during a pass.
 */
import * as Y from 'yjs';
import type { DocStore } from '../storage/types.js';
import type { DocEntry, Documents } from './documents.js';
import { inspectUpdate } from './inspect.js';

export interface ReconcileOptions {
  store: DocStore;
  documents: Documents;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** documents refreshed or probed at once (default 8) */
  batchSize?: number;
}

export interface ReconcileReport {
  /** documents whose stored size was compared (periodic pass) or that were reloaded */
  checked: number;
  /** documents reloaded from the store */
  refreshed: number;
  /** documents in which the store held something memory lacked (forwarded to followers) */
  caughtUp: number;
  /** documents that could not be read (the store is down): retried on the next pass */
  failed: number;
}

export interface Reconciler {
  /** Reloads every document in memory (or those named) and forwards what memory lacked. */
  refresh(names?: readonly string[]): Promise<ReconcileReport>;
  /** Refreshes only documents whose stored size moved without this relay hearing of it. */
  check(): Promise<ReconcileReport>;
  /**
   * Accounts for an update this relay committed or received (`remote`: from the fan-out or a
   * refresh), so `check` expects it in the store.
   */
  onUpdate(entry: DocEntry, update: Uint8Array, remote: boolean): void;
  /** Runs `check` every `intervalMs` (a pass still running skips the next tick). */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

interface Account {
  /** stored bytes this relay can account for */
  bytes: number;
  /** while a refresh reads the store: updates that reached memory meanwhile */
  arrivedDuringLoad: Uint8Array[] | null;
  /** updates the last refresh found in the store before their fan-out message came */
  awaitedFromFanOut: Uint8Array[];
}

/**
 * A refresh after a long fan-out outage finds many updates whose messages will never come; past
 * this many it keeps none, and a late message costs one needless refresh instead of memory.
 */
const MAX_AWAITED = 32;

/** Removes the first update with the same bytes from `updates`; false when there is none. */
const takeSame = (updates: Uint8Array[], update: Uint8Array): boolean => {
  const i = updates.findIndex((u) => u.byteLength === update.byteLength && Buffer.compare(u, update) === 0);
  if (i >= 0) updates.splice(i, 1);
  return i >= 0;
};

const emptyReport = (): ReconcileReport => ({ checked: 0, refreshed: 0, caughtUp: 0, failed: 0 });

export function createReconciler(options: ReconcileOptions): Reconciler {
  const { store, documents, log } = options;
  const batchSize = Math.max(1, options.batchSize ?? 8);
  /**
   * Per loaded entry (a WeakMap: an unloaded entry's account goes with it; a reload starts from
   * the new load).
   */
  const accounts = new WeakMap<DocEntry, Account>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  /** a periodic pass is queued or running: the timer does not pile passes up behind a slow store */
  let periodic = false;

  const account = (entry: DocEntry): Account => {
    let a = accounts.get(entry);
    if (!a) {
      a = { bytes: entry.storedBytesAtLoad, arrivedDuringLoad: null, awaitedFromFanOut: [] };
      accounts.set(entry, a);
    }
    return a;
  };

  /** Reads the stored log and absorbs what memory lacks; true when something new was forwarded. */
  const refreshOne = (entry: DocEntry): Promise<boolean> =>
    // In the document's commit chain: a local commit cannot sit in the store and not yet in memory
    // while we compare, which would forward it back to its own sender.
    documents.exclusive(entry, async () => {
      const acc = account(entry);
      // Fan-out messages are applied outside the commit chain, so they can land during the read.
      const arrived: Uint8Array[] = [];
      acc.arrivedDuringLoad = arrived;
      let stored;
      try {
        stored = await store.load(entry.doc.name);
      } finally {
        acc.arrivedDuringLoad = null;
      }
      if (!stored) return false;
      let bytes = 0;
      const missing: Uint8Array[] = [];
      for (const update of stored.updates) {
        bytes += update.byteLength;
        // Stored updates were validated before they were committed: trusted, and cheap to skip.
        if (!entry.doc.isRedundant(inspectUpdate(update, true))) missing.push(update);
      }
      // Arrived while reading and not in the snapshot: committed after it, so the store has them too.
      if (arrived.length > 0) {
        const inSnapshot = [...stored.updates];
        for (const update of arrived) if (!takeSame(inSnapshot, update)) bytes += update.byteLength;
      }
      let caughtUp = false;
      if (missing.length > 0) {
        // A stored update may overlap what memory holds (e.g. after compaction): keep only the rest.
        const news = Y.diffUpdate(missing.length === 1 ? missing[0]! : Y.mergeUpdates(missing), entry.doc.stateVector());
        const summary = inspectUpdate(news, true);
        if (!entry.doc.isRedundant(summary)) {
          documents.absorb(entry, news, summary, stored.owners);
          caughtUp = true;
        }
      }
      // After absorbing (which reports the diff as an update): the account is now the store's size,
      // and what this refresh found that the fan-out has not delivered yet is already in it.
      acc.bytes = bytes;
      acc.awaitedFromFanOut = missing.length <= MAX_AWAITED ? missing : [];
      return caughtUp;
    });

  /** Runs `task` on `items`, `batchSize` at a time, yielding to the event loop between batches. */
  const inBatches = async <T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> => {
    for (let i = 0; i < items.length; i += batchSize) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await Promise.all(items.slice(i, i + batchSize).map(task));
    }
  };

  const refreshAll = async (entries: readonly DocEntry[], report: ReconcileReport): Promise<void> => {
    await inBatches(entries, async (entry) => {
      try {
        report.refreshed++;
        if (await refreshOne(entry)) report.caughtUp++;
      } catch (err) {
        report.failed++;
        log('warn', 'reconciliation could not read a document', { doc: entry.doc.name, err: String(err) });
      }
    });
  };

  /** One pass at a time: a trigger during a pass waits for it, then runs its own. */
  const exclusivePass = <T>(pass: () => Promise<T>): Promise<T> => {
    const previous = running ?? Promise.resolve();
    const next = previous.then(pass, pass);
    running = next.catch(() => undefined);
    return next;
  };

  const finish = (kind: string, report: ReconcileReport, startedAt: number): ReconcileReport => {
    const fields = { ...report, ms: Math.round(performance.now() - startedAt) };
    log(report.caughtUp > 0 || report.failed > 0 ? 'info' : 'debug', `reconciliation (${kind})`, fields);
    return report;
  };

  const reconciler: Reconciler = {
    refresh(names) {
      return exclusivePass(async () => {
        const t0 = performance.now();
        const report = emptyReport();
        const wanted = names ? new Set(names) : null;
        const entries = documents.entries().filter((e) => !wanted || wanted.has(e.doc.name));
        report.checked = entries.length;
        await refreshAll(entries, report);
        return finish('refresh', report, t0);
      });
    },

    check() {
      return exclusivePass(async () => {
        const t0 = performance.now();
        const report = emptyReport();
        const stale: DocEntry[] = [];
        await inBatches(documents.entries(), async (entry) => {
          report.checked++;
          try {
            // A prefix listing that also matches longer names: keep the exact one.
            const summary = (await store.list(entry.doc.name)).find((s) => s.name === entry.doc.name);
            if (summary && summary.bytes !== account(entry).bytes) stale.push(entry);
          } catch (err) {
            report.failed++;
            log('warn', 'reconciliation could not read a document summary', { doc: entry.doc.name, err: String(err) });
          }
        });
        await refreshAll(stale, report);
        return finish('check', report, t0);
      });
    },

    onUpdate(entry, update, remote) {
      const acc = account(entry);
      if (acc.arrivedDuringLoad) {
        acc.arrivedDuringLoad.push(update);
        return;
      }
      if (remote && acc.awaitedFromFanOut.length > 0 && takeSame(acc.awaitedFromFanOut, update)) return;
      acc.bytes += update.byteLength;
    },

    start(intervalMs) {
      if (timer) clearInterval(timer);
      timer = setInterval(() => {
        if (periodic) return;
        periodic = true;
        reconciler
          .check()
          .catch((err: unknown) => log('warn', 'reconciliation pass failed', { err: String(err) }))
          .finally(() => {
            periodic = false;
          });
      }, intervalMs);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
  return reconciler;
}
