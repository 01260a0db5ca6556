/**
 * ParleyClient: one multiplexed socket to the relay's `/mux`, many documents, each kept in a local
 * replica first. See README.md beside this file for the lifecycle; PROTOCOL.md for the rules cited.
 *
 * Origins: updates applied from the relay carry the client object as their transaction origin, so
 * the update listener never sends them back ([P8]); updates read from the replica carry `fromReplica`,
 * so they are neither stored again (y-indexeddb issue 31) nor sent as updates (the handshake's
 * step 2 sends whatever the relay lacks, [P9]). Everything else is a local edit: stored, then sent.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import { ParleyError } from '../errors.js';
import { Code, Frame, decodeFrame, decodeSyncMessage, encodeFrame, encodeSyncMessage, isRetryable, syncStep1, syncStep2, syncUpdate, type MuxFrame } from '../protocol.js';
import type { ReplicaStore } from '../persistence/types.js';
import { createMemoryStore } from '../persistence/memory-store.js';
import type { AckSource } from './ack-source.js';
import { createAckTracker, type AckTracker } from './ack-tracker.js';
import { createBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import { assertOpenable, createDocHandle } from './doc-handle.js';
import { isEmptyUpdate } from './state-vectors.js';
import { OPEN, realTimers, toBytes, type Timers, type WebSocketConstructor, type WebSocketLike } from './transport.js';
import { isFinalForDoc, wireError } from './wire-errors.js';

export type TokenProvider = () => string | Promise<string>;

export interface ClientOptions {
  /** The relay's websocket origin, e.g. `wss://chat.example.com`; `/mux?token=…` is appended. */
  url: string;
  /** A token, or a function asked for one before every connection (refresh lives there). */
  token: string | TokenProvider;
  /** Defaults to `globalThis.WebSocket`; Node 20 has none, so pass `ws`'s export there. */
  WebSocket?: WebSocketConstructor;
  /** Where replicas live; defaults to memory (nothing survives the process). */
  store?: ReplicaStore;
  backoff?: BackoffOptions;
  /** random source for backoff jitter (tests and the fuzz pass a seeded one) */
  random?: () => number;
  timers?: Timers;
  /** Connect on creation (default true). */
  connect?: boolean;
  /** Makes each document's Y.Doc; the fuzz pins client ids with it so a seed replays exactly. */
  createDoc?: (name: string) => Y.Doc;
  /**
   * How long the relay may stay silent while it owes this client something (the socket's opening,
   * a handshake, an ack) before the socket is taken for dead and replaced. Default 20 s; it doubles
   * after each socket replaced this way (up to 4×), for links slow enough to need it.
   */
  answerTimeoutMs?: number;
}

export type ConnectionStatus = 'connecting' | 'connected' | 'offline' | 'unauthorised' | 'closed';

export interface ErrorContext {
  /** the document concerned; absent for socket-wide errors */
  doc?: string;
  /** the relay's close or error code, when the error came from the relay */
  code?: number;
}

export type ClientEvents = {
  status: (status: ConnectionStatus) => void;
  synced: (doc: string) => void;
  error: (error: ParleyError, context: ErrorContext) => void;
};

export type DocEvents = {
  synced: () => void;
  error: (error: ParleyError) => void;
  /** the relay refused or closed the document; the client stops asking for it */
  closed: (error: ParleyError) => void;
};

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  /** resolves once the local replica is applied (works offline) */
  readonly whenLoaded: Promise<void>;
  /** resolves once the relay's state has been merged; rejects if the relay closes the document */
  readonly whenSynced: Promise<void>;
  readonly acks: AckSource;
  /** set when the relay closed the document (4403, 4404, …) */
  readonly closedBy: ParleyError | null;
  on<E extends keyof DocEvents>(event: E, listener: DocEvents[E]): () => void;
  /** Stops following the document when the last handle is released; resolves after pending writes. */
  release(): Promise<void>;
}

export interface ParleyClient {
  open(name: string): DocHandle;
  readonly status: ConnectionStatus;
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void;
  /** Replaces the token: sent as an `auth` frame on a live socket ([P11]), used for the next connection otherwise. */
  setToken(token: string): void;
  /** Reconnects now (e.g. the page came back online) instead of waiting out the backoff. */
  reconnect(): void;
  /** Closes the socket (1000) and every document; resolves after their pending replica writes. */
  close(): Promise<void>;
}

