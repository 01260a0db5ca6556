/**
 * In-process test clients for the relay: a socket pair with no network, a /mux client and a stock
 * y-protocols /sync client, each driving real Y.Docs. Used by the relay's tests and by anyone who
 * wants to exercise `handleConnection` without Hono. Delivery is asynchronous (microtasks) in both
 * directions, like a network, so re-entrancy bugs show up.
 */
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as protocol from '@parley/core/protocol';
import { Frame } from '@parley/core/protocol';
import type { RelaySocket } from '../socket.js';
import type { Principal } from '../auth/principal.js';
import { directoryDoc } from '@parley/core';
import { createMemoryStore } from '../storage/memory.js';
import type { DocStore } from '../storage/types.js';
import { createRelay } from './relay.js';
import type { ConnectionHandlers, Relay, RelayOptions } from './relay.js';

export interface Closed {
  code: number;
  reason: string;
}

/** Resolves when `check` returns true; re-checked by `poke()` after every event; rejects at the deadline. */
export function createWaiters(): { until(check: () => boolean, what: string, ms?: number): Promise<void>; poke(): void } {
  const waiting = new Set<{ check: () => boolean; resolve: () => void }>();
  return {
    until(check, what, ms = 5_000) {
      if (check()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w = {
          check,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiting.delete(w);
          reject(new Error(`timed out waiting for ${what}`));
        }, ms);
        waiting.add(w);
      });
    },
    poke() {
      for (const w of [...waiting]) {
        if (w.check()) {
          waiting.delete(w);
          w.resolve();
        }
      }
    },
  };
}

export interface TestSocket {
  readonly handlers: ConnectionHandlers;
  /** frames the relay sent, oldest first */
  readonly received: Uint8Array[];
  closed: Closed | null;
  /** pretend this many bytes are queued (slow consumer tests) */
  bufferedAmount: number;
  send(data: Uint8Array): void;
  close(): void;
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
}

/** Connects to the relay with an in-memory socket; `onFrame` sees every frame the relay sends. */
export function connect(relay: Relay, session: Parameters<Relay['handleConnection']>[1], onFrame: (data: Uint8Array) => void = () => undefined): TestSocket {
  const waiters = createWaiters();
  const t: TestSocket = {
    handlers: undefined as unknown as ConnectionHandlers,
    received: [],
    closed: null,
    bufferedAmount: 0,
    send(data) {
      if (t.closed) return;
      const copy = data.slice();
      queueMicrotask(() => {
        if (!t.closed) t.handlers.onMessage(copy);
      });
    },
    close() {
      if (t.closed) return;
      t.closed = { code: 1000, reason: 'client closed' };
      t.handlers.onClose();
      waiters.poke();
    },
    until: waiters.until,
  };
  const socket: RelaySocket = {
    send(data) {
      if (t.closed) throw new Error('send on a closed socket');
      const copy = data.slice();
      queueMicrotask(() => {
        if (t.closed) return;
        t.received.push(copy);
        onFrame(copy);
        waiters.poke();
      });
    },
    close(code, reason) {
      queueMicrotask(() => {
        if (t.closed) return;
        t.closed = { code, reason };
        t.handlers.onClose();
        waiters.poke();
      });
    },
    get bufferedAmount() {
      return t.bufferedAmount;
    },
  };
  (t as { handlers: ConnectionHandlers }).handlers = relay.handleConnection(socket, session);
  return t;
}

const FROM_RELAY = Symbol('from-relay');

export interface MuxDoc {
  readonly ydoc: Y.Doc;
  synced: boolean;
  /** merged state vector of everything acked ([P7]) */
  readonly acked: Map<number, number>;
  closed: { code: number; reason: string } | null;
  /** updates the relay sent us, for no-echo checks */
  updatesReceived: number;
}

export interface MuxClient {
  readonly socket: TestSocket;
  readonly docs: Map<string, MuxDoc>;
  readonly errors: { doc: string; code: number; reason: string }[];
  /** Opens `name` with a fresh or given Y.Doc; local changes are sent as they happen. */
  open(name: string, ydoc?: Y.Doc): MuxDoc;
  closeDoc(name: string): void;
  sendAwareness(name: string, update: Uint8Array): void;
  sendRaw(frame: protocol.MuxFrame | Uint8Array): void;
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
  /** true when every item this replica wrote (under its current client id) is acked */
  allAcked(name: string): boolean;
}

