/**
 * Stock y-websocket clients through the real relay process: the interop promise of /sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay?.stop();
});

function provider(doc: string, token: string, ydoc = new Y.Doc()): WebsocketProvider {
  // Node 20 has no global WebSocket: y-websocket takes the `ws` package as a polyfill.
  return new WebsocketProvider(`${relay.wsUrl}/sync`, doc, ydoc, { params: { token }, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
}

const synced = (p: WebsocketProvider): Promise<void> => (p.synced ? Promise.resolve() : new Promise((resolve) => p.once('sync', (s: boolean) => s && resolve())));

/** Resolves when `check` holds after some update of `doc` (or at once). */
function until(doc: Y.Doc, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('condition not met before the deadline')), timeoutMs);
    const onUpdate = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      doc.off('update', onUpdate);
      resolve();
    };
    doc.on('update', onUpdate);
  });
}

describe('relay process', () => {
  it('answers /healthz and /metrics', async () => {
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    expect(text).toMatch(/^parley_connections\{endpoint="mux"\} \d+$/m);
  });

  it('two stock y-websocket clients converge through /sync', async () => {
    const name = 'ws/acme/customers/c1/conv/k1';
    const customer = provider(name, await relay.token('customer', 'acme', 'c1'));
    const agent = provider(name, await relay.token('agent', 'acme', 'a1'));
    try {
      await Promise.all([synced(customer), synced(agent)]);
      customer.doc.getArray<string>('messages').push(['hello from the customer']);
      await until(agent.doc, () => agent.doc.getArray('messages').length === 1);
      agent.doc.getArray<string>('messages').push(['hello from the agent']);
      await until(customer.doc, () => customer.doc.getArray('messages').length === 2);
      expect(customer.doc.getArray('messages').toJSON()).toEqual(agent.doc.getArray('messages').toJSON());
    } finally {
      customer.destroy();
      agent.destroy();
    }
    // A third client arriving later gets the whole history from storage.
    const late = provider(name, await relay.token('agent', 'acme', 'a2'));
    try {
      await synced(late);
      await until(late.doc, () => late.doc.getArray('messages').length === 2);
      expect(late.doc.getArray('messages').toJSON()).toEqual(['hello from the customer', 'hello from the agent']);
    } finally {
      late.destroy();
    }
  });
});