/** Long enough for a busy relay's commit; short enough that a message sent into a dead socket is not left pending for long. */
const DEFAULT_ANSWER_TIMEOUT_MS = 20_000;
/** The answer timeout grows to at most this many times its base while sockets keep being replaced. */
const MAX_ANSWER_STRETCH = 4;

/** A refused document (4503 and other retryable closes) is asked for again after these delays. */
const DOC_RETRY_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

/** The transaction origin of updates read from the replica store. */
export const fromReplica = Symbol('parley.fromReplica');

interface Entry {
  name: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  acks: AckTracker;
  events: ObservableV2<DocEvents>;
  refs: number;
  loaded: boolean;
  whenLoaded: Promise<void>;
  whenSynced: Promise<void>;
  resolveSynced: () => void;
  rejectSynced: (err: ParleyError) => void;
  /** idle: not open on this socket; opening: `open` sent, relay's step 1 not answered yet; open: live */
  phase: 'idle' | 'opening' | 'open';
  closedBy: ParleyError | null;
  writes: Set<Promise<void>>;
  ackSave: { running: boolean; dirty: boolean };
  retryTimer: unknown;
  /**
   * This document's own retry delays. They start over once the relay has taken what this client
   * wrote (an ack), or synced a handshake that had nothing to upload: an earlier bad hour, or
   * another document's, does not stretch the next retry to 30 s.
   */
  retryBackoff: Backoff;
  /** the last handshake uploaded a step 2 that no ack has confirmed yet */
  uploadUnconfirmed: boolean;
  /** updates (step 2 included) sent on this socket that the relay has neither acked nor refused yet ([P7]: one answer each) */
  unanswered: number;
  /** awareness client ids learnt from the relay: never announced back */
  remotePresence: Set<number>;
  detach: () => void;
}

