/**
 * An in-memory network between ParleyClients and the real relay logic (`createRelay`), with no
 * sockets or ports. Each client peer gets its own WebSocket class, so the network can take a peer
 * offline, kill its connection mid-flight, or hold its frames back.
 *
 * Two delivery modes:
 * - auto: every frame is delivered on a microtask, in order (a healthy network), for client tests;
 * - manual: frames wait in per-connection queues until `step(random)` delivers one. Each direction
 *   of a connection stays in order (a websocket never reorders), but connections interleave at
 *   random, so frames of different peers and of a peer's old and new connection reorder.
 *
 * Duplication is modelled the way it really happens: a connection killed after the relay received
 * and committed a frame but before its ack came back makes the client resend on reconnect ([P9]).
 */
import type { WebSocketConstructor, WebSocketLike } from '@parley/core';
import type { Principal } from '../../packages/sync-server/src/auth/principal.js';
import type { ConnectionHandlers, Relay } from '../../packages/sync-server/src/relay/relay.js';
import { createWaiters } from '../../packages/sync-server/src/relay/test-kit.js';
import type { RelaySocket } from '../../packages/sync-server/src/socket.js';

type Item = { kind: 'frame'; data: Uint8Array } | { kind: 'close'; code: number; reason: string };

export interface Connection {
  readonly peer: string;
  readonly id: number;
  /** waiting to be opened (manual mode): the upgrade itself is a step */
  pendingOpen: boolean;
  readonly toRelay: Item[];
  readonly toClient: Item[];
  dead: boolean;
}

export interface NetworkOptions {
  relay: Relay;
  /** the upgrade's token check ([P3]); null refuses with HTTP 401 */
  authenticate(token: string): Promise<Principal | null>;
  mode: 'auto' | 'manual';
}

export interface Network {
  /** The WebSocket class a client of `peer` should be given. */
  socketClass(peer: string): WebSocketConstructor;
  readonly connections: ReadonlySet<Connection>;
  /** Takes a peer off the network (its sockets die, new ones fail) or puts it back. */
  setOnline(peer: string, online: boolean): void;
  isOnline(peer: string): boolean;
  /** auto mode: holds frames addressed to `peer` (a slow link) until released. */
  setHeld(peer: string, held: boolean): void;
  /** Kills a connection as a network failure would (1006 on both sides). */
  kill(conn: Connection, deliverToRelayFirst: boolean): Promise<void>;
  /** manual mode: delivers one pending item; false when nothing deliverable is pending. */
  step(random: () => number): Promise<boolean>;
  /** Lets the relay's promise chains (storage commits) run. */
  settle(): Promise<void>;
  /** Frames each peer has sent to the relay, oldest first (no-echo checks). */
  readonly sentBy: Map<string, Uint8Array[]>;
  /** Resolves when `check()` holds, re-checking after every delivery; rejects at the deadline. */
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
}

