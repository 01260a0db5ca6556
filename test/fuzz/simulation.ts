/**
 * Seeded randomised convergence: customers' and agents' devices run real ParleyClients with
 * replica stores, talk to the real relay logic through the manual in-memory network, and a seeded
 * generator decides everything: which frame moves next, edits, deletions, status changes, dropped
 * connections (with or without the relay having received what was in flight), offline periods and
 * restarts from the replica store. Then the network heals and runs to quiescence, and the run
 * checks what users would notice. Same seed, same run: client ids and backoff jitter come from it.
 */
import 'fake-indexeddb/auto';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { Conversation, conversationDoc, createClient, createMemoryStore, type DocHandle, type Me, type ParleyClient, type ReplicaStore, type Timers } from '@parley/core';
import { createIndexedDbStore, createTabClient } from '@parley/core/browser';
import { startInMemoryRelay, type InMemoryRelay } from './in-memory-relay.js';
import { createChannelHub, createLocks } from './tab-seams.js';

export const DOC = conversationDoc('acme', 'c1', 'k1');

export interface SimulationOptions {
  seed: number;
  steps: number;
  /** agents resolve and reopen (concurrent writes to the same `state` key) */
  statusChanges?: boolean;
  /** the laptop's browser has two tabs sharing one socket (default true) */
  tabs?: boolean;
}

export interface Transcript {
  peer: string;
  messages: Array<{ id: string; kind: string; author: string; text: string; deleted: boolean }>;
  status: string;
}

export interface SimulationResult {
  transcripts: Transcript[];
  relayTranscript: Transcript;
  /** every message id any peer ever sent */
  sent: string[];
  /** peers whose own messages are not all acknowledged at the end: `peer: id, …` */
  unacked: string[];
  /** relay rejections the clients reported (a refused legitimate write breaks convergence) */
  errors: string[];
  stats: { delivered: number; kills: number; restarts: number; offline: number; edits: number };
}

interface Peer {
  name: string;
  /** tabs of one browser share its network link, IndexedDB, locks and channels */
  browser: string | null;
  me: Me;
  token: string;
  store: ReplicaStore;
  client: ParleyClient | null;
  handle: DocHandle | null;
  conv: Conversation | null;
}

/** A virtual clock: reconnect timers fire when the simulation says so, not when the wall clock does. */
function createVirtualTimers(): Timers & { fireNext(): boolean; size(): number } {
  let now = 0;
  let nextId = 0;
  const queue = new Map<number, { at: number; callback: () => void }>();
  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      queue.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      queue.delete(handle as number);
    },
    fireNext() {
      let first: [number, { at: number; callback: () => void }] | null = null;
      for (const entry of queue) if (!first || entry[1].at < first[1].at) first = entry;
      if (!first) return false;
      queue.delete(first[0]);
      now = first[1].at;
      first[1].callback();
      return true;
    },
    size: () => queue.size,
  };
}

