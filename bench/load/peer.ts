/**
 * A load client: one websocket following one or more documents, speaking whichever wire the server
 * wants. A peer either keeps a real Y.Doc per document (writers, new devices) or none at all
 * (readers that only time deliveries), so the load generator spends its CPU on load, not on Yjs.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { protocol } from '@parley/core';
import { createWire, syncStep1, type Endpoint, type Wire } from './wire.js';

/** Y.encodeStateAsUpdate of an empty document: what a reader without a Y.Doc answers to step 1. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const REMOTE = Symbol('remote');

export interface PeerOptions {
  /** keep a Y.Doc per document, apply what arrives and send local changes */
  withDoc: boolean;
  /** every step 2 or update that arrives, for delivery timing (payload = the Yjs update) */
  onUpdate?: (doc: string, update: Uint8Array) => void;
  onAck?: (doc: string) => void;
}

export interface Peer {
  readonly wire: Wire;
  /** the Y.Doc of a followed document (withDoc peers only) */
  doc(name: string): Y.Doc;
  /** follows `name`; resolves when the server's first sync of it is complete */
  follow(name: string): Promise<void>;
  /**
   * Resolves once the server has processed everything sent so far on `name`: the relay's ack on
   * `mux`; elsewhere the reply to a fresh step 1, since servers answer a socket's messages in order.
   */
  flush(name: string): Promise<void>;
  /** sends a Yjs update for `name` as a sync update message */
  sendUpdate(name: string, update: Uint8Array): void;
  readonly bytesIn: number;
  /** bytes read from the TCP socket, upgrade response included: what the network carried */
  readonly wireBytesIn: number;
  readonly framesIn: number;
  close(): Promise<void>;
}

