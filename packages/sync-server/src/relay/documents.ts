/**
 * The relay's documents in memory: single-flight loading, the commit pipeline ([P7] append before
 * anything is acknowledged; forwarded before the commit only under client ids the store already
 * owns, and then only to followers that could bring it back after a crash), forwarding to
 * followers ([P8] never to the sender), fan-out between relay processes, lazy merging, compaction
 * and idle unloading (LRU).
 */
import type { ParsedDocName } from '@parley/core';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as protocol from '@parley/core/protocol';
import type { AppendOptions, DocStore } from '../storage/types.js';
import type { FanOut } from '../fanout/types.js';
import type { Limits } from './limits.js';
import { createClockRanges } from './ranges.js';
import type { ClockRanges } from './ranges.js';
import { createThinDoc } from './thin-doc.js';
import type { ThinDoc } from './thin-doc.js';
import { inspectUpdate } from './inspect.js';
import type { UpdateSummary } from './inspect.js';
import { encodeAwareness } from './awareness.js';
import { muxUpdate, wireName, ywsUpdate } from './frames.js';
import type { AwarenessEntry } from './awareness.js';

/** A message for followers, encoded at most once per wire format however many follow. */
export interface Outgoing {
  mux(): Uint8Array;
  yws(): Uint8Array;
}

export interface Follower {
  deliver(message: Outgoing): void;
  /** the principal on the other end (auth/principal.ts principalKey) */
  readonly principalKey: string;
  /** may bring back items under other principals' client ids after a relay crash (guard.ts restoresOthersItems) */
  readonly restoresOthers: boolean;
  /** awareness client ids this follower announced, released (broadcast as gone) when it leaves; null until the first */
  awarenessClaims: Set<number> | null;
}

/** Awareness holder for entries announced on another relay process. */
export const REMOTE = Symbol('remote');

export type HeldAwareness = AwarenessEntry & { holder: Follower | typeof REMOTE };

export interface DocEntry {
  readonly doc: ThinDoc;
  /** the name as a lib0 varString, encoded once for every frame sent about this document */
  readonly wireName: Uint8Array;
  readonly followers: Set<Follower>;
  /** presence in this document; null until someone announces any (most idle documents never do) */
  awareness: Map<number, HeldAwareness> | null;
  /** owners the store has confirmed (doc.owners also holds reservations of updates in flight) */
  readonly committedOwners: Set<number>;
  /**
   * Struct ranges the store holds ([P7]: acks are read here). doc.have runs ahead of it by the
   * updates forwarded before their commit, and by those whose append failed until a resend lands.
   */
  readonly committed: ClockRanges;
  /** true when the store had nothing for this name at load */
  readonly createdHere: boolean;
  /** kept in memory regardless of followers (the directory writer holds its document) */
  pinned: boolean;
  /** bytes of the stored log this entry was loaded from (reconciliation's baseline) */
  readonly storedBytesAtLoad: number;
}

interface Internal extends DocEntry {
  /** deletes the store holds (`committed` is the same for structs) */
  readonly committedDeletes: ClockRanges;
  /** settles after every commit (append, then memory and followers) and exclusive section queued so far */
  chain: Promise<void>;
  /** commits and exclusive sections not settled yet */
  pending: number;
  /** exclusive sections queued or running: appends wait for them */
  exclusives: number;
  /** commits in flight that claim client ids (added to memory only once committed) */
  claimsInFlight: number;
  /** per writer's principal key, its updates in memory whose commit is still in flight (forwarded early); null until the first */
  earlyInFlight: Map<string, number> | null;
  idleSince: number;
  sinceCompact: { updates: number; bytes: number };
  compacting: boolean;
  /** waits for a pause in this document's writes before compacting it (compactQuietMs) */
  compactTimer: NodeJS.Timeout | null;
  /** a commit landed since compactTimer was last set */
  writtenSinceCompactCheck: boolean;
  mergeScheduled: boolean;
  unsubscribe: (() => Promise<void>) | null;
}

