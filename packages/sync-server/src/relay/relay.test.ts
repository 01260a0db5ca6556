import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Code, Frame, encodeFrame } from '@parley/core/protocol';
import { conversationDoc } from '@parley/core';
import { WS, agent, closeRelays, customer, customerAndAgent, eventually, holdableStore, muxClient, reader, startRelay, syncClient } from './test-kit.js';

const conv = conversationDoc(WS, 'c1', 'k1');
afterEach(closeRelays);

const text = (d: Y.Doc): string => d.getText('t').toString();
/** Messages as Conversation writes them, reduced to their text. */
const say = (d: Y.Doc, text: string): void => d.getArray('messages').push([new Y.Map<unknown>([['text', text]])]);
const texts = (d: Y.Doc): string => d.getArray<Y.Map<unknown>>('messages').toArray().map((m) => m.get('text')).join();

/** A relay on a store whose appends can be held, with a customer writing and an agent following `conv`. */
async function heldConversation() {
  const store = holdableStore();
  const relay = startRelay({ store });
  return { store, relay, ...(await customerAndAgent(relay, conv)) };
}

describe('relay /mux', () => {
  it('[P9] two clients converge: open answers step 2, step 1 and synced; updates flow both ways', async () => {
    const relay = startRelay();
    const a = muxClient(relay, customer());
    const b = muxClient(relay, agent());
    const da = a.open(conv);
    da.ydoc.getText('t').insert(0, 'hello ');
    const db = b.open(conv);
    await b.until(() => db.synced && text(db.ydoc) === 'hello ', 'b to receive what a wrote before b opened');
    db.ydoc.getText('t').insert(6, 'there');
    await a.until(() => text(da.ydoc) === 'hello there', 'a to receive b');
    expect(relay.metrics().connections.mux).toBe(2);
    expect(relay.metrics().openDocuments).toBe(1);
  });

  it('[P9] a reconnecting client gets only what it lacks and uploads what the relay lacks', async () => {
    const relay = startRelay();
    const a = muxClient(relay, customer());
    const da = a.open(conv);
    da.ydoc.getText('t').insert(0, 'one');
    await a.until(() => a.allAcked(conv), 'ack');
    a.socket.close();
    // Offline edit, then reconnect with the same replica.
    da.ydoc.getText('t').insert(3, ' two');
    const a2 = muxClient(relay, customer());
    const da2 = a2.open(conv, da.ydoc);
    await a2.until(() => da2.synced && a2.allAcked(conv), 'resync and ack of the offline edit');
    const b = muxClient(relay, agent());
    const db = b.open(conv);
    await b.until(() => text(db.ydoc) === 'one two', 'b to see both edits');
  });

  it('[P7] a first write under a new client id is acknowledged and forwarded only after the store has committed', async () => {
    const { store, relay, writer: a, follower: b, w: da, f: db } = await heldConversation();
    store.hold();
    da.ydoc.getText('t').insert(0, 'x');
    await a.until(() => relay.metrics().commitLatencyMs.count === 0 && store.appends === 0 && a.socket.received.length > 0, 'frames delivered');
    // Give every queued microtask and timer turn a chance: nothing may be acked while the append is held.
    await new Promise((r) => setImmediate(r));
    expect(a.allAcked(conv)).toBe(false);
    expect(text(db.ydoc)).toBe('');
    store.release();
    await a.until(() => a.allAcked(conv), 'ack after commit');
    expect(store.appends).toBe(1);
    await b.until(() => text(db.ydoc) === 'x', 'forwarded after commit');
  });

  it('[P7] under a client id the store owns, an update reaches followers before its commit; its ack waits for it', async () => {
    const { store, relay, writer: a, follower: b, w: da, f: db } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await a.until(() => a.allAcked(conv), 'first write (the claim) acked');
    store.hold();
    da.ydoc.getText('t').insert(1, 'b');
    await b.until(() => text(db.ydoc) === 'ab', 'forwarded while the append is held');
    await new Promise((r) => setImmediate(r));
    expect(a.allAcked(conv)).toBe(false);
    // A device joining now is asked for what the store lacks, not told the relay has it.
    const c = muxClient(relay, customer());
    const dc = c.open(conv);
    await c.until(() => dc.synced && text(dc.ydoc) === 'ab', 'new device gets what was forwarded');
    expect(c.allAcked(conv)).toBe(true);
    store.release();
    await a.until(() => a.allAcked(conv), 'ack after commit');
  });

  it('[P7] [P6] a staff update reaches staff and the writer\'s other devices before its commit, the customer only after it', async () => {
    const { store, relay, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    const otherAgent = muxClient(relay, agent('a2'));
    const dOther = otherAgent.open(conv);
    const secondDevice = muxClient(relay, agent());
    const dSecond = secondDevice.open(conv);
    await otherAgent.until(() => dOther.synced, 'other agent synced');
    await secondDevice.until(() => dSecond.synced, 'second device synced');
    da.ydoc.getText('t').insert(0, 'a');
    await ag.until(() => ag.allAcked(conv), 'the agent owns its client id');
    await cust.until(() => text(dc.ydoc) === 'a', 'the customer has the committed edit');
    store.hold();
    da.ydoc.getText('t').insert(1, 'b');
    await otherAgent.until(() => text(dOther.ydoc) === 'ab', 'staff get it before the commit');
    await secondDevice.until(() => text(dSecond.ydoc) === 'ab', 'the writer\'s other device gets it before the commit');
    // If the relay died now, a customer holding "b" could not bring it back (4409): it must not have it.
    await new Promise((r) => setImmediate(r));
    expect(text(dc.ydoc)).toBe('a');
    store.release();
    await cust.until(() => text(dc.ydoc) === 'ab', 'the customer gets it after the commit');
    expect(dc.updatesReceived).toBe(2);
  });

  it('[P7] [P6] a customer\'s device opening while a staff update is between forwarding and commit is answered after the commit', async () => {
    const { store, relay, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    const otherAgent = muxClient(relay, agent('a2'));
    const dOther = otherAgent.open(conv);
    await otherAgent.until(() => dOther.synced, 'other agent synced');
    da.ydoc.getText('t').insert(0, 'a');
    await ag.until(() => ag.allAcked(conv), 'the agent owns its client id');
    await cust.until(() => text(dc.ydoc) === 'a', 'the customer has the committed edit');
    store.hold();
    da.ydoc.getText('t').insert(1, 'b');
    await otherAgent.until(() => text(dOther.ydoc) === 'ab', 'in memory, forwarded to staff before its commit');
    // Answered from memory, these would hold "b": after a crash now, their next step 2 would carry
    // it and be refused with 4409. Staff may bring it back, so an agent joining is answered at once.
    const laptop = muxClient(relay, customer());
    const dLaptop = laptop.open(conv);
    const stock = syncClient(relay, customer(), conv);
    const thirdAgent = muxClient(relay, agent('a3'));
    const dThird = thirdAgent.open(conv);
    await thirdAgent.until(() => dThird.synced && text(dThird.ydoc) === 'ab', 'staff answered from memory');
    await new Promise((r) => setTimeout(r, 20));
    expect(dLaptop.synced).toBe(false);
    expect(text(dLaptop.ydoc)).toBe('');
    expect(text(stock.ydoc)).toBe('');
    store.release();
    await laptop.until(() => dLaptop.synced && text(dLaptop.ydoc) === 'ab', 'the customer\'s laptop answered after the commit');
    await stock.until(() => text(stock.ydoc) === 'ab', 'the stock client answered after the commit');
  });

  it('[P7] updates to one document that arrive during its commit go to the store at once, not one commit after another', async () => {
    const { store, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await ag.until(() => ag.allAcked(conv), 'the agent owns its client id');
    const before = store.appendCalls(conv);
    store.hold();
    for (const letter of 'bcd') da.ydoc.getText('t').insert(da.ydoc.getText('t').length, letter);
    // One commit per document at a time let a conversation commit one update per commit window.
    await eventually(() => store.appendCalls(conv) === before + 3, 'all three appends asked for while the first is held');
    expect(ag.allAcked(conv)).toBe(false);
    store.release();
    await ag.until(() => ag.allAcked(conv), 'acked after their commit');
    await cust.until(() => text(dc.ydoc) === 'abcd', 'the customer gets them, in order');
    expect(store.appendCalls(conv)).toBe(before + 3);
  });

  it('[P7] an append a customer waits for is marked awaited, so the store does not hold it back; one only staff follow is not', async () => {
    const { store, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    say(dc.ydoc, 'hello');
    say(da.ydoc, 'hi');
    await ag.until(() => ag.allAcked(conv), 'the agent owns its client id');
    await cust.until(() => cust.allAcked(conv), 'the customer owns its client id');
    const before = store.awaitedFlags(conv).length;
    say(dc.ydoc, 'my order');
    await cust.until(() => cust.allAcked(conv), 'the customer\'s message committed');
    say(da.ydoc, 'looking');
    await ag.until(() => ag.allAcked(conv), 'the agent\'s reply committed');
    await cust.until(() => texts(dc.ydoc).endsWith('looking'), 'the customer has the reply');
    // The agent got "my order" before its commit; the customer gets "looking" only after it.
    expect(store.awaitedFlags(conv).slice(before)).toEqual([false, true]);
  });

  it('[P7] a resend of an update whose append is in flight waits for that append instead of appending a second copy', async () => {
    const { store, relay, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await ag.until(() => ag.allAcked(conv), 'the agent owns its client id');
    const before = store.appendCalls(conv);
    store.hold();
    da.ydoc.getText('t').insert(1, 'b');
    await eventually(() => store.appendCalls(conv) === before + 1, 'the append is held');
    // As after a replaced socket: the handshake again, whose step 2 carries the unacked "b".
    const bytesBefore = relay.metrics().bytesIn;
    const openBytes = encodeFrame({ type: Frame.open, doc: conv, stateVector: Y.encodeStateVector(da.ydoc) }).byteLength;
    const again = ag.open(conv, da.ydoc);
    await eventually(() => again.synced && relay.metrics().bytesIn > bytesBefore + openBytes, 'the resend reached the relay');
    await new Promise((r) => setTimeout(r, 20));
    expect(store.appendCalls(conv)).toBe(before + 1);
    store.release();
    await ag.until(() => ag.allAcked(conv), 'the resend is acked once the first append is committed');
    await cust.until(() => text(dc.ydoc) === 'ab', 'the customer gets it once');
    expect(store.appendCalls(conv)).toBe(before + 1);
  });

  it('[P6] a customer may answer an agent message that was stored before the one it follows (a failed append, resent later)', async () => {
    const { store, relay, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    store.fail(true);
    say(da.ydoc, 'first');
    await ag.until(() => ag.errors.some((e) => e.code === Code.storageUnavailable), 'error 4503');
    store.fail(false);
    // Lands first, positioned after "first", which the relay does not hold yet.
    say(da.ydoc, 'second');
    await eventually(() => store.appends >= 1 && relay.metrics().commitLatencyMs.count >= 1, 'second committed');
    ag.open(conv, da.ydoc);
    await cust.until(() => texts(dc.ydoc) === 'first,second', 'the customer has both');
    say(dc.ydoc, 'thanks');
    await ag.until(() => texts(da.ydoc) === 'first,second,thanks', 'the agent gets the answer');
    expect(cust.errors).toEqual([]);
  });

  it('[P6] [P7] a message sent while the writer\'s claim is committing waits for it, so a customer may answer next to what follows', async () => {
    // CI's hostile scenario: the customer's first message (the claim) committed while its second
    // (sent before, so a claim too) was still committing; the third, under a client id now owned,
    // went into memory at once, before the second it sits next to. Nothing after it was known as a
    // message, and every later customer message beside an agent's reply was refused with 4403.
    const { store, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    store.hold();
    say(dc.ydoc, 'one');
    say(dc.ydoc, 'two');
    await eventually(() => store.appendsHeld(conv) === 2, 'both claims held');
    store.releaseOne(conv);
    await ag.until(() => texts(da.ydoc) === 'one', 'the first claim committed');
    const updatesBefore = da.updatesReceived;
    say(dc.ydoc, 'three');
    await eventually(() => store.appendsHeld(conv) === 2, 'the third append asked for');
    await new Promise((r) => setTimeout(r, 20));
    expect(da.updatesReceived).toBe(updatesBefore);
    store.release();
    await ag.until(() => texts(da.ydoc) === 'one,two,three', 'the agent has all three');
    say(da.ydoc, 'reply');
    await cust.until(() => texts(dc.ydoc) === 'one,two,three,reply', 'the customer has the reply');
    say(dc.ydoc, 'thanks');
    await ag.until(() => texts(da.ydoc) === 'one,two,three,reply,thanks', 'the agent gets the answer');
    expect(cust.errors).toEqual([]);
  });

  it('[P7] a customer who waited for a failed append gets the update once the writer\'s resend is committed', async () => {
    const { store, writer: cust, follower: ag, w: dc, f: da } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await ag.until(() => ag.allAcked(conv), 'first write acked');
    await cust.until(() => text(dc.ydoc) === 'a', 'the customer has it');
    store.fail(true);
    da.ydoc.getText('t').insert(1, 'b');
    await ag.until(() => ag.errors.some((e) => e.code === Code.storageUnavailable), 'error 4503');
    expect(text(dc.ydoc)).toBe('a');
    store.fail(false);
    ag.open(conv, da.ydoc);
    await ag.until(() => ag.allAcked(conv), 'the resend is committed and acked');
    await cust.until(() => text(dc.ydoc) === 'ab', 'the customer gets it without reconnecting');
    expect(cust.errors).toEqual([]);
  });

  it('[P7] an update forwarded before a failed append is committed by the writer\'s resend, and only then acked', async () => {
    const { store, relay, writer: a, follower: b, w: da, f: db } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await a.until(() => a.allAcked(conv), 'first write acked');
    store.fail(true);
    da.ydoc.getText('t').insert(1, 'b');
    await a.until(() => a.errors.some((e) => e.code === Code.storageUnavailable), 'error 4503');
    await b.until(() => text(db.ydoc) === 'ab', 'the follower already has it');
    expect(a.allAcked(conv)).toBe(false);
    const appends = store.appends;
    store.fail(false);
    a.open(conv, da.ydoc);
    await a.until(() => a.allAcked(conv), 'acked once the resend is committed');
    expect(store.appends).toBeGreaterThan(appends);
    await relay.close();
    // What the store holds, read back by a fresh relay: both edits.
    const again = startRelay({ store });
    const d = muxClient(again, agent());
    const dd = d.open(conv);
    await d.until(() => dd.synced, 'synced from the store');
    expect(text(dd.ydoc)).toBe('ab');
  });

  it('[P7] a delete forwarded before a failed append is stored by the writer\'s resend', async () => {
    const { store, writer: a, follower: b, w: da, f: db } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'ab');
    await a.until(() => a.allAcked(conv), 'written and acked');
    store.fail(true);
    da.ydoc.getText('t').delete(1, 1);
    await b.until(() => text(db.ydoc) === 'a', 'the follower sees the delete');
    await a.until(() => a.errors.some((e) => e.code === Code.storageUnavailable), 'error 4503');
    store.fail(false);
    a.open(conv, da.ydoc);
    await eventually(async () => {
      const stored = await store.load(conv);
      const y = new Y.Doc();
      for (const u of stored?.updates ?? []) Y.applyUpdate(y, u);
      return text(y) === 'a';
    }, 'the delete is stored');
  });

  it('[P6] after a relay lost what it forwarded, the agent who got it may bring the customer\'s item back; a customer may not claim an agent\'s id', async () => {
    const { store, writer: a, follower: b, w: da, f: db } = await heldConversation();
    da.ydoc.getText('t').insert(0, 'a');
    await a.until(() => a.allAcked(conv), 'customer owns its client id');
    db.ydoc.getText('agent').insert(0, '!');
    await b.until(() => b.allAcked(conv), 'agent owns its client id');
    await a.until(() => da.ydoc.getText('agent').toString() === '!', 'customer has the agent\'s edit');
    // The relay dies with the customer's next edit forwarded but not committed.
    store.fail(true);
    da.ydoc.getText('t').insert(1, 'b');
    await b.until(() => text(db.ydoc) === 'ab', 'forwarded before the commit');
    await a.until(() => a.errors.length > 0, 'the append failed');
    store.fail(false);
    const after = startRelay({ store });
    // The agent reconnects first: its step 2 holds the customer's item, under the customer's id.
    const b2 = muxClient(after, agent());
    const db2 = b2.open(conv, db.ydoc);
    await b2.until(() => db2.synced, 'agent resynced');
    await eventually(async () => {
      const stored = await store.load(conv);
      const y = new Y.Doc();
      for (const u of stored?.updates ?? []) Y.applyUpdate(y, u);
      return text(y) === 'ab';
    }, 'the customer\'s item is stored again');
    expect(b2.errors).toEqual([]);
    expect(db2.closed).toBeNull();
    const c = muxClient(after, customer());
    const dc = c.open(conv);
    await c.until(() => dc.synced && text(dc.ydoc) === 'ab', 'a new device of the customer gets it');
    // A customer writing under the agent's (confirmed) id is still refused.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(db.ydoc));
    // After the history: Yjs picks a new id when a remote update carries its own.
    forged.clientID = db.ydoc.clientID;
    const forger = muxClient(after, customer());
    const df = forger.open(conv, forged);
    await forger.until(() => df.synced, 'forger synced');
    forged.getText('agent').insert(1, '?');
    await forger.until(() => forger.errors.some((e) => e.code === Code.conflict) || df.closed?.code === Code.conflict, '4409');
  });

  it('[P8] never echoes an update to the socket that sent it', async () => {
    const relay = startRelay();
    const { writer: a, follower: b, w: da, f: db } = await customerAndAgent(relay, conv);
    for (let i = 0; i < 5; i++) da.ydoc.getText('t').insert(0, 'x');
    await a.until(() => a.allAcked(conv), 'acks');
    await b.until(() => db.updatesReceived === 5, 'b got 5 updates');
    expect(da.updatesReceived).toBe(0);
  });

  it.each([
    ['[P4] another customer’s conversation', conversationDoc(WS, 'c2', 'k9'), Code.forbidden],
    ['[P2] a name docs.ts does not parse', 'ws/acme/somewhere/else', Code.notFound],
  ])('refuses to open %s with a close frame; the socket stays', async (_what, name, code) => {
    const relay = startRelay();
    const a = muxClient(relay, customer());
    const d = a.open(name);
    await a.until(() => d.closed !== null, 'close frame');
    expect(d.closed?.code).toBe(code);
    const ok = a.open(conv);
    await a.until(() => ok.synced, 'the socket still works');
    expect(a.socket.closed).toBeNull();
  });

  it('[P5] refuses an update on a read-only document with an error frame 4403 and never applies it', async () => {
    const relay = startRelay();
    const r = muxClient(relay, reader());
    const d = r.open(conv);
    await r.until(() => d.synced, 'synced');
    d.ydoc.getText('t').insert(0, 'sneaky');
    await r.until(() => r.errors.length > 0, 'error frame');
    expect(r.errors[0]).toMatchObject({ doc: conv, code: Code.forbidden });
    const b = muxClient(relay, agent());
    const db = b.open(conv);
    await b.until(() => db.synced, 'b synced');
    expect(text(db.ydoc)).toBe('');
    expect(r.socket.closed).toBeNull();
    expect(relay.metrics().rejections['read_only']).toBe(1);
  });

  it('[P12] a failing append gives error 4503 and no ack; reads go on; a later resend is acked', async () => {
    const store = holdableStore();
    const relay = startRelay({ store });
    const a = muxClient(relay, customer());
    const da = a.open(conv);
    await a.until(() => da.synced, 'synced');
    store.fail(true);
    da.ydoc.getText('t').insert(0, 'lost?');
    await a.until(() => a.errors.some((e) => e.code === Code.storageUnavailable), 'error 4503');
    expect(a.allAcked(conv)).toBe(false);
    const b = muxClient(relay, agent());
    const db = b.open(conv);
    await b.until(() => db.synced, 'reads keep working');
    store.fail(false);
    // The client resends by opening again (its outbox is its Y.Doc).
    a.open(conv, da.ydoc);
    await a.until(() => a.allAcked(conv), 'acked after recovery');
    await b.until(() => text(db.ydoc) === 'lost?', 'b receives it');
  });

  it('[P11] closes the socket with 4401 when the token expires', async () => {
    const relay = startRelay();
    const a = muxClient(relay, customer('c1', Date.now() + 50));
    await a.until(() => a.socket.closed !== null, 'close');
    expect(a.socket.closed?.code).toBe(Code.unauthorised);
  });

  it('[P11] an auth frame with a narrower token closes documents it no longer covers; a bad token closes 4401', async () => {
    const relay = startRelay({
      verifyToken: async (token) => {
        if (token === 'other-customer') return customer('c2');
        throw new Error('bad');
      },
    });
    const a = muxClient(relay, customer());
    const d = a.open(conv);
    await a.until(() => d.synced, 'synced');
    a.sendRaw({ type: Frame.auth, token: 'other-customer' });
    await a.until(() => d.closed !== null, 'close frame');
    expect(d.closed?.code).toBe(Code.forbidden);
    a.sendRaw({ type: Frame.auth, token: 'garbage' });
    await a.until(() => a.socket.closed !== null, 'socket close');
    expect(a.socket.closed?.code).toBe(Code.unauthorised);
  });

  it('revoke closes matching sockets with 4401 and leaves the others', async () => {
    const relay = startRelay();
    const a = muxClient(relay, customer());
    const b = muxClient(relay, agent());
    relay.revoke((p) => p.role === 'customer');
    await a.until(() => a.socket.closed !== null, 'close');
    expect(a.socket.closed?.code).toBe(Code.unauthorised);
    expect(b.socket.closed).toBeNull();
  });

  it('close() flushes and closes sockets with 1001', async () => {
    const store = holdableStore();
    const relay = startRelay({ store });
    const a = muxClient(relay, customer());
    const da = a.open(conv);
    await a.until(() => da.synced, 'synced');
    store.hold();
    da.ydoc.getText('t').insert(0, 'in flight');
    await a.until(() => a.socket.received.length >= 3, 'sent');
    await new Promise((r) => setImmediate(r));
    const closing = relay.close();
    store.release();
    await closing;
    await a.until(() => a.socket.closed !== null, 'closed');
    expect(a.socket.closed?.code).toBe(Code.goingAway);
    const loaded = await store.load(conv);
    expect(loaded?.updates.length).toBe(1);
  });
});

describe('relay /sync (stock y-websocket protocol)', () => {
  it('two y-protocols clients converge, with awareness', async () => {
    const relay = startRelay();
    const a = syncClient(relay, customer(), conv);
    const b = syncClient(relay, agent(), conv);
    a.ydoc.getText('t').insert(0, 'from a');
    await b.until(() => text(b.ydoc) === 'from a', 'b receives');
    b.ydoc.getText('t').insert(0, 'b: ');
    await a.until(() => text(a.ydoc) === 'b: from a', 'a receives');
    a.awareness.setLocalState({ user: 'alice' });
    await b.until(() => (b.awareness.getStates().get(a.ydoc.clientID) as { user?: string } | undefined)?.user === 'alice', 'awareness');
    a.socket.close();
    await b.until(() => !b.awareness.getStates().has(a.ydoc.clientID), 'awareness removal on disconnect');
  });

  it('/sync and /mux clients see each other', async () => {
    const relay = startRelay();
    const s = syncClient(relay, customer(), conv);
    const m = muxClient(relay, agent());
    const dm = m.open(conv);
    s.ydoc.getText('t').insert(0, 'sync');
    await m.until(() => text(dm.ydoc) === 'sync', 'mux receives');
    dm.ydoc.getText('t').insert(4, '+mux');
    await s.until(() => text(s.ydoc) === 'sync+mux', 'sync receives');
  });

  it.each([
    ['[P4] a document the token does not cover', conversationDoc(WS, 'c2', 'k1'), Code.forbidden],
    ['[P2] an unknown name', 'ws/acme/nope', Code.notFound],
  ])('closes on %s', async (_what, name, code) => {
    const relay = startRelay();
    const s = syncClient(relay, customer(), name);
    await s.until(() => s.socket.closed !== null, 'close');
    expect(s.socket.closed?.code).toBe(code);
  });

  it('[P5] closes a read-only socket that writes with 4403', async () => {
    const relay = startRelay();
    const s = syncClient(relay, reader(), conv);
    s.ydoc.getText('t').insert(0, 'nope');
    await s.until(() => s.socket.closed !== null, 'close');
    expect(s.socket.closed?.code).toBe(Code.forbidden);
  });
});
