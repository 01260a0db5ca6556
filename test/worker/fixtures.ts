/**
 * Peers for the worker tests, all real core clients over real sockets to a real relay process:
 * an admin writing settings, agents announcing presence on the directory, customers writing, and
 * the worker under test with a bot token holding the grants `parley serve` gives it.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  Conversation,
  conversationDoc,
  createClient,
  directoryDoc,
  settingsDoc,
  updateRoutingSettings,
  updateSettings,
  type ConversationSnapshot,
  type DocHandle,
  type ParleyClient,
  type RoutingSettings,
  type WebSocketConstructor,
  type WorkspaceSettings,
} from '@parley/core';
import { createWorker, workerGrants, type Worker, type WorkerOptions } from '@parley/sync-server';
import type { RelayProcess } from '../helpers/relay-process.js';
import { until } from '../helpers/until.js';

const WS = WebSocket as unknown as WebSocketConstructor;

export interface Peers {
  settings(patch: Partial<WorkspaceSettings>, routing: Partial<RoutingSettings>): Promise<void>;
  agent(id: string, presence?: 'online' | 'away'): Promise<DocHandle>;
  customer(cid: string, text: string, init?: { referralPage?: string; language?: string }): Promise<CustomerPeer>;
  worker(extra?: Partial<WorkerOptions>): Promise<Worker>;
  /** Agent `id` assigns the conversation to themself, as in the agent app. */
  assignAs(id: string, doc: string): Promise<void>;
  /** Agent `id` resolves the conversation (acknowledged by the relay when it resolves). */
  resolveAs(id: string, doc: string): Promise<void>;
  close(): Promise<void>;
}

export interface CustomerPeer {
  conv: Conversation;
  doc: string;
  say(text: string): string;
  /** Resolves with the first snapshot (now or later) that satisfies `predicate`. */
  until(predicate: (s: ConversationSnapshot) => boolean, what: string, timeoutMs?: number): Promise<ConversationSnapshot>;
}

export function createPeers(relay: RelayProcess, ws: string): Peers {
  const clients: ParleyClient[] = [];
  const workers: Worker[] = [];
  const client = async (role: 'admin' | 'agent' | 'customer', sub: string): Promise<ParleyClient> => {
    const c = createClient({ url: relay.wsUrl, token: await relay.token(role, ws, sub, { name: sub }), WebSocket: WS });
    clients.push(c);
    return c;
  };
  // One agent watches the directory to see presence arrive at the relay before a worker starts.
  let watcher: DocHandle | undefined;
  const watch = async (): Promise<DocHandle> => {
    if (!watcher) {
      watcher = (await client('agent', 'watcher')).open(directoryDoc(ws));
      await watcher.whenSynced;
    }
    return watcher;
  };

  const actAs = async (id: string, doc: string, act: (conv: Conversation) => void): Promise<void> => {
    const handle = (await client('agent', id)).open(doc);
    await handle.whenSynced;
    const conv = Conversation.open({ doc: handle.doc, acks: handle.acks, me: { role: 'agent', id, name: id.toUpperCase() }, deviceId: 'desk' });
    act(conv);
    conv.destroy();
    await acked(handle);
  };

  return {
    async settings(patch, routing) {
      const handle = (await client('admin', 'admin')).open(settingsDoc(ws));
      await handle.whenSynced;
      updateSettings(handle.doc, patch);
      updateRoutingSettings(handle.doc, routing);
      await acked(handle);
    },
    async agent(id, presence = 'online') {
      const handle = (await client('agent', id)).open(directoryDoc(ws));
      await handle.whenSynced;
      // The same field and shape as the agent app's PresenceController.
      handle.awareness.setLocalStateField('agent', { id, name: id.toUpperCase(), presence });
      const w = await watch();
      await until(
        () => [...w.awareness.getStates().values()].some((s) => (s as { agent?: { id?: string; presence?: string } }).agent?.id === id && (s as { agent: { presence?: string } }).agent.presence === presence),
        (fn) => {
          w.awareness.on('change', fn);
          return () => w.awareness.off('change', fn);
        },
        `presence of ${id}`,
      );
      return handle;
    },
    async customer(cid, text, init = {}) {
      const c = await client('customer', cid);
      const doc = conversationDoc(ws, cid, `k-${cid}`);
      const handle = c.open(doc);
      await handle.whenSynced;
      const conv = Conversation.create({ doc: handle.doc, acks: handle.acks, me: { role: 'customer', id: cid, name: cid }, deviceId: 'phone' }, { id: `k-${cid}`, customer: { id: cid, name: cid }, ...init });
      conv.send({ text });
      return {
        conv,
        doc,
        say: (t) => conv.send({ text: t }).id,
        until: (predicate, what, timeoutMs) =>
          until(
            () => (predicate(conv.snapshot()) ? conv.snapshot() : undefined),
            (fn) => conv.on('change', fn),
            what,
            timeoutMs,
          ),
      };
    },
    assignAs: (id, doc) => actAs(id, doc, (conv) => conv.assign({ agent: { id, name: id.toUpperCase() } })),
    resolveAs: (id, doc) => actAs(id, doc, (conv) => conv.resolve()),
    async worker(extra = {}) {
      const token = await relay.token('bot', ws, 'router', { name: 'Parley', grants: workerGrants(ws) });
      const worker = createWorker({ relayUrl: relay.wsUrl, token, ws, ...extra });
      workers.push(worker);
      await worker.ready;
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** Resolves when the worker has read `doc` in a state that satisfies `predicate`. */
export function handled(worker: Worker, doc: string, predicate: (s: ConversationSnapshot) => boolean, what: string): Promise<ConversationSnapshot> {
  let last: ConversationSnapshot | undefined;
  return until(
    () => (last && predicate(last) ? last : undefined),
    (fn) =>
      worker.onHandled((name, snapshot) => {
        if (name !== doc) return;
        last = snapshot;
        fn();
      }),
    what,
  );
}

async function acked(handle: DocHandle): Promise<void> {
  const id = handle.doc.clientID;
  await until(
    () => {
      const clock = Y.getState(handle.doc.store, id);
      return clock === 0 || handle.acks.isAcked(id, clock - 1);
    },
    (fn) => handle.acks.onAck(fn),
    'acknowledgement',
  );
}