export interface DocumentsOptions {
  store: DocStore;
  fanout: FanOut | undefined;
  limits: Limits;
  now: () => number;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** after every committed or fanned-in update (directory bookkeeping) */
  onUpdate(entry: DocEntry, update: Uint8Array, remote: boolean): void;
  /** commit latency observer */
  onCommit(ms: number): void;
}

export interface Documents {
  /** Loads (once, however many ask at the same time) and attaches `follower` atomically. */
  acquire(name: string, parsed: ParsedDocName, follower: Follower | null): Promise<DocEntry>;
  release(entry: DocEntry, follower: Follower): void;
  /**
   * Appends to the store; adds to memory and forwards to followers except `from` before the append
   * when `owners` is empty (every client id is the store's already), after it otherwise; fans out
   * after it. Before the append, only `from`'s own principal and staff get it; the other followers
   * after. An update memory already holds (a resend of one forwarded before its append) waits for
   * the commits in flight; if the store still lacks it then, it is appended and forwarded to those
   * other followers, who may never have had it.
   */
  commit(entry: DocEntry, update: Uint8Array, summary: UpdateSummary, owners: ReadonlyMap<number, string>, from: Follower | null): Promise<void>;
  /** true when the store holds every struct and delete of `summary` (memory may hold more: see `committed`) */
  isStored(entry: DocEntry, summary: UpdateSummary): boolean;
  /** Forwards an awareness update to followers except `from`, and to other relay processes. */
  broadcastAwareness(entry: DocEntry, update: Uint8Array, from: Follower | null): void;
  /** Unloads documents idle for longer than the grace period, and the oldest beyond the LRU bound. */
  sweep(): void;
  stats(): { inMemory: number; open: number; bytes: number };
  /** Waits for every commit in flight. */
  flush(): Promise<void>;
  /** Documents in memory now (reconciliation walks them). */
  entries(): DocEntry[];
  /** Runs `fn` after this document's commits in flight and before later ones; keeps it loaded meanwhile. */
  exclusive<T>(entry: DocEntry, fn: () => Promise<T>): Promise<T>;
  /** Adds an update other relays committed (found in the store): memory, every follower, no fan-out. */
  absorb(entry: DocEntry, update: Uint8Array, summary: UpdateSummary, owners: ReadonlyMap<number, string>): void;
  /**
   * Null when `follower` may be sent everything memory holds now. Otherwise memory holds updates of
   * other principals forwarded before their commit, which this follower may not get early: the
   * promise settles once they have committed (or failed), so a handshake answered then carries
   * only what the store holds or the follower could bring back itself.
   */
  whenShareable(entry: DocEntry, follower: Follower): Promise<void> | null;
  close(): Promise<void>;
}

const FAN_UPDATE = 0;
const FAN_AWARENESS = 1;
export const fanoutChannel = (name: string): string => `parley:doc:${name}`;
const ignore = (): void => undefined;
const AWAITED: AppendOptions = { awaited: true };
/**
 * How many rounds of commits a handshake waits for while others keep writing early; past that it is
 * answered from memory (the window left open is then as wide as one commit, in a document written
 * faster than the store commits).
 */
const SHAREABLE_ROUNDS = 4;

/** `name` is the entry's `wireName`: the frame is written in one allocation (frames.ts). */
export function outgoingUpdate(name: Uint8Array, update: Uint8Array): Outgoing {
  let mux: Uint8Array | undefined;
  let yws: Uint8Array | undefined;
  return {
    mux: () => (mux ??= muxUpdate(name, update)),
    yws: () => (yws ??= ywsUpdate(update)),
  };
}

