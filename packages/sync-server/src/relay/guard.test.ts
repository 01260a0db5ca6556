import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { conversationDoc } from '@parley/core';
import { Code, Frame, encodeSyncMessage, encodeYwsAwareness, syncUpdate } from '@parley/core/protocol';
import { createMemoryStore } from '../storage/memory.js';
import { agent, closeRelays, customer, muxClient, startRelay, syncClient } from './test-kit.js';
import type { MuxClient } from './test-kit.js';
import type { Relay } from './relay.js';

const conv = conversationDoc('acme', 'c1', 'k1');
afterEach(closeRelays);

async function joined(relay: Relay, who: ReturnType<typeof customer>, ydoc = new Y.Doc()): Promise<{ c: MuxClient; ydoc: Y.Doc }> {
  const c = muxClient(relay, who);
  const d = c.open(conv, ydoc);
  await c.until(() => d.synced, 'synced');
  return { c, ydoc };
}

/** The agent posts a message and sets an agent-only field; returns once both are acked. */
async function agentWrites(relay: Relay): Promise<{ c: MuxClient; ydoc: Y.Doc }> {
  const a = await joined(relay, agent());
  const msg = new Y.Map<unknown>();
  a.ydoc.getArray('messages').push([msg]);
  msg.set('text', 'agent says hi');
  a.ydoc.getMap('state').set('status', 'open');
  await a.c.until(() => a.c.allAcked(conv), 'agent acked');
  return a;
}

/** What a fresh reader sees at the relay. */
async function relayView(relay: Relay): Promise<Y.Doc> {
  const { ydoc } = await joined(relay, agent('observer'));
  return ydoc;
}

/**
 * A replica that writes under `victim`'s client id. Yjs itself would switch to a fresh id when it
 * sees its own id arrive from elsewhere, so the forger sets it after catching up.
 */
function forgedReplica(victim: Y.Doc): Y.Doc {
  const forged = new Y.Doc();
  Y.applyUpdate(forged, Y.encodeStateAsUpdate(victim));
  forged.clientID = victim.clientID;
  return forged;
}

const lastError = (c: MuxClient) => c.errors[c.errors.length - 1];

