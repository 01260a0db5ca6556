/**
 * The stock y-websocket WebsocketProvider, unchanged, against the relay's /sync handling over a real
 * websocket (ws on 127.0.0.1, port 0). The only glue is what the Hono shell also does: adapt the
 * socket and call handleConnection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { conversationDoc } from '@parley/core';
import type { Principal } from '../auth/principal.js';
import type { Relay } from './relay.js';
import { agent, closeRelays, createWaiters, customer, muxClient, startRelay } from './test-kit.js';

const conv = conversationDoc('acme', 'c1', 'k1');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await closeRelays();
});

/** A websocket server that hands `/sync/<doc>` sockets to the relay as `principal`. */
async function serve(relay: Relay, principal: Principal): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws, req) => {
    const doc = decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/sync\//, ''));
    const handlers = relay.handleConnection(
      {
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
      },
      { endpoint: 'sync', doc, principal },
    );
    ws.on('message', (data: Buffer) => handlers.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    ws.on('close', () => handlers.onClose());
  });
  cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/sync`;
}

function provider(url: string, ydoc: Y.Doc): WebsocketProvider {
  // y-websocket joins serverUrl + '/' + roomname; our document names contain slashes, which is fine.
  const p = new WebsocketProvider(url, conv, ydoc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
  cleanups.push(() => p.destroy());
  return p;
}

describe('stock y-websocket WebsocketProvider on /sync', () => {
  it('syncs with a /mux client through the relay, both ways, with awareness', async () => {
    const relay = startRelay();
    const url = await serve(relay, customer());
    const waiters = createWaiters();
    const ydoc = new Y.Doc();
    ydoc.on('update', () => waiters.poke());
    const p = provider(url, ydoc);
    p.on('sync', () => waiters.poke());
    p.awareness.on('change', () => waiters.poke());
    await waiters.until(() => p.synced, 'provider synced');

    const m = muxClient(relay, agent());
    const dm = m.open(conv);
    ydoc.getArray('messages').push(['from the stock provider']);
    await m.until(() => dm.ydoc.getArray('messages').length === 1, 'mux client receives');
    dm.ydoc.getArray('messages').push(['from the agent']);
    await waiters.until(() => ydoc.getArray('messages').length === 2, 'provider receives');
    expect(ydoc.getArray('messages').toJSON()).toEqual(dm.ydoc.getArray('messages').toJSON());

    p.awareness.setLocalStateField('user', { name: 'Customer' });
    await m.until(() => m.socket.received.some((f) => f[0] === 1), 'awareness reaches the mux client');
  });
});