export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Opens a socket for `firstDoc` (its URL names it on one-document wires). */
export async function connectPeer(endpoint: Endpoint, firstDoc: string, options: PeerOptions): Promise<Peer> {
  const wire = createWire(endpoint);
  // Offers permessage-deflate (ws's defaults: frames over 1 KB) as browsers and the stock Node
  // y-websocket client do; a server that does not accept it is spoken to uncompressed.
  const socket = new WebSocket(wire.socketUrl(firstDoc), { perMessageDeflate: true });
  socket.binaryType = 'nodebuffer';
  // Bytes as they crossed the network (upgrade response, frame headers, compressed payloads),
  // counted the same way for every server; `bytesIn` counts the application's bytes.
  let tcp: { bytesRead: number } | null = null;
  socket.once('upgrade', (res) => (tcp = res.socket));
  const docs = new Map<string, { ydoc: Y.Doc | null; synced: () => void; failed: (e: Error) => void; isSynced: boolean }>();
  const flushes = new Map<string, (() => void)[]>();
  const settleFlush = (doc: string): void => {
    const waiting = flushes.get(doc);
    if (waiting?.length) waiting.shift()!();
  };
  // [P7] on mux: a flush waits until the acks cover this replica's own clock. Counting ack frames
  // instead goes wrong: the ack of the first-sync step 2 may come before or after the first flush.
  const ackedClock = new Map<string, number>();
  const ackWaits = new Map<string, { clock: number; resolve: () => void; reject: (e: Error) => void }[]>();
  const onAckFrame = (doc: string, stateVector: Uint8Array): void => {
    const ydoc = docs.get(doc)?.ydoc;
    if (!ydoc) return;
    const clock = Y.decodeStateVector(stateVector).get(ydoc.clientID);
    if (clock === undefined || clock <= (ackedClock.get(doc) ?? 0)) return;
    ackedClock.set(doc, clock);
    const waiting = ackWaits.get(doc) ?? [];
    ackWaits.set(doc, waiting.filter((w) => (w.clock <= clock ? (w.resolve(), false) : true)));
  };
  const ownClock = (ydoc: Y.Doc): number => Y.decodeStateVector(Y.encodeStateVector(ydoc)).get(ydoc.clientID) ?? 0;
  let bytesIn = 0;
  let framesIn = 0;
  let closedWith: PeerError | null = null;

  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new PeerError(`upgrade refused: HTTP ${res.statusCode}`, res.statusCode ?? 0)));
  });
  socket.on('error', () => {});
  socket.on('close', (code, reason) => {
    closedWith = new PeerError(`socket closed: ${code} ${reason.toString()}`, code);
    for (const d of docs.values()) if (!d.isSynced) d.failed(closedWith);
    // A relay that closed the socket (4429, 4413, …) will not ack: say so instead of timing out.
    for (const waiting of ackWaits.values()) for (const w of waiting.splice(0)) w.reject(closedWith);
  });

  const send = (data: Uint8Array): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(data);
  };

  socket.on('message', (raw: Buffer) => {
    bytesIn += raw.length;
    framesIn++;
    const data = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    let incoming;
    try {
      incoming = wire.decode(data, firstDoc);
    } catch (err) {
      // A refusal from the server fails this peer's waits (through the close), not the load process.
      socket.close(1000, err instanceof Error ? err.message.slice(0, 120) : 'refused');
      return;
    }
    if (incoming.kind === 'other') return;
    const state = docs.get(incoming.doc);
    if (!state) return;
    if (incoming.kind === 'synced') return markSynced(state);
    if (incoming.kind === 'ack') {
      onAckFrame(incoming.doc, incoming.stateVector);
      return options.onAck?.(incoming.doc);
    }
    const d = decoding.createDecoder(incoming.message);
    const kind = decoding.readVarUint(d);
    if (kind === protocol.syncStep1) {
      const update = state.ydoc ? Y.encodeStateAsUpdate(state.ydoc, decoding.readVarUint8Array(d)) : EMPTY_UPDATE;
      send(wire.sync(incoming.doc, protocol.encodeSyncMessage(protocol.syncStep2, update)));
      return;
    }
    const update = decoding.readVarUint8Array(d);
    if (state.ydoc) Y.applyUpdate(state.ydoc, update, REMOTE);
    options.onUpdate?.(incoming.doc, update);
    if (kind === protocol.syncStep2 && !wire.signalsSynced) {
      if (state.isSynced) settleFlush(incoming.doc);
      markSynced(state);
    }
  });

  function markSynced(state: { synced: () => void; isSynced: boolean }): void {
    if (state.isSynced) return;
    state.isSynced = true;
    state.synced();
  }

  return {
    wire,
    doc(name) {
      const ydoc = docs.get(name)?.ydoc;
      if (!ydoc) throw new Error(`${name} is not followed with a Y.Doc`);
      return ydoc;
    },
    follow(name) {
      if (closedWith) return Promise.reject(closedWith);
      if (docs.has(name)) throw new Error(`already following ${name}`);
      if (!wire.multiplexed && name !== firstDoc) throw new Error('this wire carries one document per socket');
      const ydoc = options.withDoc ? new Y.Doc() : null;
      const done = new Promise<void>((resolve, reject) => {
        docs.set(name, { ydoc, synced: resolve, failed: reject, isSynced: false });
      });
      if (ydoc) {
        ydoc.on('update', (update: Uint8Array, origin: unknown) => {
          if (origin !== REMOTE) send(wire.sync(name, protocol.encodeSyncMessage(protocol.syncUpdate, update)));
        });
      }
      for (const frame of wire.open(name, ydoc ? Y.encodeStateVector(ydoc) : EMPTY_STATE_VECTOR)) send(frame);
      if (endpoint.stateless) markSynced(docs.get(name)!);
      return done;
    },
    flush(name) {
      const state = docs.get(name);
      if (!state) throw new Error(`${name} is not followed`);
      if (wire.signalsSynced) {
        const clock = state.ydoc ? ownClock(state.ydoc) : 0;
        if (clock <= (ackedClock.get(name) ?? 0)) return Promise.resolve();
        if (closedWith) return Promise.reject(closedWith);
        return new Promise<void>((resolve, reject) => {
          const list = ackWaits.get(name) ?? [];
          list.push({ clock, resolve, reject });
          ackWaits.set(name, list);
        });
      }
      const done = new Promise<void>((resolve) => {
        const list = flushes.get(name) ?? [];
        list.push(resolve);
        flushes.set(name, list);
      });
      // Elsewhere: ask for a step 2; servers answer a socket's messages in order.
      if (endpoint.stateless) return Promise.resolve();
      if (!wire.signalsSynced) send(wire.sync(name, syncStep1(state.ydoc ? Y.encodeStateVector(state.ydoc) : EMPTY_STATE_VECTOR)));
      return done;
    },
    sendUpdate(name, update) {
      send(wire.sync(name, protocol.encodeSyncMessage(protocol.syncUpdate, update)));
    },
    get bytesIn() {
      return bytesIn;
    },
    get wireBytesIn() {
      return tcp?.bytesRead ?? 0;
    },
    get framesIn() {
      return framesIn;
    },
    close() {
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}