export function createClient(options: ClientOptions): ParleyClient {
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const noWebSocket = (): ParleyError => new ParleyError('invalid_argument', 'no WebSocket here: pass options.WebSocket (in Node: the ws package)');
  if (!WebSocketClass && options.connect !== false) throw noWebSocket();
  const events = new ObservableV2<ClientEvents>();
  const store = options.store ?? createMemoryStore();
  const timers = options.timers ?? realTimers;
  const backoff = createBackoff(options.backoff, options.random);
  const entries = new Map<string, Entry>();
  let token = options.token;
  let status: ConnectionStatus = 'offline';
  let socket: WebSocketLike | null = null;
  let reconnectTimer: unknown = null;
  let stableTimer: unknown = null;
  let handshakeRefused = false;
  let closed = false;
  let stopListening = (): void => undefined;

  const setStatus = (next: ConnectionStatus): void => {
    if (status === next) return;
    status = next;
    events.emit('status', [next]);
  };
  const report = (error: ParleyError, context: ErrorContext = {}): void => {
    events.emit('error', [error, context]);
    if (context.doc) entries.get(context.doc)?.events.emit('error', [error]);
  };
  const send = (frame: MuxFrame): boolean => {
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(encodeFrame(frame));
    return true;
  };

  // ---- connection -------------------------------------------------------------------------

  const connect = async (): Promise<void> => {
    if (closed || socket) return;
    reconnectTimer = null;
    setStatus('connecting');
    let current: string;
    try {
      current = typeof token === 'string' ? token : await token();
    } catch (err) {
      report(new ParleyError('unauthorised', 'token provider failed', { cause: err }));
      return scheduleReconnect();
    }
    if (closed || socket) return;
    if (!WebSocketClass) {
      report(noWebSocket());
      return setStatus('closed');
    }
    let ws: WebSocketLike;
    try {
      ws = new WebSocketClass(`${options.url.replace(/\/$/, '')}/mux?token=${encodeURIComponent(current)}`) as WebSocketLike;
    } catch (err) {
      report(new ParleyError('invalid_argument', `cannot open a socket to ${options.url}`, { cause: err }));
      return scheduleReconnect();
    }
    ws.binaryType = 'arraybuffer';
    socket = ws;
    handshakeRefused = false;
    // A socket that never opens (its SYN lost in a dead network) is replaced like a silent one.
    expectAnswer();
    ws.onopen = () => {
      if (socket !== ws) return;
      heardSinceCheck = true;
      setStatus('connected');
      stableTimer = timers.setTimeout(() => backoff.reset(), backoff.stableMs);
      for (const entry of entries.values()) openOnRelay(entry);
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      heardSinceCheck = true;
      const bytes = toBytes(event.data);
      if (bytes) receive(bytes);
    };
    ws.onerror = (event) => {
      // Node's ws says why a handshake failed; browsers only report a close (1006) and we retry
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message === 'string' && /\b401\b/.test(message)) handshakeRefused = true;
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      onSocketClosed(handshakeRefused ? Code.unauthorised : event.code, event.reason);
    };
  };

  const onSocketClosed = (code: number, reason: string): void => {
    socket = null;
    if (stableTimer !== null) timers.clearTimeout(stableTimer);
    stableTimer = null;
    if (answerTimer !== null) timers.clearTimeout(answerTimer);
    answerTimer = null;
    for (const entry of entries.values()) {
      entry.phase = 'idle';
      // The next socket's handshake re-sends whatever the relay lacks ([P9]); nothing is owed on it yet.
      entry.unanswered = 0;
      forgetRemoteAwareness(entry);
    }
    if (closed) return setStatus('closed');
    if (code === Code.unauthorised) {
      report(wireError(code, reason), { code });
      // a provider may hand out a fresh token; a fixed one will not get better by retrying
      if (typeof token === 'string') return setStatus('unauthorised');
      return scheduleReconnect();
    }
    if (isRetryable(code) || (code < 4000 && code !== Code.normal)) return scheduleReconnect();
    report(wireError(code, reason), { code });
    setStatus('closed');
  };

  // ---- liveness ------------------------------------------------------------------------------
  // A socket can die without a close: the phone left the Wi-Fi, a NAT forgot the mapping. TCP says
  // nothing for many minutes then, and a message sent into it would stay pending all that time.
  // Browsers cannot send pings, so the client watches what it is owed instead: while the relay owes
  // an answer (the socket's opening, a handshake, an ack), it must say something, anything, within
  // the answer timeout, or the socket is replaced. The relay pings from its side (sync-server's
  // heartbeat), which browsers answer by themselves.

  const answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  /** grows while sockets are replaced for silence (a link too slow for the base timeout), 1 again after an answer */
  let answerStretch = 1;
  let answerTimer: unknown = null;
  let heardSinceCheck = false;

  const owesAnswer = (): boolean => {
    if (!socket) return false;
    if (socket.readyState !== OPEN) return true;
    for (const entry of entries.values()) if (entry.phase === 'opening' || entry.unanswered > 0) return true;
    return false;
  };
  /** Called after sending anything the relay must answer; one timer serves the whole socket. */
  const expectAnswer = (): void => {
    if (answerTimer !== null) return;
    heardSinceCheck = false;
    answerTimer = timers.setTimeout(checkAnswered, answerTimeoutMs * answerStretch);
  };
  /** The relay answered in time: a stretched timeout goes back to its base, the period under way included. */
  const answered = (): void => {
    if (answerStretch === 1) return;
    answerStretch = 1;
    if (answerTimer === null) return;
    timers.clearTimeout(answerTimer);
    answerTimer = null;
    expectAnswer();
  };
  const checkAnswered = (): void => {
    answerTimer = null;
    if (!owesAnswer()) return;
    // Heard from, so alive: the answer may be queued behind other frames. Still sending: the relay
    // cannot answer what it has not received yet. Either way, watch one more period.
    if (heardSinceCheck || (socket?.bufferedAmount ?? 0) > 0) return expectAnswer();
    answerStretch = Math.min(answerStretch * 2, MAX_ANSWER_STRETCH);
    const silent = socket!;
    // Forgotten first, so nothing it reports later is taken for the new socket's news.
    onSocketClosed(1006, 'the relay stopped answering');
    // close() would wait for a closing handshake the dead link cannot carry; ws can just let go.
    const terminate = (silent as { terminate?: () => void }).terminate;
    if (typeof terminate === 'function') terminate.call(silent);
    else silent.close(Code.normal, 'no answer');
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer !== null) return;
    setStatus('offline');
    reconnectTimer = timers.setTimeout(() => void connect(), backoff.next());
  };

  // ---- documents on the wire ----------------------------------------------------------------

  /** [P9]: `open` with our state vector; local edits wait for the step 2 we send after the relay's step 1. */
  const openOnRelay = (entry: Entry): void => {
    if (!entry.loaded || entry.closedBy || entry.phase !== 'idle') return;
    if (!send({ type: Frame.open, doc: entry.name, stateVector: Y.encodeStateVector(entry.doc) })) return;
    entry.phase = 'opening';
    expectAnswer();
  };

  const receive = (bytes: Uint8Array): void => {
    let frame: MuxFrame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      return report(new ParleyError('bad_frame', `relay sent a malformed frame: ${(err as Error).message}`));
    }
    if (frame.type === Frame.auth) return;
    if (frame.type === Frame.error && frame.doc === '') return report(wireError(frame.code, frame.reason), { code: frame.code });
    const entry = entries.get(frame.doc);
    if (!entry) return; // a late frame for a document we released
    try {
      onDocFrame(entry, frame);
    } catch (err) {
      report(err instanceof ParleyError ? err : new ParleyError('bad_frame', `could not apply relay data: ${(err as Error).message}`, { cause: err }), { doc: entry.name });
    }
  };

  const onDocFrame = (entry: Entry, frame: Exclude<MuxFrame, { type: typeof Frame.auth }>): void => {
    switch (frame.type) {
      case Frame.sync: {
        const { kind, payload } = decodeSyncMessage(frame.message);
        if (kind === syncStep1) {
          // what the relay holds it has committed ([P7]), so items it already has count as sent
          if (entry.acks.merge(payload)) saveAcked(entry);
          const missing = Y.encodeStateAsUpdate(entry.doc, payload);
          entry.uploadUnconfirmed = !isEmptyUpdate(missing);
          if (entry.uploadUnconfirmed && send({ type: Frame.sync, doc: entry.name, message: encodeSyncMessage(syncStep2, missing) })) {
            entry.unanswered++;
            expectAnswer();
          }
          entry.phase = 'open';
          // announced only once the relay has accepted the document, never for a refused one; this
          // includes states bridged in from other tabs, but never what the relay itself told us
          const ours = [...entry.awareness.getStates().keys()].filter((id) => !entry.remotePresence.has(id));
          if (ours.length > 0) send({ type: Frame.awareness, doc: entry.name, update: awarenessProtocol.encodeAwarenessUpdate(entry.awareness, ours) });
        } else {
          Y.applyUpdate(entry.doc, payload, client);
        }
        return;
      }
      case Frame.synced:
        answered();
        if (!entry.uploadUnconfirmed) entry.retryBackoff.reset();
        entry.resolveSynced();
        entry.events.emit('synced', []);
        events.emit('synced', [entry.name]);
        return;
      case Frame.ack:
        answered();
        if (entry.unanswered > 0) entry.unanswered--;
        entry.uploadUnconfirmed = false;
        entry.retryBackoff.reset();
        if (entry.acks.merge(frame.stateVector)) saveAcked(entry);
        return;
      case Frame.awareness:
        awarenessProtocol.applyAwarenessUpdate(entry.awareness, frame.update, client);
        return;
      case Frame.close:
        entry.phase = 'idle';
        entry.unanswered = 0;
        forgetRemoteAwareness(entry);
        if (isFinalForDoc(frame.code)) return closeByRelay(entry, frame.code, frame.reason);
        report(wireError(frame.code, frame.reason, entry.name), { doc: entry.name, code: frame.code });
        return scheduleReopen(entry);
      case Frame.error:
        // Usually the refusal of one update. When it was about presence instead, the count runs one
        // short: a dead socket then goes unnoticed until the next send, never a live one replaced.
        if (entry.unanswered > 0) entry.unanswered--;
        report(wireError(frame.code, frame.reason, entry.name), { doc: entry.name, code: frame.code });
        // Nothing was acked, and the refused edits stay in the replica (it is the outbox), so a
        // fresh handshake after the document's backoff resends what the relay still lacks: after
        // [P12] storage trouble, and after a refusal too, because what the relay refuses can change
        // (a bot's token renewed with a wider grant, the owner of an item the relay lost uploading
        // it again). One that stays refused costs a step 2 every 30 s at most. A refusal of
        // presence alone leaves nothing unacked, and is not retried.
        if (frame.code === Code.storageUnavailable) scheduleReopen(entry);
        else if ((frame.code === Code.forbidden || frame.code === Code.conflict) && holdsUnacked(entry)) scheduleReopen(entry);
        return;
      case Frame.open:
        return;
    }
  };

  /** Whether the replica holds an item the relay has not acknowledged (nor said it has, in step 1). */
  const holdsUnacked = (entry: Entry): boolean => {
    for (const [id, clock] of Y.decodeStateVector(Y.encodeStateVector(entry.doc))) if (!entry.acks.isAcked(id, clock - 1)) return true;
    return false;
  };

  const closeByRelay = (entry: Entry, code: number, reason: string): void => {
    const error = wireError(code, reason, entry.name);
    entry.closedBy = error;
    report(error, { doc: entry.name, code });
    entry.rejectSynced(error);
    entry.events.emit('closed', [error]);
  };

  /** Re-runs the handshake for one document after a pause; other documents are not disturbed. */
  const scheduleReopen = (entry: Entry): void => {
    if (entry.retryTimer !== null) return;
    entry.retryTimer = timers.setTimeout(() => {
      entry.retryTimer = null;
      if (!entries.has(entry.name) || entry.closedBy) return;
      // a second `open` on the same socket is a resync request; it is answered like the first
      entry.phase = 'idle';
      openOnRelay(entry);
    }, entry.retryBackoff.next());
  };

  const forgetRemoteAwareness = (entry: Entry): void => {
    // only what the relay told us goes stale with the socket; states bridged from other tabs stay
    const stale = [...entry.remotePresence].filter((id) => id !== entry.doc.clientID);
    if (stale.length > 0) awarenessProtocol.removeAwarenessStates(entry.awareness, stale, client);
  };

  // ---- replica -------------------------------------------------------------------------------

  const track = (entry: Entry, write: Promise<void>): void => {
    const tracked = write.catch((err: unknown) => {
      report(err instanceof ParleyError ? err : new ParleyError('storage', String(err), { cause: err }), { doc: entry.name });
    });
    entry.writes.add(tracked);
    void tracked.finally(() => entry.writes.delete(tracked));
  };

  /** Coalesced: a burst of acks costs at most one write in flight and one after it. */
  const saveAcked = (entry: Entry): void => {
    if (entry.ackSave.running) {
      entry.ackSave.dirty = true;
      return;
    }
    entry.ackSave.running = true;
    track(
      entry,
      (async () => {
        try {
          do {
            entry.ackSave.dirty = false;
            await store.saveAcked(entry.name, entry.acks.encode());
          } while (entry.ackSave.dirty);
        } finally {
          entry.ackSave.running = false;
        }
      })(),
    );
  };

  const createEntry = (name: string): Entry => {
    const doc = options.createDoc?.(name) ?? new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    let resolveSynced!: () => void;
    let rejectSynced!: (err: ParleyError) => void;
    const whenSynced = new Promise<void>((resolve, reject) => {
      resolveSynced = resolve;
      rejectSynced = reject;
    });
    whenSynced.catch(() => undefined); // a handle nobody awaits must not raise an unhandled rejection
    const entry: Entry = {
      name,
      doc,
      awareness,
      acks: createAckTracker(),
      events: new ObservableV2<DocEvents>(),
      refs: 0,
      loaded: false,
      whenLoaded: Promise.resolve(),
      whenSynced,
      resolveSynced,
      rejectSynced,
      phase: 'idle',
      closedBy: null,
      writes: new Set(),
      ackSave: { running: false, dirty: false },
      retryTimer: null,
      retryBackoff: createBackoff(DOC_RETRY_BACKOFF, options.random),
      uploadUnconfirmed: false,
      unanswered: 0,
      remotePresence: new Set(),
      detach: () => undefined,
    };
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (origin === fromReplica) return;
      track(entry, store.append(name, update));
      if (origin === client) return; // [P8]
      if (entry.phase === 'open' && send({ type: Frame.sync, doc: name, message: encodeSyncMessage(syncUpdate, update) })) {
        entry.unanswered++;
        expectAnswer();
      }
    };
    const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
      if (origin === client) {
        for (const id of [...added, ...updated]) entry.remotePresence.add(id);
        for (const id of removed) entry.remotePresence.delete(id);
        return;
      }
      // a remote state timing out here is not ours to announce: the relay would refuse it ([P6])
      const changed = [...added, ...updated, ...removed].filter((id) => !entry.remotePresence.has(id));
      for (const id of removed) entry.remotePresence.delete(id);
      if (entry.phase !== 'open' || changed.length === 0) return;
      send({ type: Frame.awareness, doc: name, update: awarenessProtocol.encodeAwarenessUpdate(awareness, changed) });
    };
    doc.on('update', onUpdate);
    awareness.on('update', onAwareness);
    entry.detach = () => {
      doc.off('update', onUpdate);
      awareness.off('update', onAwareness);
    };
    entry.whenLoaded = store.load(name).then(
      (replica) => {
        if (replica.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(replica.updates), fromReplica);
        if (replica.acked) entry.acks.merge(replica.acked);
      },
      (err: unknown) => {
        report(err instanceof ParleyError ? err : new ParleyError('storage', String(err), { cause: err }), { doc: name });
      },
    );
    void entry.whenLoaded.then(() => {
      entry.loaded = true;
      if (entries.get(name) === entry) openOnRelay(entry);
    });
    return entry;
  };

  const releaseEntry = async (entry: Entry): Promise<void> => {
    entries.delete(entry.name);
    if (entry.retryTimer !== null) timers.clearTimeout(entry.retryTimer);
    // tell the others we left before the awareness goes away
    awarenessProtocol.removeAwarenessStates(entry.awareness, [entry.doc.clientID], 'release');
    if (entry.phase !== 'idle') send({ type: Frame.close, doc: entry.name, code: Code.normal, reason: 'released' });
    entry.phase = 'idle';
    entry.detach();
    entry.awareness.destroy();
    await entry.whenLoaded;
    while (entry.writes.size > 0) await Promise.all([...entry.writes]);
    entry.doc.destroy();
  };

  // ---- public API ------------------------------------------------------------------------------

  const client: ParleyClient = {
    open(name) {
      assertOpenable(closed, name);
      let entry = entries.get(name);
      if (!entry) {
        entry = createEntry(name);
        entries.set(name, entry);
      }
      entry.refs++;
      const e = entry;
      return createDocHandle(name, e, () => (--e.refs === 0 && entries.get(name) === e ? releaseEntry(e) : Promise.resolve()));
    },
    get status() {
      return status;
    },
    on(event, listener) {
      events.on(event, listener);
      return () => events.off(event, listener);
    },
    setToken(next) {
      token = next;
      if (socket && socket.readyState === OPEN) send({ type: Frame.auth, token: next });
      else if (status === 'unauthorised') void connect();
    },
    reconnect() {
      if (closed || socket) return;
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      void connect();
    },
    async close() {
      if (closed) return;
      closed = true;
      stopListening();
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      const all = [...entries.values()];
      await Promise.all(all.map(releaseEntry));
      const ws = socket;
      socket = null;
      if (stableTimer !== null) timers.clearTimeout(stableTimer);
      if (answerTimer !== null) timers.clearTimeout(answerTimer);
      ws?.close(Code.normal, 'client closed');
      setStatus('closed');
    },
  };

  // a browser that comes back online should not wait out a long backoff
  const onOnline = (): void => client.reconnect();
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void; removeEventListener?: (type: string, listener: () => void) => void };
  target.addEventListener?.('online', onOnline);
  // The browser deleted the site's data under us: the replica of every document held here is gone,
  // while this page still has it all in memory. Writing it back now keeps the next page load (and
  // an offline one) whole, including messages the relay has not acknowledged yet.
  const stopLost = store.onLost?.((name) => {
    const entry = entries.get(name);
    if (!entry?.loaded) return;
    track(entry, store.append(name, Y.encodeStateAsUpdate(entry.doc)));
    saveAcked(entry);
  });
  stopListening = () => {
    target.removeEventListener?.('online', onOnline);
    stopLost?.();
  };

  if (options.connect !== false) void connect();
  return client;
}
