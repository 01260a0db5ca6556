/**
 * Connects the widget to a relay through @parley/core's sync client: one multiplexed socket,
 * every document kept in a local replica first. Loaded as its own chunk (it brings Yjs), after the
 * launcher has painted.
 */
import { conversationDoc, createClient, uuidv7, type ConnectionStatus, type ParleyClient, type ReplicaStore } from '@parley/core';
import { createIndexedDbStore, createTabClient } from '@parley/core/browser';
import type { ChatStore } from './chat-store.js';
import { createValue } from './chat-store.js';
import { createCoreStore, type DocPort } from './core-store.js';
import { WidgetError } from './errors.js';
import type { Session } from './session.js';
import type { ConnectionState } from '../model.js';

const DEVICE_KEY = 'parley:device';

export interface ConnectOptions {
  relay: string;
  session: Session;
  /** Where replicas live; the browser's IndexedDB store by default. */
  replicas?: ReplicaStore;
  /** A current token for the same customer, asked before every (re)connect. */
  freshToken?: () => Promise<string>;
}

/**
 * Tabs of one customer share one socket and one IndexedDB writer (core's tab client, Web Locks);
 * where Web Locks are missing (old browsers, insecure origins) each tab connects on its own.
 */
function openClient(relay: string, session: Session, store: ReplicaStore, freshToken?: () => Promise<string>): ParleyClient {
  const options = { url: relay.replace(/^http/, 'ws'), token: freshToken ?? session.token, store };
  if (typeof navigator !== 'undefined' && navigator.locks && typeof BroadcastChannel !== 'undefined') {
    return createTabClient({ ...options, name: `parley:${session.ws}:${session.customerId}` });
  }
  return createClient(options);
}

export async function connectCoreStore(opts: ConnectOptions): Promise<ChatStore> {
  const relay = opts.relay.replace(/\/$/, '');
  const { session } = opts;
  const client = openClient(relay, session, opts.replicas ?? createIndexedDbStore(), opts.freshToken);
  const connection = createValue<ConnectionState>(toConnection(client.status));
  const stopStatus = client.on('status', (s: ConnectionStatus) => connection.set(toConnection(s)));
  // The browser knows before the socket does; do not wait out the backoff once it is back.
  const onOnline = (): void => client.reconnect();
  addEventListener('online', onOnline);

  const port: DocPort = {
    open(name) {
      const h = client.open(name);
      return {
        doc: h.doc,
        awareness: h.awareness,
        whenLoaded: h.whenLoaded,
        isAcked: (c, k) => h.acks.isAcked(c, k),
        onAck: (l) => h.acks.onAck(l),
        release: () => void h.release(),
      };
    },
    connection,
    destroy() {
      stopStatus();
      removeEventListener('online', onOnline);
      void client.close();
    },
  };

  return createCoreStore({
    port,
    ws: session.ws,
    customerId: session.customerId,
    deviceId: deviceId(),
    page: location.href,
    language: () => document.documentElement.lang || navigator.language,
    identified: session.identified === true,
    errors: (listener) => client.on('error', listener),
    deviceName: describeDevice(navigator.userAgent),
    // <img src> cannot send a header; the relay accepts the token as a query parameter for that.
    blobUrl: (hash) => `${relay}/v1/blobs/${hash}?token=${encodeURIComponent(session.token)}`,
    async upload(hash, blob, conversationId) {
      const doc = conversationDoc(session.ws, session.customerId, conversationId);
      const res = await fetch(`${relay}/v1/blobs?doc=${encodeURIComponent(doc)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': blob.type || 'application/octet-stream' },
        body: blob,
      });
      if (!res.ok) throw new WidgetError('relay', `upload refused: ${res.status}`, res.status);
      const { hash: stored } = (await res.json()) as { hash?: string };
      if (stored !== hash) throw new WidgetError('relay', 'relay stored the file under another hash');
    },
  });
}

function toConnection(s: ConnectionStatus): ConnectionState {
  return s === 'connected' ? 'online' : s === 'connecting' ? 'connecting' : 'offline';
}

/** One id per browser profile, so the conversation can tell this device's messages from others'. */
function deviceId(): string {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) localStorage.setItem(DEVICE_KEY, (id = uuidv7()));
    return id;
  } catch {
    return uuidv7();
  }
}

/** "Firefox on Android", good enough for a customer to recognise their own devices. */
export function describeDevice(ua: string): string {
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'unknown';
  return `${browser} on ${os}`;
}