export function muxClient(relay: Relay, principal: Principal): MuxClient {
  const docs = new Map<string, MuxDoc>();
  const errors: MuxClient['errors'] = [];
  const onFrame = (data: Uint8Array): void => {
    const frame = protocol.decodeFrame(data);
    switch (frame.type) {
      case Frame.sync: {
        const d = docs.get(frame.doc);
        if (!d) return;
        const { kind, payload } = protocol.decodeSyncMessage(frame.message);
        if (kind === protocol.syncStep1) {
          c.sendRaw({ type: Frame.sync, doc: frame.doc, message: protocol.encodeSyncMessage(protocol.syncStep2, Y.encodeStateAsUpdate(d.ydoc, payload)) });
        } else {
          if (kind === protocol.syncUpdate) d.updatesReceived++;
          Y.applyUpdate(d.ydoc, payload, FROM_RELAY);
        }
        return;
      }
      case Frame.synced: {
        const d = docs.get(frame.doc);
        if (d) d.synced = true;
        return;
      }
      case Frame.ack: {
        const d = docs.get(frame.doc);
        if (!d) return;
        for (const [client, clock] of Y.decodeStateVector(frame.stateVector)) d.acked.set(client, Math.max(d.acked.get(client) ?? 0, clock));
        return;
      }
      case Frame.close: {
        const d = docs.get(frame.doc);
        if (d) d.closed = { code: frame.code, reason: frame.reason };
        else docs.set(frame.doc, { ydoc: new Y.Doc(), synced: false, acked: new Map(), closed: { code: frame.code, reason: frame.reason }, updatesReceived: 0 });
        return;
      }
      case Frame.error:
        errors.push({ doc: frame.doc, code: frame.code, reason: frame.reason });
        return;
      default:
        return;
    }
  };
  const socket = connect(relay, { endpoint: 'mux', principal }, onFrame);
  const c: MuxClient = {
    socket,
    docs,
    errors,
    open(name, ydoc = new Y.Doc()) {
      const d: MuxDoc = { ydoc, synced: false, acked: new Map(), closed: null, updatesReceived: 0 };
      docs.set(name, d);
      ydoc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== FROM_RELAY) c.sendRaw({ type: Frame.sync, doc: name, message: protocol.encodeSyncMessage(protocol.syncUpdate, update) });
      });
      c.sendRaw({ type: Frame.open, doc: name, stateVector: Y.encodeStateVector(ydoc) });
      return d;
    },
    closeDoc(name) {
      c.sendRaw({ type: Frame.close, doc: name, code: 1000, reason: '' });
    },
    sendAwareness(name, update) {
      c.sendRaw({ type: Frame.awareness, doc: name, update });
    },
    sendRaw(frame) {
      socket.send(frame instanceof Uint8Array ? frame : protocol.encodeFrame(frame));
    },
    until: socket.until,
    allAcked(name) {
      const d = docs.get(name);
      if (!d) return false;
      // Only this replica's own items: acks are about what this client sent.
      const own = Y.decodeStateVector(Y.encodeStateVector(d.ydoc)).get(d.ydoc.clientID) ?? 0;
      return (d.acked.get(d.ydoc.clientID) ?? 0) >= own;
    },
  };
  return c;
}

/** A customer (writer) and an agent (follower) on `name`, both synced: how most relay tests start. */
export async function customerAndAgent(relay: Relay, name: string): Promise<{ writer: MuxClient; follower: MuxClient; w: MuxDoc; f: MuxDoc }> {
  const writer = muxClient(relay, customer());
  const follower = muxClient(relay, agent());
  const w = writer.open(name);
  const f = follower.open(name);
  await writer.until(() => w.synced, 'writer synced');
  await follower.until(() => f.synced, 'follower synced');
  return { writer, follower, w, f };
}

export interface SyncClient {
  readonly socket: TestSocket;
  readonly ydoc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
}

/** What y-websocket's WebsocketProvider does on the wire, driven by y-protocols itself. */
export function syncClient(relay: Relay, principal: Principal, doc: string, ydoc = new Y.Doc()): SyncClient {
  const awareness = new awarenessProtocol.Awareness(ydoc);
  const onFrame = (data: Uint8Array): void => {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    if (type === protocol.messageSync) {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, protocol.messageSync);
      syncProtocol.readSyncMessage(d, e, ydoc, FROM_RELAY);
      if (encoding.length(e) > 1) socket.send(encoding.toUint8Array(e));
    } else if (type === protocol.messageAwareness) {
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(d), FROM_RELAY);
    }
  };
  const socket = connect(relay, { endpoint: 'sync', doc, principal }, onFrame);
  ydoc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== FROM_RELAY) socket.send(protocol.encodeYwsSync(protocol.syncUpdate, update));
  });
  awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === FROM_RELAY) return;
    socket.send(protocol.encodeYwsAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed])));
  });
  // As WebsocketProvider does on open: step 1, then our awareness state.
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, protocol.messageSync);
  syncProtocol.writeSyncStep1(e, ydoc);
  socket.send(encoding.toUint8Array(e));
  return { socket, ydoc, awareness, until: socket.until };
}

// ---- fixtures shared by the relay's tests ----------------------------------------------------

export const WS = 'acme';