export function outgoingAwareness(name: string, update: Uint8Array): Outgoing {
  let mux: Uint8Array | undefined;
  let yws: Uint8Array | undefined;
  return {
    mux: () => (mux ??= protocol.encodeFrame({ type: protocol.Frame.awareness, doc: name, update })),
    yws: () => (yws ??= protocol.encodeYwsAwareness(update)),
  };
}

/** How far past its thresholds a document's stored log may grow while it waits for a pause. */
const COMPACT_OVERDUE_FACTOR = 4;

export function createDocuments(options: DocumentsOptions): Documents {
  const { store, fanout, limits, now, log } = options;
  const loaded = new Map<string, Internal>();
  const loading = new Map<string, Promise<Internal>>();
  /** idle documents, least recently used first (Map keeps insertion order) */
  const idle = new Map<string, Internal>();

  const markIdle = (e: Internal): void => {
    if (e.followers.size > 0 || e.pending > 0 || e.pinned || !loaded.has(e.doc.name)) return;
    e.idleSince = now();
    idle.delete(e.doc.name);
    idle.set(e.doc.name, e);
    if (idle.size > limits.maxIdleDocs) {
      const oldest = idle.values().next().value;
      if (oldest) unload(oldest);
    }
  };

  const unload = (e: Internal): void => {
    idle.delete(e.doc.name);
    loaded.delete(e.doc.name);
    // Nobody writes to it now: the pause its compaction was waiting for.
    if (e.compactTimer) compactNow(e);
    const unsubscribe = e.unsubscribe;
    e.unsubscribe = null;
    if (unsubscribe) unsubscribe().catch((err: unknown) => log('warn', 'fan-out unsubscribe failed', { doc: e.doc.name, err: String(err) }));
  };

  const forward = (e: Internal, message: Outgoing, from: Follower | null): void => {
    for (const f of e.followers) if (f !== from) f.deliver(message);
  };

  // An update forwarded before its commit is lost with the relay if it crashes meanwhile, and
  // comes back from whoever holds it ([P8]). A customer's device may not bring back a staff item
  // (checkWrite answers 4409, and that refusal takes the customer's own outbox in the same step 2
  // with it), so only the writer's own devices and staff get it early; the rest after the commit.
  // Without a writer (the relay's own writes) nobody would ever need to bring it back.
  const mayRestore = (f: Follower, writer: Follower | null): boolean => writer === null || f.restoresOthers || f.principalKey === writer.principalKey;
  /** Returns whether a follower was left for after the commit (then someone waits for the store). */
  const forwardBeforeCommit = (e: Internal, message: Outgoing, from: Follower | null): boolean => {
    let leftOut = false;
    for (const f of e.followers) {
      if (f === from) continue;
      if (mayRestore(f, from)) f.deliver(message);
      else leftOut = true;
    }
    return leftOut;
  };
  const forwardAfterCommit = (e: Internal, message: Outgoing, from: Follower | null): void => {
    for (const f of e.followers) if (f !== from && !mayRestore(f, from)) f.deliver(message);
  };
  const countEarly = (e: Internal, writer: string, by: 1 | -1): void => {
    const early = (e.earlyInFlight ??= new Map());
    const n = (early.get(writer) ?? 0) + by;
    if (n > 0) early.set(writer, n);
    else early.delete(writer);
  };
  /** Whether memory holds an update forwarded early that `f` may get only after its commit. */
  const holdsEarlyFor = (e: Internal, f: Follower): boolean => {
    if (f.restoresOthers || !e.earlyInFlight?.size) return false;
    for (const writer of e.earlyInFlight.keys()) if (writer !== f.principalKey) return true;
    return false;
  };

  const scheduleHousekeeping = (e: Internal): void => {
    if (e.doc.wantsTidy(limits.mergeAfterUpdates) && !e.mergeScheduled) {
      e.mergeScheduled = true;
      // After the current burst of frames, not inside it (thin-doc.ts: usually O(tail) only).
      setImmediate(() => {
        e.mergeScheduled = false;
        e.doc.tidy();
      });
    }
    if (e.compacting || (e.sinceCompact.updates < limits.compactAfterUpdates && e.sinceCompact.bytes < limits.compactAfterBytes)) return;
    const overdue = e.sinceCompact.updates >= limits.compactAfterUpdates * COMPACT_OVERDUE_FACTOR || e.sinceCompact.bytes >= limits.compactAfterBytes * COMPACT_OVERDUE_FACTOR;
    if (overdue || limits.compactQuietMs <= 0) {
      compactNow(e);
      return;
    }
    // Not a timer per commit: the timer looks back at whether a commit came since it was set.
    e.writtenSinceCompactCheck = true;
    if (e.compactTimer) return;
    e.writtenSinceCompactCheck = false;
    const check = (): void => {
      if (e.writtenSinceCompactCheck) {
        e.writtenSinceCompactCheck = false;
        e.compactTimer = setTimeout(check, limits.compactQuietMs).unref();
      } else compactNow(e);
    };
    e.compactTimer = setTimeout(check, limits.compactQuietMs).unref();
  };

  const compactNow = (e: Internal): void => {
    if (e.compactTimer) clearTimeout(e.compactTimer);
    e.compactTimer = null;
    if (e.compacting) return;
    e.compacting = true;
    // After the current burst of frames, not inside it.
    setImmediate(() => {
      store
        .compact(e.doc.name)
        .then(() => {
          e.sinceCompact = { updates: 0, bytes: 0 };
        })
        .catch((err: unknown) => log('warn', 'compaction failed', { doc: e.doc.name, err: String(err) }))
        .finally(() => {
          e.compacting = false;
        });
    });
  };

  const applyFanned = (e: Internal, message: Uint8Array): void => {
    try {
      const d = decoding.createDecoder(message);
      const kind = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (kind === FAN_UPDATE) {
        const count = decoding.readVarUint(d);
        for (let i = 0; i < count; i++) {
          const client = decoding.readVarUint(d);
          const owner = decoding.readVarString(d);
          if (!e.doc.owners.has(client)) e.doc.owners.set(client, owner);
          e.committedOwners.add(client);
        }
        const summary = inspectUpdate(payload, true);
        // Already in memory (a reconciliation found it in the store first, or the same update was
        // committed here too): its followers have it, every path into memory forwards.
        if (!e.doc.isRedundant(summary)) {
          e.doc.add(payload, summary);
          forward(e, outgoingUpdate(e.wireName, payload), null);
        }
        markCommitted(e, summary);
        options.onUpdate(e, payload, true);
        scheduleHousekeeping(e);
      } else if (kind === FAN_AWARENESS) {
        const d2 = decoding.createDecoder(payload);
        const count = decoding.readVarUint(d2);
        for (let i = 0; i < count; i++) {
          const clientId = decoding.readVarUint(d2);
          const clock = decoding.readVarUint(d2);
          const state = decoding.readVarString(d2);
          const current = e.awareness?.get(clientId);
          if (current && current.holder !== REMOTE) continue;
          if (state === 'null') e.awareness?.delete(clientId);
          else (e.awareness ??= new Map()).set(clientId, { clientId, clock, state, holder: REMOTE });
        }
        forward(e, outgoingAwareness(e.doc.name, payload), null);
      }
    } catch (err) {
      log('warn', 'dropped a malformed fan-out message', { doc: e.doc.name, err: String(err) });
    }
  };

  const load = async (name: string, parsed: ParsedDocName): Promise<Internal> => {
    // Subscribe before loading so nothing published between our read and our subscription is missed;
    // messages that arrive meanwhile wait in `early` (duplicates with the load are harmless).
    let target: Internal | null = null;
    const early: Uint8Array[] = [];
    let unsubscribe: (() => Promise<void>) | null = null;
    if (fanout) {
      unsubscribe = await fanout.subscribe(fanoutChannel(name), (m) => {
        if (target) applyFanned(target, m);
        else early.push(m);
      });
    }
    let stored;
    try {
      stored = await store.load(name);
    } catch (err) {
      if (unsubscribe) await unsubscribe().catch(() => undefined);
      throw err;
    }
    const owners = new Map(stored?.owners ?? []);
    const doc = createThinDoc(name, parsed, owners);
    const committed = createClockRanges();
    const committedDeletes = createClockRanges();
    let bytes = 0;
    for (const u of stored?.updates ?? []) {
      const summary = inspectUpdate(u, true);
      doc.add(u, summary);
      markCommitted({ committed, committedDeletes }, summary);
      bytes += u.byteLength;
    }
    const e: Internal = {
      doc,
      wireName: wireName(name),
      followers: new Set(),
      awareness: null,
      committedOwners: new Set(owners.keys()),
      committed,
      committedDeletes,
      createdHere: stored === null,
      pinned: false,
      storedBytesAtLoad: bytes,
      chain: Promise.resolve(),
      pending: 0,
      exclusives: 0,
      claimsInFlight: 0,
      earlyInFlight: null,
      idleSince: now(),
      sinceCompact: { updates: stored?.updates.length ?? 0, bytes },
      compacting: false,
      compactTimer: null,
      writtenSinceCompactCheck: false,
      mergeScheduled: false,
      unsubscribe,
    };
    doc.tidy();
    target = e;
    for (const m of early) applyFanned(e, m);
    if (stored && stored.updates.length > 1) scheduleHousekeeping(e);
    return e;
  };

  /** `queued`: run from its own place in the chain, behind everything before it (a held resend's second try). */
  const commitNow = (e: Internal, update: Uint8Array, summary: UpdateSummary, owners: ReadonlyMap<number, string>, from: Follower | null, held: boolean, queued = false): Promise<void> => {
    // [P7] Under client ids the store owns, a crash before the commit loses nothing acknowledged:
    // the writer resends what was not acked. So followers need not wait out the commit window.
    // A first write under a new client id waits: until its owner is stored, a follower that
    // re-uploaded the item after a crash would be claiming someone else's client id.
    // Nor while such a write is in flight: memory takes it only after its commit, and an update
    // arriving meanwhile may build on it (a writer's second message while its first, the claim, is
    // committing). Added first, that update would be classified without the item it sits next to
    // (thin-doc.ts), and a customer answering next to it later would be refused as a foreign edit.
    const early = !held && owners.size === 0 && e.claimsInFlight === 0;
    if (owners.size > 0) e.claimsInFlight++;
    const message = outgoingUpdate(e.wireName, update);
    // Some follower gets it only after the commit (all of them when it is not early, a customer for
    // staff's update): the store then commits it without holding it back for company. An agent's
    // reply reached the customer after the commit window plus the fsync (workload 9).
    let awaited = e.followers.size > (from !== null && e.followers.has(from) ? 1 : 0);
    // Memory now runs ahead of the store: a handshake answered from it would hand this update to
    // devices that may not have it before the commit (whenShareable).
    const earlyWriter = early && from !== null ? from.principalKey : null;
    if (early) {
      e.doc.add(update, summary);
      awaited = forwardBeforeCommit(e, message, from);
      if (earlyWriter !== null) countEarly(e, earlyWriter, 1);
    }
    const afterCommit = (t0: number): void => {
      if (owners.size > 0) e.claimsInFlight--;
      if (earlyWriter !== null) countEarly(e, earlyWriter, -1);
      options.onCommit(performance.now() - t0);
      for (const client of owners.keys()) e.committedOwners.add(client);
      markCommitted(e, summary);
      if (!held && !early) {
        e.doc.add(update, summary);
        forward(e, message, from);
      } else {
        // Early: the followers left out before the commit. Held: a resend of an update forwarded
        // early whose first append may have failed, so they may not have it yet (Yjs ignores a
        // second copy).
        forwardAfterCommit(e, message, from);
      }
      e.sinceCompact.updates++;
      e.sinceCompact.bytes += update.byteLength;
      if (fanout) {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, FAN_UPDATE);
        encoding.writeVarUint8Array(enc, update);
        encoding.writeVarUint(enc, owners.size);
        for (const [client, owner] of owners) {
          encoding.writeVarUint(enc, client);
          encoding.writeVarString(enc, owner);
        }
        fanout.publish(fanoutChannel(e.doc.name), encoding.toUint8Array(enc)).catch((err: unknown) => log('warn', 'fan-out publish failed', { doc: e.doc.name, err: String(err) }));
      }
      options.onUpdate(e, update, false);
      scheduleHousekeeping(e);
    };
    // Appends go to the store as they arrive, not one after another's commit: the store keeps
    // call order (its contract) and commits what arrives together in one transaction. Waiting for
    // each commit before the next append allowed one update per commit window per document
    // (~50/s with SQLite's 20 ms window), so a busy conversation's commits fell seconds behind and
    // its customer, who gets others' updates after the commit, waited as long. Only what follows
    // an exclusive section (reconciliation comparing store and memory) waits for it.
    const t0 = performance.now();
    const append = (): Promise<void> => store.append(e.doc.name, update, owners.size > 0 ? owners : undefined, awaited ? AWAITED : undefined);
    const appended = queued || e.exclusives === 0 ? append() : e.chain.then(append);
    // Handled here as well as by `run` below, which may reach it only once earlier commits settled.
    appended.catch(() => {
      if (owners.size > 0) e.claimsInFlight--;
      if (earlyWriter !== null) countEarly(e, earlyWriter, -1);
    });
    // The caller's place in the chain (and its count in `pending`) covers this one.
    if (queued) return appended.then(() => afterCommit(t0));
    // Memory takes committed updates in arrival order: a later update may build on an earlier one.
    return track(e, e.pending === 0 ? appended.then(() => afterCommit(t0)) : e.chain.then(() => appended).then(() => afterCommit(t0)));
  };

  /** Makes `run` the document's last step: later commits and exclusive sections wait for it, and the document stays loaded meanwhile. */
  const track = (e: Internal, run: Promise<void>): Promise<void> => {
    e.pending++;
    e.chain = run.then(undefined, ignore);
    const settled = (): void => {
      e.pending--;
      markIdle(e);
    };
    return run.then(settled, (err: unknown) => {
      settled();
      throw err;
    });
  };

  const isStored = (e: Internal, summary: UpdateSummary): boolean =>
    summary.structs.every((s) => e.committed.covers(s.client, s.clock, s.len)) &&
    summary.deletes.every(([client, clock, len]) => e.committedDeletes.covers(client, clock, len));

  const documents: Documents = {
    async acquire(name, parsed, follower) {
      let e = loaded.get(name);
      if (!e) {
        let p = loading.get(name);
        if (!p) {
          p = load(name, parsed).finally(() => loading.delete(name));
          loading.set(name, p);
        }
        const fresh = await p;
        // Another caller may have put it in `loaded` already: one entry per name.
        e = loaded.get(name) ?? fresh;
        if (!loaded.has(name)) loaded.set(name, e);
      }
      idle.delete(name);
      if (follower) e.followers.add(follower);
      else if (!e.pinned) markIdle(e);
      return e;
    },

    release(entry, follower) {
      const e = entry as Internal;
      e.followers.delete(follower);
      markIdle(e);
    },

    commit(entry, update, summary, owners, from) {
      const e = entry as Internal;
      const held = e.doc.isRedundant(summary);
      if (held && e.pending > 0) {
        // A resend of what memory holds while commits are in flight: usually the writer's socket
        // was replaced before the ack, and the first append is still on its way. Appending it again
        // would put a second copy of every unacked update (a whole step 2) into the store's queue
        // behind it, so it waits for what is in flight and is appended only if that failed.
        return track(e, e.chain.then(() => (isStored(e, summary) ? undefined : commitNow(e, update, summary, owners, from, true, true))));
      }
      return commitNow(e, update, summary, owners, from, held);
    },

    isStored: (entry, summary) => isStored(entry as Internal, summary),

    broadcastAwareness(entry, update, from) {
      const e = entry as Internal;
      forward(e, outgoingAwareness(e.doc.name, update), from);
      if (fanout) {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, FAN_AWARENESS);
        encoding.writeVarUint8Array(enc, update);
        fanout.publish(fanoutChannel(e.doc.name), encoding.toUint8Array(enc)).catch((err: unknown) => log('warn', 'fan-out publish failed', { doc: e.doc.name, err: String(err) }));
      }
    },

    sweep() {
      const cutoff = now() - limits.idleUnloadMs;
      for (const e of idle.values()) {
        if (e.idleSince > cutoff) break;
        if (e.followers.size === 0 && e.pending === 0 && !e.pinned) unload(e);
        else idle.delete(e.doc.name);
      }
    },

    stats() {
      let bytes = 0;
      let open = 0;
      for (const e of loaded.values()) {
        bytes += e.doc.bytes;
        if (e.followers.size > 0) open++;
      }
      return { inMemory: loaded.size, open, bytes };
    },

    async flush() {
      await Promise.all([...loaded.values()].map((e) => e.chain));
    },

    entries() {
      return [...loaded.values()];
    },

    async exclusive(entry, fn) {
      const e = entry as Internal;
      e.pending++;
      e.exclusives++;
      const run = e.chain.then(fn);
      e.chain = run.then(
        () => undefined,
        () => undefined,
      );
      try {
        return await run;
      } finally {
        e.exclusives--;
        e.pending--;
        markIdle(e);
      }
    },

    absorb(entry, update, summary, owners) {
      const e = entry as Internal;
      for (const [client, owner] of owners) {
        if (!e.doc.owners.has(client)) e.doc.owners.set(client, owner);
        e.committedOwners.add(client);
      }
      e.doc.add(update, summary);
      markCommitted(e, summary);
      forward(e, outgoingUpdate(e.wireName, update), null);
      options.onUpdate(e, update, true);
      scheduleHousekeeping(e);
    },

    whenShareable(entry, follower) {
      const e = entry as Internal;
      if (!holdsEarlyFor(e, follower)) return null;
      return (async () => {
        // The chain settles after every commit queued so far, the early ones among them; more
        // may have come meanwhile.
        for (let round = 0; round < SHAREABLE_ROUNDS && holdsEarlyFor(e, follower); round++) await e.chain;
      })();
    },

    async close() {
      await Promise.all([...loaded.values()].map((e) => e.chain));
      // Left for the next start, which loads the log as it is; the store is about to close.
      for (const e of loaded.values()) {
        if (e.compactTimer) clearTimeout(e.compactTimer);
        e.compactTimer = null;
      }
      const unsubs = [...loaded.values()].map((e) => e.unsubscribe).filter((u): u is () => Promise<void> => u !== null);
      loaded.clear();
      idle.clear();
      await Promise.all(unsubs.map((u) => u().catch(() => undefined)));
    },
  };
  return documents;
}

function markCommitted(e: Pick<Internal, 'committed' | 'committedDeletes'>, summary: UpdateSummary): void {
  for (const s of summary.structs) e.committed.add(s.client, s.clock, s.len);
  for (const [client, clock, len] of summary.deletes) e.committedDeletes.add(client, clock, len);
}

/** Encodes the removal of awareness entries (state null, clock + 1), as y-protocols does on disconnect. */
export function awarenessRemoval(entries: AwarenessEntry[]): Uint8Array {
  return encodeAwareness(entries.map((e) => ({ clientId: e.clientId, clock: e.clock + 1, state: 'null' })));
}
