/**
 * Several relay processes sharing one store and a fan-out converge: run in process with the local
 * bus and a memory store, and against real Redis and PostgreSQL (as separate relays would use them).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { DirectoryRoot, conversationDoc, directoryDoc } from '@parley/core';
import { Code } from '@parley/core/protocol';
import { createLocalBus } from '../fanout/local.js';
import { openRedisFanOut } from '../fanout/redis.js';
import type { FanOut } from '../fanout/types.js';
import { createMemoryStore } from '../storage/memory.js';
import { scratchSchema } from '../storage/scratch-schema.js';
import { probePostgres, probeRedis, redisUrl } from '../storage/service-probe.js';
import type { DocStore } from '../storage/types.js';
import type { Relay } from './relay.js';
import { agent, closeRelays, customer, muxClient, startRelay } from './test-kit.js';

const conv = conversationDoc('acme', 'c1', 'k1');

interface Cluster {
  node(): Promise<{ store: DocStore; fanout: FanOut }>;
  destroy(): Promise<void>;
}

const redis = await probeRedis();
const postgres = await probePostgres();

const setups: [string, boolean, () => Cluster][] = [
  [
    'local bus + memory store',
    true,
    () => {
      const bus = createLocalBus();
      const store = createMemoryStore();
      return { node: async () => ({ store, fanout: bus.node() }), destroy: async () => undefined };
    },
  ],
  [
    'Redis + PostgreSQL',
    redis.available && postgres.available,
    () => {
      const scratch = scratchSchema('relay');
      const prefix = `parley-relay-test:${randomUUID()}:`;
      const fanouts: FanOut[] = [];
      return {
        async node() {
          const store = await scratch.open();
          const fanout = await openRedisFanOut({ url: redisUrl, prefix });
          fanouts.push(fanout);
          return { store, fanout };
        },
        async destroy() {
          await Promise.all(fanouts.map((f) => f.close().catch(() => undefined)));
          await scratch.destroy();
        },
      };
    },
  ],
];

describe.each(setups)('several relays over %s', (_name, available, makeCluster) => {
  let cluster: Cluster | null = null;
  afterEach(async () => {
    await closeRelays();
    await cluster?.destroy();
    cluster = null;
  });

  const relays = async (n: number): Promise<Relay[]> => {
    cluster = makeCluster();
    const out: Relay[] = [];
    for (let i = 0; i < n; i++) out.push(startRelay(await cluster.node()));
    return out;
  };

  it.skipIf(!available)('clients on different relays converge, each acked by its own relay', async () => {
    const nodes = await relays(3);
    const clients = nodes.map((r, i) => muxClient(r, i === 0 ? customer() : agent(`a${i}`)));
    const docs = clients.map((c) => c.open(conv));
    await Promise.all(clients.map((c, i) => c.until(() => docs[i]!.synced, 'synced')));
    docs.forEach((d, i) => {
      for (let j = 0; j < 5; j++) d.ydoc.getArray('messages').push([`node ${i} message ${j}`]);
    });
    await Promise.all(clients.map((c, i) => c.until(() => docs[i]!.ydoc.getArray('messages').length === 15 && c.allAcked(conv), 'all 15 messages and acks', 10_000)));
    const states = docs.map((d) => JSON.stringify(d.ydoc.getArray('messages').toJSON()));
    expect(new Set(states).size).toBe(1);
  });

  it.skipIf(!available)('awareness crosses relays, and so does its removal', async () => {
    const [r1, r2] = await relays(2);
    const a = muxClient(r1!, customer());
    const b = muxClient(r2!, agent());
    const da = a.open(conv);
    const db = b.open(conv);
    await a.until(() => da.synced, 'a synced');
    await b.until(() => db.synced, 'b synced');
    let frames = 0;
    const aw = new awarenessProtocol.Awareness(da.ydoc);
    aw.setLocalState({ typing: true });
    a.sendAwareness(conv, awarenessProtocol.encodeAwarenessUpdate(aw, [da.ydoc.clientID]));
    await b.until(() => {
      frames = b.socket.received.filter((f) => f[0] === 1).length;
      return frames >= 1;
    }, 'awareness frame on the other relay');
    a.socket.close();
    await b.until(() => b.socket.received.filter((f) => f[0] === 1).length > frames, 'removal on the other relay');
  });

  it.skipIf(!available)('[P6] client-id ownership travels with fan-out: a forger on another relay gets 4409', async () => {
    const [r1, r2] = await relays(2);
    const a = muxClient(r1!, agent());
    const da = a.open(conv);
    await a.until(() => da.synced, 'synced');
    da.ydoc.getArray('messages').push(['agent']);
    await a.until(() => a.allAcked(conv), 'acked');
    const c = muxClient(r2!, customer());
    const forged = new Y.Doc();
    const dc = c.open(conv, forged);
    await c.until(() => dc.synced && forged.getArray('messages').length === 1, 'customer synced');
    forged.clientID = da.ydoc.clientID;
    forged.getArray('messages').push(['impersonation']);
    await c.until(() => c.errors.length > 0, 'refused');
    expect(c.errors[0]?.code).toBe(Code.conflict);
  });

  it.skipIf(!available)('the directory written on one relay reaches agents on another', async () => {
    const [r1, r2] = await relays(2);
    const inbox = muxClient(r2!, agent());
    const d = inbox.open(directoryDoc('acme'));
    await inbox.until(() => d.synced, 'synced');
    const c = muxClient(r1!, customer());
    c.open(conv).ydoc.getArray('messages').push(['hello']);
    await inbox.until(() => d.ydoc.getMap(DirectoryRoot).has(conv), 'entry on the other relay', 10_000);
  });
});