describe('[P6] client ids are bound to principals', () => {
  it('[P6] refuses new writes under a client id another principal owns (4409) and does not apply them', async () => {
    const relay = startRelay();
    const a = await agentWrites(relay);
    const cust = await joined(relay, customer(), forgedReplica(a.ydoc));
    cust.ydoc.getArray('messages').push(['impersonated']);
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ doc: conv, code: Code.conflict });
    expect((await relayView(relay)).getArray('messages').length).toBe(1);
    expect(relay.metrics().rejections['client_id_conflict']).toBe(1);
  });

  it('[P6] refuses a customer deleting another principal’s message (4403)', async () => {
    const relay = startRelay();
    await agentWrites(relay);
    const cust = await joined(relay, customer());
    cust.ydoc.getArray('messages').delete(0, 1);
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    expect((await relayView(relay)).getArray('messages').length).toBe(1);
  });

  it('[P6] lets a customer delete its own message', async () => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    cust.ydoc.getArray('messages').push(['mine']);
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    cust.ydoc.getArray('messages').delete(0, 1);
    await cust.c.until(() => cust.c.allAcked(conv) && relay.metrics().updatesTotal >= 2, 'delete committed');
    expect(cust.c.errors).toEqual([]);
    expect((await relayView(relay)).getArray('messages').length).toBe(0);
  });

  it.each([
    ['a new key in state', (d: Y.Doc) => d.getMap('state').set('assignee', 'me')],
    ['overwriting the agent’s key (positioned by origin, no parent written)', (d: Y.Doc) => d.getMap('state').set('status', 'resolved')],
  ])('[P6] refuses a customer writing %s (4403)', async (_what, edit) => {
    const relay = startRelay();
    await agentWrites(relay);
    const cust = await joined(relay, customer());
    edit(cust.ydoc);
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    const view = await relayView(relay);
    expect(view.getMap('state').toJSON()).toEqual({ status: 'open' });
    expect(relay.metrics().rejections['agent_only_root'] ?? 0).toBe(1);
  });

  it.each([
    ['overwriting the text of the agent’s message (no delete set: the old value is its origin)', (m: Y.Map<unknown>) => m.set('text', 'edited by the customer')],
    ['adding a key to the agent’s message (names the message as its parent)', (m: Y.Map<unknown>) => m.set('deleted', true)],
  ])('[P6] refuses a customer %s (4403) and keeps the message as the agent wrote it', async (_what, edit) => {
    const relay = startRelay();
    await agentWrites(relay);
    const cust = await joined(relay, customer());
    edit(cust.ydoc.getArray<Y.Map<unknown>>('messages').get(0));
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    expect(relay.metrics().rejections['foreign_edit']).toBe(1);
    expect((await relayView(relay)).getArray<Y.Map<unknown>>('messages').get(0).toJSON()).toEqual({ text: 'agent says hi' });
  });

  it('[P6] lets a customer edit its own message and reply next to the agent’s', async () => {
    const relay = startRelay();
    await agentWrites(relay);
    const cust = await joined(relay, customer());
    const mine = new Y.Map<unknown>();
    cust.ydoc.getArray('messages').push([mine]);
    mine.set('text', 'first');
    mine.set('text', 'second');
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    expect(cust.c.errors).toEqual([]);
    const view = (await relayView(relay)).getArray<Y.Map<unknown>>('messages');
    expect(view.map((m) => m.get('text'))).toEqual(['agent says hi', 'second']);
  });

  const ownName = { role: 'customer', id: 'c1', name: 'Cem' };
  /** As core writes one: the fields set before the map goes into `messages`, so one update carries it all. */
  const customerMessage = (d: Y.Doc, author: unknown): Y.Map<unknown> => {
    const m = new Y.Map<unknown>();
    m.set('author', author);
    m.set('text', 'Your refund is approved');
    d.getArray('messages').push([m]);
    return m;
  };

  it.each([
    ['a message under an agent’s name', (d: Y.Doc) => customerMessage(d, { role: 'agent', id: 'a1', name: 'Support' })],
    ['a message under another customer’s name', (d: Y.Doc) => customerMessage(d, { ...ownName, id: 'c2' })],
    ['its own name then an agent’s in one update (the second value names no key, only the first)', (d: Y.Doc) =>
      d.transact(() => customerMessage(d, ownName).set('author', { role: 'agent', id: 'a1', name: 'Support' }))],
    ['a conversation created by an agent', (d: Y.Doc) => d.getMap('meta').set('createdBy', { role: 'agent', id: 'a1', name: 'Support' })],
  ])('[P6] refuses a customer writing %s (4403)', async (_what, write) => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    write(cust.ydoc);
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    expect(relay.metrics().rejections['forged_author']).toBe(1);
    const view = await relayView(relay);
    expect([view.getArray('messages').length, view.getMap('meta').size]).toEqual([0, 0]);
  });

  it('[P6] refuses a customer renaming its acknowledged message to an agent’s afterwards, and keeps its own name there', async () => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    const mine = customerMessage(cust.ydoc, ownName);
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    mine.set('author', { role: 'agent', id: 'a1', name: 'Support' });
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    expect((await relayView(relay)).getArray<Y.Map<unknown>>('messages').get(0).get('author')).toEqual(ownName);
  });

  it('[P6] lets a customer write and re-sign messages under its own name', async () => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    const mine = customerMessage(cust.ydoc, ownName);
    mine.set('author', { ...ownName, name: 'Cem Y.' });
    cust.ydoc.getMap('meta').set('createdBy', ownName);
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    expect(cust.c.errors).toEqual([]);
    expect((await relayView(relay)).getArray<Y.Map<unknown>>('messages').get(0).get('author')).toEqual({ ...ownName, name: 'Cem Y.' });
  });

  it('[P6] accepts a customer’s step 2 carrying implied deletions (two agents raced on one state key)', async () => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    // Both agents write in the same tick, before seeing each other: every replica then deletes the
    // losing write by itself, and no one ever sends that deletion explicitly.
    const a1 = await joined(relay, agent('a1'));
    const a2 = await joined(relay, agent('a2'));
    a1.ydoc.getMap('state').set('status', 'resolved');
    a2.ydoc.getMap('state').set('status', 'open');
    await a1.c.until(() => a1.c.allAcked(conv), 'a1 acked');
    await a2.c.until(() => a2.c.allAcked(conv), 'a2 acked');
    await cust.c.until(() => Y.decodeStateVector(Y.encodeStateVector(cust.ydoc)).size === 2, 'customer has both agent writes');
    cust.ydoc.getArray('messages').push(['my outbox']);
    cust.c.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncUpdate, Y.encodeStateAsUpdate(cust.ydoc)) });
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    expect(cust.c.errors).toEqual([]);
    expect((await relayView(relay)).getArray('messages').toJSON()).toEqual(['my outbox']);
  });

  it('[P6] lets agents write state', async () => {
    const relay = startRelay();
    await agentWrites(relay);
    expect((await relayView(relay)).getMap('state').get('status')).toBe('open');
  });

  it('[P6] accepts a customer re-uploading everything it has, others’ items and deletions included', async () => {
    const relay = startRelay();
    const a = await agentWrites(relay);
    a.ydoc.getArray('messages').push(['to be deleted']);
    a.ydoc.getArray('messages').delete(1, 1);
    await a.c.until(() => a.c.allAcked(conv), 'agent acked');
    const cust = await joined(relay, customer());
    await cust.c.until(() => cust.ydoc.getArray('messages').length === 1, 'customer has the agent’s message');
    // A client that lost track of what was acked re-sends its whole state as one update.
    cust.c.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncUpdate, Y.encodeStateAsUpdate(cust.ydoc)) });
    await cust.c.until(() => cust.c.allAcked(conv), 'acked');
    expect(cust.c.errors).toEqual([]);
  });

  it('[P6] after relay amnesia (a restarted relay over the same store), a customer’s full re-upload is accepted', async () => {
    const store = createMemoryStore();
    const first = startRelay({ store });
    await agentWrites(first);
    const cust = await joined(first, customer());
    await cust.c.until(() => cust.ydoc.getMap('state').get('status') === 'open', 'customer has it all');
    await first.close();
    const restarted = startRelay({ store });
    const cust2 = muxClient(restarted, customer());
    const d = cust2.open(conv, cust.ydoc);
    await cust2.until(() => d.synced, 'synced');
    cust2.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncUpdate, Y.encodeStateAsUpdate(cust.ydoc)) });
    await cust2.until(() => cust2.allAcked(conv) && cust2.socket.received.some((f) => f[0] === Frame.ack), 'full re-upload acked');
    expect(cust2.errors).toEqual([]);
  });

  it('[P6] a principal that wrote under a client id can keep writing under it after a relay restart', async () => {
    const store = createMemoryStore();
    const first = startRelay({ store });
    const a = await agentWrites(first);
    await first.close();
    const restarted = startRelay({ store });
    const again = muxClient(restarted, agent());
    const d = again.open(conv, a.ydoc);
    await again.until(() => d.synced, 'synced');
    a.ydoc.getMap('state').set('status', 'pending');
    await again.until(() => again.allAcked(conv), 'acked');
    expect(again.errors).toEqual([]);
    const cust = await joined(restarted, customer(), forgedReplica(a.ydoc));
    cust.ydoc.getArray('messages').push(['impersonated']);
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.conflict });
  });

  it('[P6] accepts awareness only for client ids the connection wrote or announced first', async () => {
    const relay = startRelay();
    const a = await agentWrites(relay);
    const cust = await joined(relay, customer());
    const own = new awarenessProtocol.Awareness(cust.ydoc);
    own.setLocalState({ typing: true });
    cust.c.sendAwareness(conv, awarenessProtocol.encodeAwarenessUpdate(own, [cust.ydoc.clientID]));
    const forged = new awarenessProtocol.Awareness(new Y.Doc());
    forged.clientID = a.ydoc.clientID;
    forged.setLocalState({ name: 'Agent Smith (not really)' });
    cust.c.sendAwareness(conv, awarenessProtocol.encodeAwarenessUpdate(forged, [a.ydoc.clientID]));
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(lastError(cust.c)).toMatchObject({ code: Code.forbidden });
    expect(cust.c.errors).toHaveLength(1);
    expect(relay.metrics().rejections['awareness_claim']).toBe(1);
  });

  it("[P6] drops another client's awareness removal (a stock client timing out a peer) without an error", async () => {
    const relay = startRelay();
    const a = await agentWrites(relay);
    const cust = await joined(relay, customer());
    // What y-protocols sends when a peer's entry times out: that peer's id, a higher clock, state null.
    const timedOut = new awarenessProtocol.Awareness(new Y.Doc());
    timedOut.clientID = a.ydoc.clientID;
    timedOut.setLocalState({});
    timedOut.setLocalState(null);
    cust.c.sendAwareness(conv, awarenessProtocol.encodeAwarenessUpdate(timedOut, [a.ydoc.clientID]));
    // Frames run in order: the forged state after it is refused, so the removal was handled before.
    const forged = new awarenessProtocol.Awareness(new Y.Doc());
    forged.clientID = a.ydoc.clientID;
    forged.setLocalState({ name: 'Agent Smith (not really)' });
    cust.c.sendAwareness(conv, awarenessProtocol.encodeAwarenessUpdate(forged, [a.ydoc.clientID]));
    await cust.c.until(() => cust.c.errors.length > 0, 'error frame');
    expect(cust.c.errors).toHaveLength(1);
    expect(relay.metrics().rejections['awareness_claim']).toBe(1);
  });

  it('[P6] on /sync, a stock client sending back a customer\'s awareness entry is dropped and its socket stays open', async () => {
    const relay = startRelay();
    const cust = await joined(relay, customer());
    cust.ydoc.getArray('messages').push([new Y.Map()]);
    await cust.c.until(() => cust.c.allAcked(conv), 'customer owns its client id');
    const stock = syncClient(relay, agent('a2'), conv);
    // y-websocket 3.1 sends back every entry it receives: the customer's own state, as it came.
    const received = new awarenessProtocol.Awareness(new Y.Doc());
    received.clientID = cust.ydoc.clientID;
    received.setLocalState({ typing: true });
    stock.socket.send(encodeYwsAwareness(awarenessProtocol.encodeAwarenessUpdate(received, [cust.ydoc.clientID])));
    // Frames run in order: once the stock client's next edit reached the customer, the echo was handled.
    stock.ydoc.getMap('state').set('status', 'open');
    await cust.c.until(() => cust.ydoc.getMap('state').get('status') === 'open', 'the edit after the echo');
    expect(stock.socket.closed).toBeNull();
    expect(relay.metrics().rejections['awareness_claim']).toBeUndefined();
  });
});
