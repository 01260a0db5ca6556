/**
 * The app's sync: @parley/core's tab client (one multiplexed socket, durable acks, reconnect with
 * backoff) over an IndexedDB replica store. Each agent gets its own database prefix on this device,
 * so "clear this device's data" removes exactly that agent's replicas. Every tab of one agent
 * shares one socket and one IndexedDB writer: the tab holding the Web Lock leads, the others
 * bridge to it over a BroadcastChannel (core's client/README.md, "Several tabs").
 */
import type { ParleyClient, ReplicaStore } from '@parley/core';
import { createTabClient } from '@parley/core/browser';
import type { AgentSync, ConnectionState, DocHandle } from './sync-port.js';
import { offlineAwareWebSocket } from './offline-aware-socket.js';

export const replicaPrefix = (ws: string, agentId: string): string => `parley-agent:${ws}:${agentId}:`;
export const tabGroup = (ws: string, agentId: string): string => `parley-agent:${ws}:${agentId}`;

export interface CoreSyncOptions {
  relayUrl: string;
  token: string;
  ws: string;
  agentId: string;
  /** where replicas live: IndexedDB under `replicaPrefix(ws, agentId)` in the app */
  store: ReplicaStore;
}

export function createCoreSync(options: CoreSyncOptions): AgentSync {
  const client: ParleyClient = createTabClient({
    // One leader per signed-in agent: another agent signed in on this browser has its own.
    name: tabGroup(options.ws, options.agentId),
    url: options.relayUrl.replace(/^http/, 'ws'),
    token: options.token,
    WebSocket: offlineAwareWebSocket(),
    store: options.store,
  });
  const toState = (): ConnectionState => (client.status === 'connected' ? 'online' : client.status === 'connecting' ? 'connecting' : 'offline');

  return {
    open(name: string): DocHandle {
      const h = client.open(name);
      let released = false;
      return {
        name,
        doc: h.doc,
        awareness: h.awareness,
        loaded: h.whenLoaded,
        // A document the relay refuses never syncs; the UI keeps showing the replica.
        synced: h.whenSynced.catch(() => new Promise<void>(() => undefined)),
        isAcked: (client, clock) => h.acks.isAcked(client, clock),
        onAck: (listener) => h.acks.onAck(listener),
        release: () => {
          if (released) return;
          released = true;
          void h.release();
        },
      };
    },
    get connection() {
      return toState();
    },
    onConnection(listener) {
      return client.on('status', () => listener(toState()));
    },
    async destroy() {
      await client.close();
    },
  };
}