export const customer = (sub = 'c1', expiresAt = Date.now() + 3_600_000): Principal => ({ ws: WS, role: 'customer', sub, expiresAt, grants: [] });
export const agent = (sub = 'a1'): Principal => ({ ws: WS, role: 'agent', sub, expiresAt: Date.now() + 3_600_000, grants: [] });
export const reader = (): Principal => ({ ws: WS, role: 'bot', sub: 'reader', expiresAt: Date.now() + 3_600_000, grants: [{ prefix: `ws/${WS}/`, access: 'r' }] });

/** A test stand-in for the auth engineer's rules: the same shape, prefix grants only. */
export function authorize(p: Principal, doc: string): 'r' | 'rw' | null {
  if (p.grants.length > 0) return p.grants.find((g) => doc.startsWith(g.prefix))?.access ?? null;
  if (p.role === 'customer') return doc.startsWith(`ws/${p.ws}/customers/${p.sub}/`) ? 'rw' : null;
  if (doc === directoryDoc(p.ws)) return 'r';
  return doc.startsWith(`ws/${p.ws}/`) ? 'rw' : null;
}

/** A gate tests close and open: while closed, whoever waits on it waits. */
function createGate() {
  let closed: Promise<void> | null = null;
  let open = (): void => undefined;
  return {
    get isClosed() {
      return closed !== null;
    },
    close() {
      closed = new Promise((resolve) => (open = resolve));
    },
    open() {
      closed = null;
      open();
    },
    wait: (): Promise<void> => closed ?? Promise.resolve(),
  };
}

export type HoldableStore = DocStore & {
  /** appends wait before they run, to observe what happens before a commit */
  hold(): void;
  release(): void;
  /** lets the oldest held append to `name` run; later ones stay held */
  releaseOne(name: string): void;
  /** appends to `name` waiting now */
  appendsHeld(name: string): number;
  /** loads wait after they took their snapshot, to observe what arrives while a refresh reads */
  holdReads(): void;
  releaseReads(): void;
  fail(on: boolean): void;
  /** appends committed */
  appends: number;
  /** appends asked for per document, held or not */
  appendCalls(name: string): number;
  /** for each append asked for on `name`, whether the relay marked it awaited (AppendOptions) */
  awaitedFlags(name: string): boolean[];
  readsHeld: number;
};

/** A real store (memory by default) whose appends and loads can be held, and whose appends can fail. */
export function holdableStore(inner: DocStore = createMemoryStore()): HoldableStore {
  let holding = false;
  const heldAppends: { name: string; run: () => void }[] = [];
  const reads = createGate();
  const calls = new Map<string, number>();
  const awaited = new Map<string, boolean[]>();
  let failing = false;
  const s: HoldableStore = {
    ...inner,
    appends: 0,
    appendCalls: (name) => calls.get(name) ?? 0,
    awaitedFlags: (name) => awaited.get(name) ?? [],
    readsHeld: 0,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const a of heldAppends.splice(0)) a.run();
    },
    releaseOne(name) {
      const i = heldAppends.findIndex((a) => a.name === name);
      if (i >= 0) heldAppends.splice(i, 1)[0]!.run();
    },
    appendsHeld: (name) => heldAppends.filter((a) => a.name === name).length,
    holdReads: () => reads.close(),
    releaseReads: () => reads.open(),
    fail(on: boolean) {
      failing = on;
    },
    async append(name, update, owners, options) {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      awaited.set(name, [...(awaited.get(name) ?? []), options?.awaited === true]);
      if (holding) await new Promise<void>((run) => heldAppends.push({ name, run }));
      if (failing) throw new Error('disk on fire');
      await inner.append(name, update, owners, options);
      s.appends++;
    },
    async load(name) {
      const snapshot = await inner.load(name);
      if (reads.isClosed) {
        s.readsHeld++;
        await reads.wait();
      }
      return snapshot;
    },
  };
  return s;
}

const relays: Relay[] = [];
/** A relay with a memory store and the test authorisation; `closeRelays` (afterEach) closes them. */
export function startRelay(overrides: Partial<RelayOptions> = {}): Relay {
  const relay = createRelay({
    store: createMemoryStore(),
    authorize,
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    ...overrides,
  });
  relays.push(relay);
  return relay;
}
export async function closeRelays(): Promise<void> {
  await Promise.all(relays.splice(0).map((r) => r.close()));
}


/** Polls `check` until it holds; only for state that raises no event (timers inside the relay). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A real memory store that counts loads and compactions. */
export function countingStore(inner: DocStore = createMemoryStore()): DocStore & { loads: number; compactions: number } {
  const s = {
    ...inner,
    loads: 0,
    compactions: 0,
    async load(name: string) {
      s.loads++;
      return inner.load(name);
    },
    async compact(name: string) {
      s.compactions++;
      return inner.compact(name);
    },
  };
  return s;
}
