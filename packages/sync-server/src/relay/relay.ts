/**
 * The relay's logic, framework-free: `handleConnection(socket, session)` returns message and close
 * handlers; the Hono shell only upgrades requests and adapts sockets. Rules [P1]–[P12] refer to
 * packages/core/PROTOCOL.md; limits and their defaults are in README.md beside this file.
 */
import * as Y from 'yjs';
import { parseDocName } from '@parley/core';
import type { ParsedDocName } from '@parley/core';
import * as protocol from '@parley/core/protocol';
import { Code, Frame, ProtocolError } from '@parley/core/protocol';
import type { RelaySocket } from '../socket.js';
import type { DocStore } from '../storage/types.js';
import type { FanOut } from '../fanout/types.js';
import { principalKey } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { Limits } from './limits.js';
import { RelayError, forbidden } from './errors.js';
import { inspectUpdate } from './inspect.js';
import { checkWrite, restoresOthersItems } from './guard.js';
import { decodeAwareness, encodeAwareness } from './awareness.js';
import { createDocuments, awarenessRemoval, outgoingAwareness } from './documents.js';
import type { DocEntry, Follower, Outgoing } from './documents.js';
import { COMMIT_BUCKETS_MS, createHistogram, createRateMeter } from './metrics.js';
import type { RelayMetrics } from './metrics.js';
import { createDirectory } from './directory.js';
import { muxAckClocks } from './frames.js';
import { encodeStateVector } from './ranges.js';
import { createReconciler } from './reconcile.js';
import type { ReconcileReport } from './reconcile.js';

export { DEFAULT_LIMITS };
export type { Limits, RelayMetrics, ReconcileReport };

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface RelayOptions {
  store: DocStore;
  /** absent = single process */
  fanout?: FanOut;
  authorize(principal: Principal, doc: string): 'r' | 'rw' | null;
  /** for [P11] auth refresh on /mux */
  verifyToken(token: string): Promise<Principal>;
  limits?: Partial<Limits>;
  log?: LogFn;
  now?: () => number;
  /**
   * With a fan-out: compare each document in memory with the shared store this often and catch up
   * on updates the fan-out never delivered (a relay that died between commit and publish). 0 or
   * absent: off (a single process has nobody else writing to its store).
   */
  reconcileIntervalMs?: number;
  /**
   * BENCHMARK ONLY, breaks [P7]: ack an update as soon as it is validated, before the store has
   * committed it, so an ack can be lost in a crash. Exists to measure what durability costs.
   */
  unsafeAckBeforeCommit?: boolean;
}

export interface ConnectionHandlers {
  onMessage(data: Uint8Array): void;
  onClose(): void;
}

export type Session = { endpoint: 'mux'; principal: Principal } | { endpoint: 'sync'; doc: string; principal: Principal };

export interface Relay {
  handleConnection(socket: RelaySocket, session: Session): ConnectionHandlers;
  metrics(): RelayMetrics;
  /** Live revocation: every socket whose principal matches is closed with 4401. */
  revoke(match: (p: Principal) => boolean): void;
  /**
   * Reloads the documents in memory (or those named) from the store and forwards to their followers
   * what other relays committed and this one never heard of. Call it when the fan-out resubscribed.
   */
  reconcile(names?: readonly string[]): Promise<ReconcileReport>;
  /**
   * The periodic pass, now: reloads only the documents whose stored size moved without this relay
   * hearing of it.
   */
  checkStore(): Promise<ReconcileReport>;
  /** Graceful: refuse new sockets, flush commits and the directory, close sockets with 1001. */
  close(): Promise<void>;
}

interface Connection {
  readonly socket: RelaySocket;
  readonly endpoint: 'mux' | 'sync';
  principal: Principal;
  readonly follows: Map<string, Follow>;
  closed: boolean;
  tokens: number;
  refilledAt: number;
  expiry: NodeJS.Timeout | null;
}

