/**
 * A bare /mux client for relay tests: speaks core's protocol.ts frames directly, records every
 * frame received, and lets a test await the one it expects.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { protocol } from '@parley/core';

export interface RawSocketResult {
  /** HTTP status when the upgrade was refused, e.g. 401 */
  status?: number;
  socket?: WebSocket;
}

/** Opens a websocket; resolves with the socket, or with the HTTP status that refused the upgrade. */
export function openSocket(url: string): Promise<RawSocketResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (err) => reject(err));
  });
}

export interface MuxClient {
  readonly frames: protocol.MuxFrame[];
  send(frame: protocol.MuxFrame): void;
  /** first frame (already received or future) matching, within the deadline */
  waitFor<T extends protocol.MuxFrame>(predicate: (f: protocol.MuxFrame) => f is T, timeoutMs?: number): Promise<T>;
  waitFor(predicate: (f: protocol.MuxFrame) => boolean, timeoutMs?: number): Promise<protocol.MuxFrame>;
  /** resolves with the close code when the socket closes */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function connectMux(wsUrl: string, token: string): Promise<MuxClient> {
  const { socket, status } = await openSocket(`${wsUrl}/mux?token=${encodeURIComponent(token)}`);
  if (!socket) throw new Error(`mux upgrade refused with HTTP ${status}`);
  const frames: protocol.MuxFrame[] = [];
  const waiters = new Set<{ predicate: (f: protocol.MuxFrame) => boolean; resolve: (f: protocol.MuxFrame) => void }>();
  socket.on('message', (data: ArrayBuffer) => {
    const frame = protocol.decodeFrame(new Uint8Array(data));
    frames.push(frame);
    for (const w of waiters) {
      if (w.predicate(frame)) {
        waiters.delete(w);
        w.resolve(frame);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    frames,
    send: (frame) => socket.send(protocol.encodeFrame(frame)),
    waitFor(predicate: (f: protocol.MuxFrame) => boolean, timeoutMs = 10_000): Promise<protocol.MuxFrame> {
      const seen = frames.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (f: protocol.MuxFrame) => (clearTimeout(timer), resolve(f)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${frames.map((f) => `${f.type}:${'doc' in f ? f.doc : ''}`).join(', ')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    closed,
    close: () => socket.close(1000, 'test done'),
  } as MuxClient;
}

export const isFrame =
  <K extends protocol.MuxFrame['type']>(type: K, doc?: string) =>
  (f: protocol.MuxFrame): f is Extract<protocol.MuxFrame, { type: K }> =>
    f.type === type && (doc === undefined || ('doc' in f && f.doc === doc));

/**
 * What the relay serves a newcomer for `doc`: opens it from an empty state vector on `client` and
 * applies every update sent until `synced` (step 1 messages carry no content and are skipped).
 */
export async function readServed(client: MuxClient, doc: string): Promise<Y.Doc> {
  client.send({ type: protocol.Frame.open, doc, stateVector: new Uint8Array([0]) });
  await client.waitFor(isFrame(protocol.Frame.synced, doc));
  const replica = new Y.Doc();
  for (const f of client.frames.filter(isFrame(protocol.Frame.sync, doc))) {
    const { kind, payload } = protocol.decodeSyncMessage(f.message);
    if (kind !== protocol.syncStep1) Y.applyUpdate(replica, payload);
  }
  return replica;
}
