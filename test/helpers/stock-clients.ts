/**
 * Stock y-websocket clients (the library's own `WebsocketProvider`, one document per socket) for
 * tests against a relay's /sync route, and a wait on Yjs documents that is driven by their updates.
 *
 *   const clients = stockClients();
 *   const p = await clients.connect(relay.wsUrl, DOC, await relay.token('agent', 'acme', 'a1'));
 *   await untilDocs([p.doc], () => p.doc.getArray('messages').length === 1, 'the first message');
 *   clients.destroyAll();
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface StockClients {
  /** Opens `name` on `wsUrl`/sync with `token` and resolves once synced; `replica` may already hold edits. */
  connect(wsUrl: string, name: string, token: string, replica?: Y.Doc): Promise<WebsocketProvider>;
  /** Destroys every provider this pool opened (for afterAll/afterEach). */
  destroyAll(): void;
}

export function stockClients(): StockClients {
  const providers: WebsocketProvider[] = [];
  return {
    async connect(wsUrl, name, token, replica = new Y.Doc()) {
      const provider = new WebsocketProvider(`${wsUrl}/sync`, name, replica, {
        params: { token },
        // Node 20 has no global WebSocket; BroadcastChannel would let clients in one process sync
        // around the relay and hide what the test means to check.
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      });
      providers.push(provider);
      await new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())));
      return provider;
    },
    destroyAll() {
      for (const p of providers.splice(0)) p.destroy();
    },
  };
}

/** Resolves when `done()` holds, re-checked on every update of `docs`; rejects naming `what` at the deadline. */
export function untilDocs(docs: Y.Doc[], done: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!done()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const d of docs) d.off('update', check);
    };
    for (const d of docs) d.on('update', check);
    check();
  });
}
