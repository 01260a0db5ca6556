/**
 * The sync client against the real relay logic over the in-memory network (auto delivery).
 * Each test says what a user would notice: messages arriving, once; `sent` surviving a reload;
 * a refused document not taking the others down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc, createClient, createMemoryStore, protocol, type ClientOptions, type ParleyClient, type ReplicaStore } from '@parley/core';
import { startInMemoryRelay, type InMemoryRelay } from '../fuzz/in-memory-relay.js';
import { StorageUnavailableError, type DocStore } from '../../packages/sync-server/src/storage/types.js';
import { createMemoryStore as createRelayStore } from '../../packages/sync-server/src/storage/memory.js';

const CONV = conversationDoc('acme', 'c1', 'k1');
const OTHER_CUSTOMERS_CONV = conversationDoc('acme', 'c2', 'k9');

let env: InMemoryRelay;
const clients: ParleyClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await env?.close();
});

const customer = (): Promise<string> => env.token({ ws: 'acme', role: 'customer', sub: 'c1' });
const agent = (): Promise<string> => env.token({ ws: 'acme', role: 'agent', sub: 'a1' });

function start(peer: string, token: ClientOptions['token'], store: ReplicaStore = createMemoryStore()): ParleyClient {
  const client = createClient({
    url: 'ws://relay.test',
    token,
    store,
    WebSocket: env.network.socketClass(peer),
    backoff: { initialMs: 5, maxMs: 20, stableMs: 1000 },
  });
  clients.push(client);
  return client;
}

const texts = (doc: Y.Doc): string[] => doc.getArray<string>('messages').toArray();
const allAcked = (doc: Y.Doc, isAcked: (client: number, clock: number) => boolean): boolean =>
  [...Y.decodeStateVector(Y.encodeStateVector(doc))].every(([client, clock]) => isAcked(client, clock - 1));

describe('sync client ↔ relay', () => {
  it('[P9] syncs a conversation both ways and resolves whenSynced', async () => {
    env = startInMemoryRelay('auto');
    const a = start('customer', await customer()).open(CONV);
    const b = start('agent', await agent()).open(CONV);
    await Promise.all([a.whenSynced, b.whenSynced]);
    a.doc.getArray<string>('messages').push(['hello']);
    await env.network.until(() => texts(b.doc).length === 1, 'agent to see the message');
    b.doc.getArray<string>('messages').push(['hi, how can I help?']);
    await env.network.until(() => texts(a.doc).length === 2, 'customer to see the reply');
    expect(texts(a.doc)).toEqual(texts(b.doc));
  });

  it('[P8] never sends a remote update back to the relay', async () => {
    env = startInMemoryRelay('auto');
    const a = start('customer', await customer()).open(CONV);
    const b = start('agent', await agent()).open(CONV);
    await Promise.all([a.whenSynced, b.whenSynced]);
    const agentFramesBefore = env.network.sentBy.get('agent')!.length;
    for (let i = 0; i < 5; i++) a.doc.getArray<string>('messages').push([`m${i}`]);
    await env.network.until(() => texts(b.doc).length === 5, 'agent to see five messages');
    const syncFromAgent = env.network.sentBy
      .get('agent')!
      .slice(agentFramesBefore)
      .filter((f) => protocol.decodeFrame(f).type === protocol.Frame.sync);
    expect(syncFromAgent).toEqual([]);
  });

  it('[P7] marks own items sent after the relay commits them, and sent survives a reload', async () => {
    env = startInMemoryRelay('auto');
    const store = createMemoryStore();
    const client = start('customer', await customer(), store);
    const h = client.open(CONV);
    await h.whenSynced;
    let acks = 0;
    h.acks.onAck(() => acks++);
    h.doc.getArray<string>('messages').push(['hello']);
    const { clientID } = h.doc;
    await env.network.until(() => h.acks.isAcked(clientID, 0), 'the ack');
    expect(acks).toBeGreaterThan(0);
    await client.close();

    // offline reload: no relay to ask, yet the message still shows as sent
    env.network.setOnline('customer', false);
    const reloaded = start('customer', await customer(), store).open(CONV);
    await reloaded.whenLoaded;
    expect(texts(reloaded.doc)).toEqual(['hello']);
    expect(reloaded.acks.isAcked(clientID, 0)).toBe(true);
  });

  it('[P9] delivers an outbox written offline once, after the tab was closed and reopened', async () => {
    env = startInMemoryRelay('auto');
    const store = createMemoryStore();
    const agentHandle = start('agent', await agent()).open(CONV);
    await agentHandle.whenSynced;

    env.network.setOnline('customer', false);
    const offlineTab = start('customer', await customer(), store);
    const h = offlineTab.open(CONV);
    await h.whenLoaded;
    for (const text of ['one', 'two', 'three']) h.doc.getArray<string>('messages').push([text]);
    await offlineTab.close(); // the tab closes with nothing acknowledged

    env.network.setOnline('customer', true);
    const reopened = start('customer', await customer(), store).open(CONV);
    await reopened.whenSynced;
    await env.network.until(() => texts(agentHandle.doc).length >= 3, 'the agent to get the outbox');
    await env.network.until(() => allAcked(reopened.doc, reopened.acks.isAcked), 'the outbox to be acked');
    expect(texts(agentHandle.doc)).toEqual(['one', 'two', 'three']);
    const stored = await env.store.load(CONV);
    const rebuilt = new Y.Doc();
    for (const u of stored!.updates) Y.applyUpdate(rebuilt, u);
    expect(texts(rebuilt)).toEqual(['one', 'two', 'three']);
  });

  it('[P7] counts an update as sent when the relay committed it but the ack was lost', async () => {
    env = startInMemoryRelay('auto');
    const store = createMemoryStore();
    const client = start('customer', await customer(), store);
    const h = client.open(CONV);
    await h.whenSynced;
    const conn = [...env.network.connections].find((c) => c.peer === 'customer')!;
    env.network.setHeld('customer', true);
    h.doc.getArray<string>('messages').push(['committed, ack lost']);
    const { clientID } = h.doc;
    await env.network.until(() => conn.toClient.length > 0, 'the relay to commit and queue the ack');
    await env.network.kill(conn, false); // the ack dies with the connection
    env.network.setHeld('customer', false);
    expect(h.acks.isAcked(clientID, 0)).toBe(false);
    await env.network.until(() => h.acks.isAcked(clientID, 0), 'the relay state vector to count it as sent');
    const stored = await env.store.load(CONV);
    const rebuilt = new Y.Doc();
    for (const u of stored!.updates) Y.applyUpdate(rebuilt, u);
    expect(texts(rebuilt)).toEqual(['committed, ack lost']);
  });

  it('reconnects after the network drops and resyncs what was missed', async () => {
    env = startInMemoryRelay('auto');
    const customerClient = start('customer', await customer());
    const statuses: string[] = [];
    customerClient.on('status', (s) => statuses.push(s));
    const a = customerClient.open(CONV);
    const b = start('agent', await agent()).open(CONV);
    await Promise.all([a.whenSynced, b.whenSynced]);
    env.network.setOnline('customer', false);
    b.doc.getArray<string>('messages').push(['while you were away']);
    a.doc.getArray<string>('messages').push(['typed offline']);
    env.network.setOnline('customer', true);
    await env.network.until(() => texts(a.doc).length === 2 && texts(b.doc).length === 2, 'both sides to converge');
    expect(texts(a.doc)).toEqual(texts(b.doc));
    expect(statuses).toContain('offline');
    expect(statuses.at(-1)).toBe('connected');
  });

  it('[P5] an edit refused as read-only is sent again once a renewed token allows it, without a reconnect', async () => {
    env = startInMemoryRelay('auto');
    const grant = (access: 'r' | 'rw') => env.token({ ws: 'acme', role: 'bot', sub: 'b1', grants: [{ prefix: 'ws/acme/customers/c1', access }] });
    const client = start('bot', await grant('r'));
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    const h = client.open(CONV);
    await h.whenSynced;
    h.doc.getArray<string>('messages').push(['triaged']);
    await env.network.until(() => errors.includes('forbidden'), 'the read-only refusal');
    const socketsBefore = env.network.connections.size;
    client.setToken(await grant('rw'));
    await env.network.until(() => allAcked(h.doc, h.acks.isAcked), 'the refused edit to be acked', 10_000);
    expect(env.network.connections.size).toBe(socketsBefore);
    const reader = start('agent', await agent());
    const seen = reader.open(CONV);
    await env.network.until(() => texts(seen.doc).includes('triaged'), 'the agent to see it');
  });

  it('[P4] surfaces a refused document on its handle, stops asking for it, and keeps the others', async () => {
    env = startInMemoryRelay('auto');
    const client = start('customer', await customer());
    const errors: string[] = [];
    client.on('error', (e, ctx) => errors.push(`${e.code}:${ctx.doc ?? ''}`));
    const refused = client.open(OTHER_CUSTOMERS_CONV);
    const mine = client.open(CONV);
    await expect(refused.whenSynced).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    await mine.whenSynced;
    expect(refused.closedBy?.code).toBe('forbidden');
    expect(errors).toEqual([`forbidden:${OTHER_CUSTOMERS_CONV}`]);

    const framesBefore = env.network.sentBy.get('customer')!.length;
    const conn = [...env.network.connections].find((c) => c.peer === 'customer')!;
    await env.network.kill(conn, false);
    const reconnected = new Promise<void>((resolve) => client.on('synced', () => resolve()));
    await reconnected;
    const reopened = env.network.sentBy
      .get('customer')!
      .slice(framesBefore)
      .map((f) => protocol.decodeFrame(f))
      .filter((f) => f.type === protocol.Frame.open)
      .map((f) => (f as { doc: string }).doc);
    expect(reopened).toEqual([CONV]);
  });

  it('[P3] reports an invalid fixed token as unauthorised, then connects once given a valid one', async () => {
    env = startInMemoryRelay('auto');
    const client = start('customer', 'not-a-token');
    const h = client.open(CONV);
    const unauthorised = new Promise<string>((resolve) => client.on('error', (e) => resolve(e.code)));
    await env.network.until(() => client.status === 'unauthorised', 'unauthorised status');
    expect(await unauthorised).toBe('unauthorised');
    client.setToken(await customer());
    await h.whenSynced;
    expect(client.status).toBe('connected');
  });

  it('[P11] refreshes the token on the live socket; a document the new token does not cover is closed, the socket stays', async () => {
    env = startInMemoryRelay('auto');
    const client = start('customer', await customer());
    const conv = client.open(CONV);
    const settings = client.open('ws/acme/settings');
    await Promise.all([conv.whenSynced, settings.whenSynced]);
    const socketsBefore = [...env.network.connections].filter((c) => c.peer === 'customer');
    const closed = new Promise<string>((resolve) => conv.on('closed', (e) => resolve(e.code)));
    client.setToken(await env.token({ ws: 'acme', role: 'customer', sub: 'c2' }));
    expect(await closed).toBe('forbidden');
    expect(settings.closedBy).toBeNull();
    expect([...env.network.connections].filter((c) => c.peer === 'customer')).toEqual(socketsBefore);
    expect(client.status).toBe('connected');
  });

  it('asks a token provider again after a refusal', async () => {
    env = startInMemoryRelay('auto');
    const issued = ['expired-or-bad', await customer()];
    let asked = 0;
    const client = start('customer', () => issued[Math.min(asked++, 1)]!);
    await client.open(CONV).whenSynced;
    expect(asked).toBe(2);
  });

  it('shares awareness per document and removes it on release', async () => {
    env = startInMemoryRelay('auto');
    const a = start('customer', await customer()).open(CONV);
    const b = start('agent', await agent()).open(CONV);
    await Promise.all([a.whenSynced, b.whenSynced]);
    // [P6]: awareness is accepted for client ids the connection has written under
    a.doc.getArray<string>('messages').push(['hi']);
    b.doc.getArray<string>('messages').push(['hello']);
    await env.network.until(() => texts(a.doc).length === 2 && texts(b.doc).length === 2, 'both messages');
    a.awareness.setLocalStateField('typing', true);
    await env.network.until(() => b.awareness.getStates().get(a.doc.clientID)?.typing === true, 'typing to show');
    await a.release();
    await env.network.until(() => !b.awareness.getStates().has(a.doc.clientID), 'typing to clear on release');
  });

  it('[P12] retries a document the store refused after a short delay, however many times it was refused before', async () => {
    // A store that refuses appends while `down` (a full disk, a database restart).
    const inner = createRelayStore();
    let down = true;
    const store: DocStore = { ...inner, append: (...args) => (down ? Promise.reject(new StorageUnavailableError('disk full')) : inner.append(...args)) };
    env = startInMemoryRelay('auto', store);
    // Retry delays as asked for, run at once; random() = 1 makes each the backoff's ceiling. Other
    // timers keep their time (the answer timeout is set outside the retries' range to tell it apart).
    const retries: number[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        const retry = ms >= 1000 && ms <= 30_000;
        if (retry) retries.push(ms);
        return setTimeout(fn, retry ? 0 : ms);
      },
      clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
    };
    const client = createClient({ url: 'ws://relay.test', token: await customer(), WebSocket: env.network.socketClass('customer'), timers, random: () => 1, backoff: { initialMs: 5, maxMs: 20, stableMs: 60_000 }, answerTimeoutMs: 60_000 });
    clients.push(client);
    const h = client.open(CONV);
    await h.whenSynced;
    const refusedTimes = (n: number) => env.network.until(() => retries.length >= n, `${n} retries`);
    h.doc.getArray<string>('messages').push(['written while the disk is full']);
    await refusedTimes(4);
    expect(retries.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    down = false;
    await env.network.until(() => h.acks.isAcked(h.doc.clientID, 0), 'the message to be committed');
    // Hours later the disk fills again: the first retry comes after a second, not 16 s or 30 s.
    down = true;
    const before = retries.length;
    h.doc.getArray<string>('messages').push(['and again']);
    await refusedTimes(before + 1);
    expect(retries[before]).toBe(1000);
    down = false;
    await env.network.until(() => h.acks.isAcked(h.doc.clientID, 1), 'the second message to be committed');
  });

  it('keeps one document per name with reference counting', async () => {
    env = startInMemoryRelay('auto');
    const client = start('customer', await customer());
    const first = client.open(CONV);
    const second = client.open(CONV);
    expect(second.doc).toBe(first.doc);
    await first.release();
    await first.release(); // releasing the same handle twice counts once
    expect(first.doc.isDestroyed).toBe(false);
    await second.release();
    expect(first.doc.isDestroyed).toBe(true);
  });
});
