/**
 * Several tabs of one browser in one Node process: Node's real BroadcastChannel, IndexedDB through
 * fake-indexeddb, the real relay logic. Node 20 has no Web Locks, so the lock is a small in-process
 * queue with the same semantics (one holder per name, the next waiter gets it on release); the
 * widget's Chromium test covers the browser's own `navigator.locks`.
 */
import 'fake-indexeddb/auto';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc, createClient, type DocHandle } from '@parley/core';
import { createIndexedDbStore, createTabClient, type LockManagerLike, type TabClient } from '@parley/core/browser';
import { createLocks } from '../fuzz/tab-seams.js';
import { startInMemoryRelay, type InMemoryRelay } from '../fuzz/in-memory-relay.js';

const CONV = conversationDoc('acme', 'c1', 'k1');
let env: InMemoryRelay;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await env?.close();
});

const texts = (doc: Y.Doc): string[] => doc.getArray<string>('messages').toArray();

async function setup(): Promise<{ tabs: TabClient[]; agent: DocHandle; locks: LockManagerLike; token: string }> {
  env = startInMemoryRelay('auto');
  const token = await env.token({ ws: 'acme', role: 'customer', sub: 'c1' });
  const locks = createLocks();
  const name = `browser-${Math.random().toString(36).slice(2)}`;
  const tabs = [0, 1].map(() => {
    const tab = createTabClient({
      name,
      url: 'ws://relay.test',
      token,
      locks,
      store: createIndexedDbStore({ prefix: `${name}:` }),
      WebSocket: env.network.socketClass('browser'),
      backoff: { initialMs: 5, maxMs: 20 },
    });
    closers.push(() => tab.close());
    return tab;
  });
  const agentClient = createClient({ url: 'ws://relay.test', token: await env.token({ ws: 'acme', role: 'agent', sub: 'a1' }), WebSocket: env.network.socketClass('agent') });
  closers.push(() => agentClient.close());
  const agent = agentClient.open(CONV);
  await agent.whenSynced;
  return { tabs, agent, locks, token };
}

it('shares one socket between tabs; a follower tab sends, receives and sees its messages acknowledged', async () => {
  const { tabs, agent } = await setup();
  const [leader, follower] = tabs as [TabClient, TabClient];
  const inLeader = leader.open(CONV);
  const inFollower = follower.open(CONV);
  await Promise.all([inLeader.whenSynced, inFollower.whenSynced]);
  expect([leader.isLeader, follower.isLeader]).toEqual([true, false]);

  inFollower.doc.getArray<string>('messages').push(['from the second tab']);
  await env.network.until(() => texts(agent.doc).length === 1, 'the agent to get the follower tab message');
  const { clientID } = inFollower.doc;
  await env.network.until(() => inFollower.acks.isAcked(clientID, 0), 'the ack to reach the follower tab');

  agent.doc.getArray<string>('messages').push(['reply']);
  await env.network.until(() => texts(inFollower.doc).length === 2 && texts(inLeader.doc).length === 2, 'both tabs to get the reply');
  expect(texts(inFollower.doc)).toEqual(texts(agent.doc));
  expect([...env.network.connections].filter((c) => c.peer === 'browser')).toHaveLength(1);
});

it('hands the socket to another tab when the leader tab closes, without losing edits made in between', async () => {
  const { tabs, agent } = await setup();
  const [leader, follower] = tabs as [TabClient, TabClient];
  leader.open(CONV);
  const inFollower = follower.open(CONV);
  await inFollower.whenSynced;

  await leader.close();
  inFollower.doc.getArray<string>('messages').push(['typed while the tabs were changing hands']);
  await env.network.until(() => follower.isLeader, 'the follower to take over');
  await env.network.until(() => texts(agent.doc).length === 1, 'the message to reach the agent through the new leader');
  expect(texts(agent.doc)).toEqual(['typed while the tabs were changing hands']);
  expect(follower.status).toBe('connected');
});

it('carries presence between a follower tab and the relay, both ways', async () => {
  const { tabs, agent } = await setup();
  const [leader, follower] = tabs as [TabClient, TabClient];
  leader.open(CONV);
  const inFollower = follower.open(CONV);
  await inFollower.whenSynced;
  // [P6]: presence is accepted for client ids the socket has written under
  inFollower.doc.getArray<string>('messages').push(['hi']);
  await env.network.until(() => texts(agent.doc).length === 1, 'the message');
  inFollower.awareness.setLocalStateField('typing', true);
  await env.network.until(() => agent.awareness.getStates().get(inFollower.doc.clientID)?.typing === true, 'the agent to see the follower typing');
  agent.doc.getArray<string>('messages').push(['hello']);
  agent.awareness.setLocalStateField('typing', true);
  await env.network.until(() => inFollower.awareness.getStates().get(agent.doc.clientID)?.typing === true, 'the follower to see the agent typing');
});

it('tells a follower tab when the relay refuses a document', async () => {
  const { tabs } = await setup();
  const [leader, follower] = tabs as [TabClient, TabClient];
  leader.open(CONV);
  await env.network.until(() => leader.status === 'connected', 'the leader to connect');
  const refused = follower.open(conversationDoc('acme', 'someone-else', 'k2'));
  const closed = new Promise<string>((resolve) => refused.on('closed', (e) => resolve(e.code)));
  expect(await closed).toBe('forbidden');
  expect(refused.closedBy?.code).toBe('forbidden');
});