interface Follow extends Follower {
  readonly conn: Connection;
  readonly name: string;
  readonly parsed: ParsedDocName;
  access: 'r' | 'rw';
  entry: DocEntry | null;
  /** frames for this document run in arrival order, after the document has loaded */
  chain: Promise<void>;
  /** frames waiting on `chain` (while 0 and loaded, a frame runs at once) */
  queued: number;
  /** the first step 2 after opening may be as large as maxFirstSyncBytes (an offline backlog) */
  firstSyncAllowance: boolean;
  closed: boolean;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** One frame's work on a document; a promise it returns holds the document's later frames back until it settles (it never rejects). */
type Step = (entry: DocEntry) => void | Promise<void>;

export function createRelay(options: RelayOptions): Relay {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const log: LogFn = options.log ?? (() => undefined);
  const connections = new Set<Connection>();
  const counts = { mux: 0, sync: 0 };
  const rejections: Record<string, number> = {};
  const commitLatency = createHistogram(COMMIT_BUCKETS_MS);
  const updateRate = createRateMeter(now);
  const traffic = { updates: 0, bytesIn: 0, bytesOut: 0 };
  let closing = false;

  const reject = (metric: string): void => {
    rejections[metric] = (rejections[metric] ?? 0) + 1;
  };

  const documents = createDocuments({
    store: options.store,
    fanout: options.fanout,
    limits,
    now,
    log,
    onCommit: (ms) => commitLatency.observe(ms),
    onUpdate: (entry, update, remote) => {
      if (!remote) {
        traffic.updates++;
        updateRate.mark();
      }
      directory.onUpdate(entry, update, remote);
      reconciler.onUpdate(entry, update, remote);
    },
  });

  const reconciler = createReconciler({ store: options.store, documents, log });
  if (options.fanout && options.reconcileIntervalMs) reconciler.start(options.reconcileIntervalMs);

  const directory = createDirectory({ documents, throttleMs: limits.directoryThrottleMs, now, log });

  const sweepTimer = setInterval(() => documents.sweep(), Math.max(50, Math.min(limits.idleUnloadMs / 2, 10_000)));
  sweepTimer.unref();

  // ---- sending and closing -------------------------------------------------------------------

  const send = (conn: Connection, data: Uint8Array): void => {
    if (conn.closed) return;
    if (conn.socket.bufferedAmount > limits.maxBufferedBytes) {
      reject('slow_consumer');
      closeConnection(conn, Code.rateLimited, 'slow consumer: too much unread data');
      return;
    }
    try {
      conn.socket.send(data);
      traffic.bytesOut += data.byteLength;
    } catch (err) {
      log('debug', 'send failed; closing', { err: String(err) });
      closeConnection(conn, Code.internal, 'send failed');
    }
  };

  const sendFrame = (conn: Connection, frame: protocol.MuxFrame): void => send(conn, protocol.encodeFrame(frame));

  const closeConnection = (conn: Connection, code: number, reason: string): void => {
    if (conn.closed) return;
    cleanup(conn);
    try {
      conn.socket.close(code, reason);
    } catch {
      // already gone: nothing to tell it
    }
  };

  const dropFollow = (f: Follow): void => {
    if (f.closed) return;
    f.closed = true;
    f.conn.follows.delete(f.name);
    const entry = f.entry;
    if (!entry) return;
    if (f.awarenessClaims?.size) {
      const gone = [...f.awarenessClaims].flatMap((id) => {
        const a = entry.awareness?.get(id);
        if (!a || a.holder !== f) return [];
        entry.awareness!.delete(id);
        return [a];
      });
      f.awarenessClaims = null;
      if (gone.length > 0) documents.broadcastAwareness(entry, awarenessRemoval(gone), f);
    }
    documents.release(entry, f);
  };

  const cleanup = (conn: Connection): void => {
    if (conn.closed) return;
    conn.closed = true;
    if (conn.expiry) clearTimeout(conn.expiry);
    for (const f of [...conn.follows.values()]) dropFollow(f);
    connections.delete(conn);
    counts[conn.endpoint]--;
  };

  /** The one place errors become wire signals: an error frame where the socket can go on, else a close. */
  const fail = (conn: Connection, doc: string, err: unknown): void => {
    if (conn.closed) return;
    let e: RelayError;
    if (err instanceof RelayError) e = err;
    else if (err instanceof ProtocolError) e = new RelayError(err.code, err.message, 'bad_frame', true);
    else {
      log('error', 'relay bug while handling a frame', { doc, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      e = new RelayError(Code.internal, 'internal error', 'internal', true);
    }
    reject(e.metric);
    log('debug', 'refused', { doc, code: e.code, reason: e.reason });
    if (e.fatal || conn.endpoint === 'sync') closeConnection(conn, e.code, e.reason);
    else sendFrame(conn, { type: Frame.error, doc, code: e.code, reason: e.reason });
  };

  /** Ends one document on a /mux socket (close frame) or the whole /sync socket. */
  const refuseDoc = (conn: Connection, doc: string, code: number, reason: string, metric: string): void => {
    reject(metric);
    const f = conn.follows.get(doc);
    if (f) dropFollow(f);
    if (conn.endpoint === 'sync') closeConnection(conn, code, reason);
    else sendFrame(conn, { type: Frame.close, doc, code, reason });
  };

  // ---- token expiry [P11] --------------------------------------------------------------------

  const scheduleExpiry = (conn: Connection): void => {
    if (conn.expiry) clearTimeout(conn.expiry);
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, conn.principal.expiresAt - now()));
    conn.expiry = setTimeout(() => {
      conn.expiry = null;
      if (now() >= conn.principal.expiresAt) {
        reject('token_expired');
        closeConnection(conn, Code.unauthorised, 'token expired');
      } else scheduleExpiry(conn);
    }, wait);
    conn.expiry.unref();
  };

  // ---- documents on a socket -----------------------------------------------------------------

  const deliverTo = (conn: Connection) => (message: Outgoing) => send(conn, conn.endpoint === 'mux' ? message.mux() : message.yws());

  const follow = (conn: Connection, name: string, parsed: ParsedDocName, access: 'r' | 'rw', onReady: (f: Follow, entry: DocEntry) => void | Promise<void>): Follow => {
    const f: Follow = {
      conn,
      name,
      parsed,
      access,
      entry: null,
      chain: Promise.resolve(),
      queued: 0,
      firstSyncAllowance: true,
      awarenessClaims: null,
      closed: false,
      deliver: deliverTo(conn),
      principalKey: principalKey(conn.principal),
      restoresOthers: restoresOthersItems(conn.principal),
    };
    conn.follows.set(name, f);
    f.chain = documents.acquire(name, parsed, f).then(
      (entry) => {
        f.entry = entry;
        if (f.closed || conn.closed) {
          documents.release(entry, f);
          return;
        }
        const later = onReady(f, entry);
        return later && heldBehind(f, later);
      },
      (err: unknown) => {
        log('warn', 'document load failed', { doc: name, err: String(err) });
        if (!f.closed) refuseDoc(conn, name, Code.storageUnavailable, 'storage unavailable', 'storage_load');
      },
    );
    return f;
  };

  const run = (f: Follow, fn: Step): void | Promise<void> => {
    if (f.closed || f.conn.closed || !f.entry) return;
    try {
      return fn(f.entry);
    } catch (err) {
      fail(f.conn, f.name, err);
    }
  };

  /**
   * Counts `later` (a step that was not done at once) in `queued` until it settles, so that frames
   * arriving meanwhile go behind it instead of running at once. Call it in the same turn as the step.
   */
  const heldBehind = (f: Follow, later: Promise<void>): Promise<void> => {
    f.queued++;
    return later.then(() => {
      f.queued--;
    });
  };

  /**
   * Runs `fn` for this document after everything that arrived before it; errors become frames.
   * Once the document is loaded and nothing waits, that is now: a promise per frame was a
   * measurable share of the relay's CPU per message.
   */
  const enqueue = (f: Follow, fn: Step): void => {
    if (f.entry && f.queued === 0) {
      const later = run(f, fn);
      if (later) {
        const held = heldBehind(f, later);
        f.chain = f.chain.then(() => held);
      }
      return;
    }
    f.queued++;
    f.chain = f.chain.then(() => {
      const later = run(f, fn);
      f.queued--;
      return later && heldBehind(f, later);
    });
  };

  /**
   * Answers a handshake once memory holds nothing this follower may get only after its commit
   * (documents.ts whenShareable): a customer's device opening while an agent's reply is between
   * forwarding and commit would otherwise get it from memory, and after a relay crash in that
   * window its next step 2 would carry the lost reply and be refused whole with 4409, its own
   * unsent messages with it. The wait is a commit or so, and only while someone else's early
   * update is in flight.
   */
  const whenShareable = (f: Follow, entry: DocEntry, answer: (entry: DocEntry) => void): void | Promise<void> => {
    const wait = documents.whenShareable(entry, f);
    if (!wait) return answer(entry);
    return wait.then(() => {
      run(f, answer);
    });
  };

  const readStateVector = (sv: Uint8Array): Uint8Array => {
    try {
      Y.decodeStateVector(sv);
      return sv;
    } catch {
      throw new RelayError(Code.badFrame, 'malformed state vector', 'bad_frame');
    }
  };

  /**
   * The answer to state vector `sv` as [kind, update] pairs: the document's parts as updates, the
   * last one as step 2 (thin-doc.ts: merging them first is O(document)). Step 2 comes last because
   * a stock y-websocket client reports `synced` the moment it applies step 2.
   */
  const syncReply = (entry: DocEntry, sv: Uint8Array): Array<[number, Uint8Array]> =>
    entry.doc.diffParts(sv).map((part, i, parts) => [i === parts.length - 1 ? protocol.syncStep2 : protocol.syncUpdate, part]);
  const muxSyncReply = (entry: DocEntry, sv: Uint8Array): Uint8Array[] => syncReply(entry, sv).map(([kind, part]) => protocol.encodeSyncMessage(kind, part));

  /**
   * What the relay asks a joining client for ([P7]): everything the store lacks, so a writer whose
   * update was forwarded but not committed (its append failed, or it reconnected before the ack)
   * sends it again, and so does a follower that got it.
   */
  const committedStateVector = (entry: DocEntry): Uint8Array => encodeStateVector(entry.committed);

  const awarenessSnapshot = (entry: DocEntry): Uint8Array | null =>
    entry.awareness?.size ? encodeAwareness(entry.awareness.values()) : null;

  /** [P7] [P8] [P5] [P6] [P1]: validate, then commit; ack only after the store said yes. */
  const receiveUpdate = (f: Follow, entry: DocEntry, update: Uint8Array): void => {
    const conn = f.conn;
    const summary = inspectUpdate(update);
    const doc = entry.doc;
    // [P7] The ack carries, for each client the update wrote under, how far the relay has everything
    // committed. Y.encodeStateVectorFromUpdate would be empty for an incremental update (it counts
    // only from clock 0), so the committed prefix is what tells the client its items are `sent`.
    // Committed, not merely held: memory runs ahead of the store by what was forwarded before its
    // commit. `claimed` (unsafe mode only): ack the clocks the update itself reaches, committed or not.
    const sendAck = (claimed?: ReadonlyMap<number, number>): void => {
      if (conn.endpoint !== 'mux') return;
      const clocks: number[] = [];
      for (const c of summary.ends.keys()) {
        const committed = claimed ? Math.max(claimed.get(c) ?? 0, entry.committed.prefix(c)) : entry.committed.prefix(c);
        if (committed > 0) clocks.push(c, committed);
      }
      send(conn, muxAckClocks(entry.wireName, clocks));
    };
    if (doc.isRedundant(summary)) {
      // Held but not all committed: a resend of what was forwarded before its append, in flight or
      // failed. A writer's resend goes to commit(), which waits for the first append and appends
      // again only if that failed, so its ack waits for a commit that is sure to come; a reader
      // has nothing to be acked.
      if (documents.isStored(entry, summary) || f.access !== 'rw' || doc.parsed.kind === 'directory') {
        sendAck();
        return;
      }
    }
    if (doc.parsed.kind === 'directory') throw forbidden('the directory is written by the relay only', 'directory_write');
    if (f.access !== 'rw') throw forbidden('read-only access to this document', 'read_only');
    const claims = checkWrite(doc, summary, conn.principal, entry.committedOwners);
    if (doc.bytes + update.byteLength > limits.maxDocumentBytes) {
      if (doc.logLength > 1) doc.merged();
      if (doc.bytes + update.byteLength > limits.maxDocumentBytes) throw new RelayError(Code.tooLarge, 'document too large', 'document_too_large');
    }
    // Reserve new client ids now so a concurrent update from someone else cannot claim them too.
    const reserved: number[] = [];
    for (const [client, owner] of claims) {
      if (!doc.owners.has(client)) {
        doc.owners.set(client, owner);
        reserved.push(client);
      }
    }
    if (options.unsafeAckBeforeCommit) sendAck(summary.ends);
    documents.commit(entry, update, summary, claims, f).then(options.unsafeAckBeforeCommit ? undefined : () => sendAck(), (err: unknown) => {
      for (const client of reserved) if (!entry.committedOwners.has(client)) doc.owners.delete(client);
      log('warn', 'append failed', { doc: f.name, err: String(err) });
      fail(conn, f.name, new RelayError(Code.storageUnavailable, 'storage unavailable: not committed, keep it and resend', 'storage_append'));
    });
  };

  const receiveAwareness = (f: Follow, entry: DocEntry, update: Uint8Array): void => {
    const decoded = decodeAwareness(update);
    // From the connection, not f.principalKey: a refreshed token may carry another principal.
    const key = principalKey(f.conn.principal);
    const foreign = (clientId: number): boolean => {
      const current = entry.awareness?.get(clientId);
      const owner = entry.doc.owners.get(clientId);
      return (current !== undefined && current.holder !== f) || (owner !== undefined && owner !== key);
    };
    // Stock y-websocket sends back every awareness entry it receives (its handler ignores the
    // origin) and broadcasts the removal (state null) of peers it timed out. Neither claims
    // anything, so on /sync, and for removals anywhere, another client's entries are dropped
    // quietly: never applied, never forwarded. Refusing them closed the stock client's socket with
    // 4403, and y-websocket 3.1 does not reconnect after a 44xx. Parley's client never announces
    // another id, so on /mux a foreign state stays a 4403 error.
    const echo = (a: { clientId: number; state: string }): boolean => (a.state === 'null' || f.conn.endpoint === 'sync') && foreign(a.clientId);
    const entries = decoded.filter((a) => !echo(a));
    for (const a of entries) {
      if (foreign(a.clientId)) {
        throw new RelayError(Code.forbidden, `awareness client id ${a.clientId} belongs to someone else`, 'awareness_claim');
      }
    }
    if (entries.length === 0) return;
    if (entries.length < decoded.length) update = encodeAwareness(entries);
    for (const a of entries) {
      if (a.state === 'null') {
        entry.awareness?.delete(a.clientId);
        f.awarenessClaims?.delete(a.clientId);
      } else {
        (entry.awareness ??= new Map()).set(a.clientId, { ...a, holder: f });
        (f.awarenessClaims ??= new Set()).add(a.clientId);
      }
    }
    documents.broadcastAwareness(entry, update, f);
  };

  // ---- /mux ----------------------------------------------------------------------------------

  const openMux = (conn: Connection, name: string, stateVector: Uint8Array): void => {
    const parsed = parseDocName(name);
    if (!parsed) return refuseDoc(conn, name, Code.notFound, 'not a Parley document', 'not_found');
    const access = options.authorize(conn.principal, name);
    if (!access) return refuseDoc(conn, name, Code.forbidden, 'not allowed', 'forbidden');
    const sv = readStateVector(stateVector);
    const initialSync = (f: Follow, entry: DocEntry): void | Promise<void> =>
      whenShareable(f, entry, () => {
        for (const message of muxSyncReply(entry, sv)) sendFrame(conn, { type: Frame.sync, doc: name, message });
        sendFrame(conn, { type: Frame.sync, doc: name, message: protocol.encodeSyncMessage(protocol.syncStep1, committedStateVector(entry)) });
        sendFrame(conn, { type: Frame.synced, doc: name });
        const snapshot = awarenessSnapshot(entry);
        if (snapshot) f.deliver(outgoingAwareness(name, snapshot));
      });
    const existing = conn.follows.get(name);
    if (existing) {
      // A second open on the same socket is a resync request: answer it the same way.
      existing.access = access;
      existing.firstSyncAllowance = true;
      enqueue(existing, (entry) => initialSync(existing, entry));
      return;
    }
    if (conn.follows.size >= limits.maxDocsPerSocket) return refuseDoc(conn, name, Code.rateLimited, `at most ${limits.maxDocsPerSocket} documents per socket`, 'docs_per_socket');
    follow(conn, name, parsed, access, initialSync);
  };

  const onMux = (conn: Connection, data: Uint8Array): void => {
    const frame = protocol.decodeFrame(data);
    try {
      handleMuxFrame(conn, frame, data);
    } catch (err) {
      fail(conn, 'doc' in frame ? frame.doc : '', err);
    }
  };

  const handleMuxFrame = (conn: Connection, frame: protocol.MuxFrame, data: Uint8Array): void => {
    switch (frame.type) {
      case Frame.open:
        return openMux(conn, frame.doc, frame.stateVector);
      case Frame.close: {
        const f = conn.follows.get(frame.doc);
        if (f) dropFollow(f);
        return;
      }
      case Frame.sync: {
        const f = conn.follows.get(frame.doc);
        if (!f) throw new RelayError(Code.badFrame, 'document not open on this socket', 'not_open');
        const { kind, payload } = protocol.decodeSyncMessage(frame.message);
        checkSyncSize(f, kind, data.byteLength, payload.byteLength);
        return enqueue(f, (entry) => {
          if (kind !== protocol.syncStep1) return receiveUpdate(f, entry, payload);
          const sv = readStateVector(payload);
          return whenShareable(f, entry, () => {
            for (const message of muxSyncReply(entry, sv)) sendFrame(conn, { type: Frame.sync, doc: f.name, message });
          });
        });
      }
      case Frame.awareness: {
        const f = conn.follows.get(frame.doc);
        if (!f) throw new RelayError(Code.badFrame, 'document not open on this socket', 'not_open');
        if (data.byteLength > limits.maxFrameBytes) throw new RelayError(Code.tooLarge, 'awareness update too large', 'too_large');
        return enqueue(f, (entry) => receiveAwareness(f, entry, frame.update));
      }
      case Frame.auth:
        return refreshAuth(conn, frame.token);
      default:
        throw new RelayError(Code.badFrame, `frame type ${frame.type} is relay → client only`, 'bad_frame', true);
    }
  };

  const checkSyncSize = (f: Follow, kind: number, frameBytes: number, payloadBytes: number): void => {
    const firstSync = kind === protocol.syncStep2 && f.firstSyncAllowance;
    if (kind === protocol.syncStep2) f.firstSyncAllowance = false;
    if (frameBytes > (firstSync ? limits.maxFirstSyncBytes : limits.maxFrameBytes)) throw new RelayError(Code.tooLarge, 'frame too large', 'too_large');
    if (kind === protocol.syncUpdate && payloadBytes > limits.maxUpdateBytes) throw new RelayError(Code.tooLarge, 'update too large', 'too_large');
  };

  const refreshAuth = (conn: Connection, token: string): void => {
    options.verifyToken(token).then(
      (principal) => {
        if (conn.closed) return;
        conn.principal = principal;
        scheduleExpiry(conn);
        for (const f of [...conn.follows.values()]) {
          const access = options.authorize(principal, f.name);
          if (access) f.access = access;
          else refuseDoc(conn, f.name, Code.forbidden, 'the new token does not cover this document', 'forbidden');
        }
      },
      () => {
        reject('bad_token');
        closeConnection(conn, Code.unauthorised, 'invalid token');
      },
    );
  };

  // ---- /sync/<doc> (stock y-websocket) ------------------------------------------------------------

  const openSync = (conn: Connection, name: string): void => {
    const parsed = parseDocName(name);
    if (!parsed) return refuseDoc(conn, name, Code.notFound, 'not a Parley document', 'not_found');
    const access = options.authorize(conn.principal, name);
    if (!access) return refuseDoc(conn, name, Code.forbidden, 'not allowed', 'forbidden');
    follow(conn, name, parsed, access, (f, entry) => {
      send(conn, protocol.encodeYwsSync(protocol.syncStep1, committedStateVector(entry)));
      const snapshot = awarenessSnapshot(entry);
      if (snapshot) f.deliver(outgoingAwareness(name, snapshot));
    });
  };

  const onYws = (conn: Connection, data: Uint8Array): void => {
    const message = protocol.decodeYwsMessage(data);
    const f = conn.follows.values().next().value;
    if (!f) return;
    switch (message.type) {
      case protocol.messageSync:
        checkSyncSize(f, message.kind, data.byteLength, message.payload.byteLength);
        return enqueue(f, (entry) => {
          if (message.kind !== protocol.syncStep1) return receiveUpdate(f, entry, message.payload);
          const sv = readStateVector(message.payload);
          return whenShareable(f, entry, () => {
            for (const [kind, part] of syncReply(entry, sv)) send(conn, protocol.encodeYwsSync(kind, part));
          });
        });
      case protocol.messageAwareness:
        if (data.byteLength > limits.maxFrameBytes) throw new RelayError(Code.tooLarge, 'awareness update too large', 'too_large');
        return enqueue(f, (entry) => receiveAwareness(f, entry, message.update));
      case protocol.messageQueryAwareness:
        return enqueue(f, (entry) => {
          const snapshot = awarenessSnapshot(entry);
          if (snapshot) send(conn, protocol.encodeYwsAwareness(snapshot));
        });
      default:
        return; // messageAuth: authentication happened before the upgrade [P3]
    }
  };

  // ---- the socket ----------------------------------------------------------------------------

  /** Token bucket: `frameBurst` frames at once, refilled at `framesPerSecond`. */
  const takeToken = (conn: Connection): boolean => {
    const t = now();
    conn.tokens = Math.min(limits.frameBurst, conn.tokens + ((t - conn.refilledAt) / 1000) * limits.framesPerSecond);
    conn.refilledAt = t;
    if (conn.tokens < 1) return false;
    conn.tokens -= 1;
    return true;
  };

  const onMessage = (conn: Connection, data: Uint8Array): void => {
    if (conn.closed) return;
    traffic.bytesIn += data.byteLength;
    if (!takeToken(conn)) return fail(conn, '', new RelayError(Code.rateLimited, 'too many frames', 'rate', true));
    if (data.byteLength > Math.max(limits.maxFrameBytes, limits.maxFirstSyncBytes)) {
      return fail(conn, '', new RelayError(Code.tooLarge, 'frame too large', 'too_large', true));
    }
    try {
      if (conn.endpoint === 'mux') onMux(conn, data);
      else onYws(conn, data);
    } catch (err) {
      fail(conn, '', err);
    }
  };

  return {
    handleConnection(socket, session) {
      const conn: Connection = {
        socket,
        endpoint: session.endpoint,
        principal: session.principal,
        follows: new Map(),
        closed: false,
        tokens: limits.frameBurst,
        refilledAt: now(),
        expiry: null,
      };
      if (closing) {
        socket.close(Code.goingAway, 'relay shutting down');
        return { onMessage: () => undefined, onClose: () => undefined };
      }
      connections.add(conn);
      counts[conn.endpoint]++;
      scheduleExpiry(conn);
      if (session.endpoint === 'sync') openSync(conn, session.doc);
      return { onMessage: (data) => onMessage(conn, data), onClose: () => cleanup(conn) };
    },

    metrics() {
      const docs = documents.stats();
      return {
        connections: { ...counts },
        openDocuments: docs.open,
        documentsInMemory: docs.inMemory,
        documentBytes: docs.bytes,
        updatesTotal: traffic.updates,
        updatesPerSecond: updateRate.perSecond(),
        bytesIn: traffic.bytesIn,
        bytesOut: traffic.bytesOut,
        commitLatencyMs: { bounds: commitLatency.bounds.slice(), counts: commitLatency.counts.slice(), count: commitLatency.count, sum: commitLatency.sum },
        rejections: { ...rejections },
      };
    },

    revoke(match) {
      for (const conn of [...connections]) {
        if (match(conn.principal)) {
          reject('revoked');
          closeConnection(conn, Code.unauthorised, 'access revoked');
        }
      }
    },

    reconcile(names) {
      return reconciler.refresh(names);
    },

    checkStore() {
      return reconciler.check();
    },

    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweepTimer);
      await reconciler.stop();
      await directory.flush();
      await documents.flush();
      for (const conn of [...connections]) closeConnection(conn, Code.goingAway, 'relay shutting down');
      await documents.close();
    },
  };
}