class MemoryWebSocket implements WebSocketLike {
  binaryType = 'arraybuffer';
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(
    readonly sendFn: (data: Uint8Array) => void,
    readonly closeFn: (code: number, reason: string) => void,
  ) {}
  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sendFn(data.slice());
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.closeFn(code, reason);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createNetwork(options: NetworkOptions): Network {
  const connections = new Set<Connection>();
  const offline = new Set<string>();
  const held = new Set<string>();
  let nextId = 0;
  const sentBy = new Map<string, Uint8Array[]>();
  const { until, poke } = createWaiters();
  const internals = new Map<Connection, { ws: MemoryWebSocket; token: string; handlers: ConnectionHandlers | null }>();

  const schedule = (conn: Connection): void => {
    if (options.mode === 'auto') queueMicrotask(() => void pump(conn));
  };

  /** Delivers everything queued on a connection (auto mode). */
  const pump = async (conn: Connection): Promise<void> => {
    if (conn.pendingOpen) await deliverOpen(conn);
    while (conn.toRelay.length > 0 || conn.toClient.length > 0) {
      if (conn.toRelay.length > 0) deliver(conn, 'toRelay');
      if (conn.toClient.length > 0) {
        if (held.has(conn.peer)) break;
        deliver(conn, 'toClient');
      }
    }
  };

  const finish = (conn: Connection, code: number, reason: string): void => {
    const it = internals.get(conn)!;
    if (conn.dead) return;
    conn.dead = true;
    conn.toRelay.length = 0;
    conn.toClient.length = 0;
    connections.delete(conn);
    it.handlers?.onClose();
    it.ws.readyState = 3;
    it.ws.onclose?.({ code, reason });
    setImmediate(poke);
  };

  const deliverOpen = async (conn: Connection): Promise<void> => {
    const it = internals.get(conn)!;
    conn.pendingOpen = false;
    const principal = offline.has(conn.peer) ? null : await options.authenticate(it.token);
    if (conn.dead) return;
    if (offline.has(conn.peer) || !principal) {
      if (!offline.has(conn.peer)) it.ws.onerror?.({ message: 'Unexpected server response: 401' });
      return finish(conn, 1006, '');
    }
    const relaySocket: RelaySocket = {
      send(data) {
        if (conn.dead) return;
        conn.toClient.push({ kind: 'frame', data: data.slice() });
        schedule(conn);
      },
      close(code, reason) {
        if (conn.dead) return;
        conn.toClient.push({ kind: 'close', code, reason });
        schedule(conn);
      },
      bufferedAmount: 0,
    };
    it.handlers = options.relay.handleConnection(relaySocket, { endpoint: 'mux', principal });
    it.ws.readyState = 1;
    it.ws.onopen?.({});
    setImmediate(poke);
  };

  const deliver = (conn: Connection, direction: 'toRelay' | 'toClient'): void => {
    const it = internals.get(conn)!;
    const item = conn[direction].shift();
    if (!item || conn.dead) return;
    if (item.kind === 'close') finish(conn, item.code, item.reason);
    else if (direction === 'toRelay') it.handlers?.onMessage(item.data);
    else it.ws.onmessage?.({ data: item.data });
    // the relay commits asynchronously: look again once its promise chains had a chance to run
    setImmediate(poke);
  };

  const network: Network = {
    connections,
    sentBy,
    until,
    socketClass(peer) {
      return class extends MemoryWebSocket {
        constructor(url: string) {
          const conn: Connection = { peer, id: nextId++, pendingOpen: true, toRelay: [], toClient: [], dead: false };
          super(
            (data) => {
              let log = sentBy.get(peer);
              if (!log) sentBy.set(peer, (log = []));
              log.push(data);
              conn.toRelay.push({ kind: 'frame', data });
              schedule(conn);
            },
            (code, reason) => {
              // a clean close follows the data already sent, like a websocket close frame
              conn.toRelay.push({ kind: 'close', code, reason });
              schedule(conn);
            },
          );
          const token = new URL(url).searchParams.get('token') ?? '';
          internals.set(conn, { ws: this, token, handlers: null });
          connections.add(conn);
          schedule(conn);
        }
      };
    },
    setOnline(peer, online) {
      if (online) offline.delete(peer);
      else {
        offline.add(peer);
        for (const conn of [...connections]) if (conn.peer === peer) finish(conn, 1006, '');
      }
    },
    isOnline: (peer) => !offline.has(peer),
    setHeld(peer, hold) {
      if (hold) held.add(peer);
      else {
        held.delete(peer);
        for (const conn of connections) if (conn.peer === peer) schedule(conn);
      }
    },
    async kill(conn, deliverToRelayFirst) {
      if (deliverToRelayFirst) {
        while (conn.toRelay.length > 0 && conn.toRelay[0]!.kind === 'frame') deliver(conn, 'toRelay');
        await network.settle();
      }
      finish(conn, 1006, '');
    },
    async step(random) {
      const ready: Array<() => Promise<void> | void> = [];
      for (const conn of connections) {
        if (offline.has(conn.peer)) continue;
        if (conn.pendingOpen) ready.push(() => deliverOpen(conn));
        else {
          if (conn.toRelay.length > 0) ready.push(() => deliver(conn, 'toRelay'));
          if (conn.toClient.length > 0) ready.push(() => deliver(conn, 'toClient'));
        }
      }
      if (ready.length === 0) return false;
      await ready[Math.floor(random() * ready.length)]!();
      await network.settle();
      return true;
    },
    async settle() {
      await tick();
    },
  };
  return network;
}