let fuzzRun = 0;

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const gen = prng.create(options.seed);
  const random = (): number => prng.real53(gen);
  const env: InMemoryRelay = startInMemoryRelay('manual');
  const timers = createVirtualTimers();
  const stats = { delivered: 0, kills: 0, restarts: 0, offline: 0, edits: 0 };
  const sent: string[] = [];
  const errors: string[] = [];

  const customer: Me = { role: 'customer', id: 'c1', name: 'Ada' };
  const withTabs = options.tabs !== false;
  const people: Array<[string, Me, string | null]> = [
    ['customer-phone', customer, null],
    ['customer-laptop', customer, withTabs ? 'laptop' : null],
    ...(withTabs ? [['customer-laptop-tab2', customer, 'laptop'] as [string, Me, string]] : []),
    ['agent-1', { role: 'agent', id: 'a1', name: 'Grace' }, null],
    ['agent-2', { role: 'agent', id: 'a2', name: 'Linus' }, null],
  ];
  // the laptop keeps its replica in (fake) IndexedDB, so restarts go through the browser store
  const laptopStore = createIndexedDbStore({ prefix: `fuzz-${options.seed}-${fuzzRun++}:` });
  const locks = createLocks();
  const hub = createChannelHub();
  const peers: Peer[] = [];
  for (const [name, me, browser] of people) {
    const store = name.startsWith('customer-laptop') ? laptopStore : createMemoryStore();
    peers.push({ name, browser, me, token: await env.token({ ws: 'acme', role: me.role, sub: me.id, name: me.name }), store, client: null, handle: null, conv: null });
  }
  /** the name the network knows a peer's link by: a browser's tabs share one */
  const link = (peer: Peer): string => (peer.browser ? `browser-${peer.browser}` : peer.name);

  const start = (peer: Peer): void => {
    const clientOptions = {
      url: 'ws://relay.test',
      token: peer.token,
      store: peer.store,
      WebSocket: env.network.socketClass(link(peer)),
      backoff: { initialMs: 50, maxMs: 2000, stableMs: 5000 },
      random,
      timers,
      createDoc: () => {
        const doc = new Y.Doc();
        doc.clientID = prng.uint32(gen, 1, 0x7fffffff);
        return doc;
      },
    };
    const client = peer.browser ? createTabClient({ ...clientOptions, name: peer.browser, locks, openChannel: hub.open }) : createClient(clientOptions);
    client.on('error', (e, ctx) => {
      // refusals of legitimate writes are what this run is looking for; storage is memory here
      if (e.code !== 'unauthorised') errors.push(`${peer.name}: ${e.code} ${e.message}${ctx.code ? ` (${ctx.code})` : ''}`);
    });
    peer.client = client;
    peer.handle = client.open(DOC);
    peer.conv = Conversation.open({ doc: peer.handle.doc, acks: peer.handle.acks, me: peer.me, deviceId: peer.name });
  };

  const stop = async (peer: Peer): Promise<void> => {
    peer.conv?.destroy();
    await peer.client?.close();
    peer.client = peer.handle = peer.conv = null;
  };

  for (const peer of peers) start(peer);
  // the customer's phone starts the conversation, as the widget does
  await peers[0]!.handle!.whenLoaded;
  Conversation.create({ doc: peers[0]!.handle!.doc, me: peers[0]!.me, deviceId: 'customer-phone' }, { id: 'k1', customer: { id: 'c1', name: 'Ada' } }).destroy();

  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let counter = 0;

  const act = async (): Promise<void> => {
    const r = random();
    const peer = pick(peers);
    const conv = peer.conv;
    if (r < 0.55) {
      if (hub.pending() > 0 && random() < 0.4) {
        hub.step(random);
        await env.network.settle();
      } else if (await env.network.step(random)) stats.delivered++;
      else timers.fireNext();
    } else if (r < 0.68) {
      if (!conv) return;
      const text = `${peer.name} #${counter++}`;
      sent.push(conv.send({ text }).id);
    } else if (r < 0.74) {
      const own = conv?.messages().filter((m) => m.mine && !m.deleted && m.kind === 'text') ?? [];
      if (own.length === 0) return;
      const target = pick(own);
      if (random() < 0.7) conv!.edit(target.id, `${target.text} (edited)`);
      else conv!.delete(target.id);
      stats.edits++;
    } else if (r < 0.77) {
      if (!conv) return;
      if (peer.me.role === 'agent') {
        if (options.statusChanges === false) return;
        try {
          if (conv.status() === 'resolved') conv.reopen();
          else conv.resolve();
        } catch {
          // a transition the model refuses (e.g. from a state another agent just set) is fine
        }
      } else conv.markRead();
    } else if (r < 0.82) {
      const live = [...env.network.connections].filter((c) => !c.dead && !c.pendingOpen);
      if (live.length === 0) return;
      await env.network.kill(pick(live), random() < 0.5);
      stats.kills++;
    } else if (r < 0.86) {
      const online = env.network.isOnline(link(peer));
      env.network.setOnline(link(peer), !online);
      if (online) stats.offline++;
      else peer.client?.reconnect();
    } else if (r < 0.89) {
      await stop(peer);
      start(peer);
      stats.restarts++;
      await env.network.settle();
    } else {
      timers.fireNext();
      await env.network.settle();
    }
  };

  try {
    for (let i = 0; i < options.steps; i++) await act();

    // heal: everyone online, then run until no frame moves and every client is connected
    for (const peer of peers) {
      env.network.setOnline(link(peer), true);
      peer.client?.reconnect();
    }
    let quiet = 0;
    for (let i = 0; i < 50_000 && quiet < 3; i++) {
      if (hub.step(random)) {
        await env.network.settle();
        quiet = 0;
        continue;
      }
      if (await env.network.step(random)) {
        stats.delivered++;
        quiet = 0;
        continue;
      }
      await env.network.settle();
      const connected = peers.every((p) => p.client?.status === 'connected');
      if (connected && pendingFrames(env) === 0) quiet++;
      else timers.fireNext();
    }
    if (quiet < 3) throw new Error(`seed ${options.seed}: no quiescence; statuses ${peers.map((p) => `${p.name}=${p.client?.status}`).join(', ')}`);

    const transcripts = peers.map((p) => transcriptOf(p.name, p.conv!));
    const unacked = peers.flatMap((p) =>
      p.conv!
        .messages()
        .filter((m) => m.item && m.deviceId === p.name && !p.handle!.acks.isAcked(m.item.client, m.item.clock))
        .map((m) => `${p.name}: ${m.id}`),
    );
    const stored = await env.store.load(DOC);
    const rebuilt = new Y.Doc();
    for (const u of stored?.updates ?? []) Y.applyUpdate(rebuilt, u);
    const relayConv = Conversation.open({ doc: rebuilt, me: { role: 'agent', id: 'observer', name: 'observer' }, deviceId: 'relay' });
    const relayTranscript = transcriptOf('relay store', relayConv);
    relayConv.destroy();
    return { transcripts, relayTranscript, sent, unacked, errors, stats };
  } finally {
    for (const peer of peers) {
      await stop(peer);
      await peer.store.clear(DOC);
      await peer.store.close();
    }
    await env.close();
  }
}

function pendingFrames(env: InMemoryRelay): number {
  let n = 0;
  for (const c of env.network.connections) n += c.toRelay.length + c.toClient.length + (c.pendingOpen ? 1 : 0);
  return n;
}

function transcriptOf(peer: string, conv: Conversation): Transcript {
  return {
    peer,
    messages: conv.messages().map((m) => ({ id: m.id, kind: m.kind, author: `${m.author.role}:${m.author.id}`, text: m.text, deleted: m.deleted })),
    status: conv.status(0),
  };
}
