import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc, parseDocName } from '@parley/core';
import { createThinDoc } from './thin-doc.js';
import { inspectUpdate } from './inspect.js';

/** A conversation written by two devices, held by the relay as a thin document. */
function heldConversation() {
  const name = conversationDoc('demo', 'c1', 'k1');
  const thin = createThinDoc(name, parseDocName(name)!, new Map());
  const phone = new Y.Doc();
  const laptop = new Y.Doc();
  const keep = (update: Uint8Array): void => thin.add(update, inspectUpdate(update));
  phone.on('update', keep);
  laptop.on('update', keep);
  for (let i = 0; i < 10; i++) phone.getArray<string>('messages').push([`phone ${i}`]);
  const earlier = Y.encodeStateVector(phone);
  const earlierUpdate = Y.encodeStateAsUpdate(phone);
  for (let i = 10; i < 20; i++) phone.getArray<string>('messages').push([`phone ${i}`]);
  Y.applyUpdate(laptop, Y.encodeStateAsUpdate(phone));
  for (let i = 0; i < 5; i++) laptop.getArray<string>('messages').push([`laptop ${i}`]);
  Y.applyUpdate(phone, Y.encodeStateAsUpdate(laptop, Y.encodeStateVector(phone)));
  phone.getArray<string>('messages').delete(0, 2);
  return { thin, phone, earlier, earlierUpdate };
}

const messagesOf = (...updates: Uint8Array[]): string[] => {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getArray<string>('messages').toArray();
};

describe('thin document diff', () => {
  it('gives a device that holds nothing the held parts themselves, with everything in them', () => {
    const { thin, phone } = heldConversation();
    const parts = thin.diffParts(Y.encodeStateVector(new Y.Doc()));
    expect(parts.length).toBeLessThanOrEqual(8);
    expect(messagesOf(...parts)).toEqual(phone.getArray('messages').toArray());
    // Nothing re-encoded for it: the parts are what the relay holds.
    expect(thin.diffParts(Y.encodeStateVector(new Y.Doc()))).toEqual(parts);
  });

  it('treats a state vector naming only clients the relay never saw as holding nothing', () => {
    const { thin } = heldConversation();
    const stranger = new Y.Doc();
    stranger.getArray<string>('notes').push(['unrelated']);
    thin.merged();
    expect(thin.diffParts(Y.encodeStateVector(stranger))).toEqual([thin.merged()]);
  });

  it('leaves out what a returning device already holds, exactly as Y.diffUpdate does', () => {
    const { thin, phone, earlier, earlierUpdate } = heldConversation();
    thin.merged();
    const parts = thin.diffParts(earlier);
    expect(parts).toEqual([Y.diffUpdate(thin.merged(), earlier)]);
    expect(parts[0]!.byteLength).toBeLessThan(thin.merged().byteLength);
    expect(messagesOf(earlierUpdate, ...parts)).toEqual(phone.getArray('messages').toArray());
  });
});

describe('thin document log', () => {
  /** A long conversation merged into one head, then `more` messages appended one update each. */
  function longConversation(more: number) {
    const name = conversationDoc('demo', 'c1', 'k1');
    const thin = createThinDoc(name, parseDocName(name)!, new Map());
    const phone = new Y.Doc();
    phone.on('update', (u: Uint8Array) => thin.add(u, inspectUpdate(u)));
    const messages = phone.getArray<string>('messages');
    for (let i = 0; i < 300; i++) messages.push([`message ${i} with some words in it`]);
    const head = thin.merged();
    const before = Y.encodeStateVector(phone);
    for (let i = 0; i < more; i++) messages.push([`later ${i}`]);
    return { thin, phone, head, before };
  }

  it('merges only the tail while it is small: the head is not re-encoded', () => {
    const { thin, phone, head } = longConversation(20);
    thin.tidy();
    expect(thin.logLength).toBe(2);
    const parts = thin.diffParts(Y.encodeStateVector(new Y.Doc()));
    expect(parts[0]).toBe(head);
    expect(messagesOf(...parts)).toEqual(phone.getArray('messages').toArray());
  });

  it('merges everything once the tail is half the size of the head', () => {
    const { thin, phone } = longConversation(400);
    thin.tidy();
    expect(thin.logLength).toBe(1);
    expect(messagesOf(thin.merged())).toEqual(phone.getArray('messages').toArray());
  });

  it('answers a returning device from every part, sending only what it lacks', () => {
    const { thin, phone, head, before } = longConversation(20);
    const parts = thin.diffParts(before);
    // The head is all held: its diff carries nothing and is left out; the tail's becomes step 2.
    expect(parts).toHaveLength(1);
    const sent = parts.reduce((n, p) => n + p.byteLength, 0);
    expect(sent).toBeLessThan(head.byteLength / 4);
    expect(messagesOf(head, ...parts)).toEqual(phone.getArray('messages').toArray());
  });
});

describe('thin document bookkeeping', () => {
  /** Updates of a conversation: customer and agent messages, each pushed after the other's. */
  function conversationUpdates() {
    const customer = new Y.Doc();
    const agent = new Y.Doc();
    const updates: Uint8Array[] = [];
    const relayTo = (to: Y.Doc) => (update: Uint8Array, origin: unknown) => {
      if (origin === 'relay') return;
      updates.push(update);
      Y.applyUpdate(to, update, 'relay');
    };
    customer.on('update', relayTo(agent));
    agent.on('update', relayTo(customer));
    const say = (doc: Y.Doc, role: string, text: string): void => {
      const message = new Y.Map<unknown>();
      message.set('author', { role, id: role === 'customer' ? 'c1' : 'a1' });
      message.set('text', text);
      doc.getArray('messages').push([message]);
    };
    say(customer, 'customer', 'hello');
    say(agent, 'agent', 'hi, how can I help?');
    agent.getMap('state').set('status', 'open');
    say(customer, 'customer', 'my order');
    agent.getMap('state').set('status', 'pending');
    say(agent, 'agent', 'looking');
    return { updates, agent };
  }

  const held = (updates: Uint8Array[]) => {
    const name = conversationDoc('demo', 'c1', 'k1');
    const thin = createThinDoc(name, parseDocName(name)!, new Map());
    for (const u of updates) thin.add(u, inspectUpdate(u));
    return thin;
  };

  /** Every message item, agent-only item and author value of the document, as the relay classified them. */
  const classified = (thin: ReturnType<typeof held>, doc: Y.Doc) => {
    const items = doc.getArray('messages').toArray() as Y.Map<unknown>[];
    const ids = (predicate: (client: number, clock: number) => boolean): string[] => {
      const out: string[] = [];
      for (const [client, structs] of doc.store.clients) for (const s of structs) if (predicate(client, s.id.clock)) out.push(`${client}:${s.id.clock}`);
      return out.sort();
    };
    return {
      messages: items.map((m) => thin.messageItems.overlaps(m._item!.id.client, m._item!.id.clock, 1)),
      agentOnly: ids((client, clock) => thin.agentOnly.overlaps(client, clock, 1)),
      authors: ids((client, clock) => thin.authorValues.overlaps(client, clock, 1)),
    };
  };

  it('classifies an update that arrived before one it builds on once that one arrives', () => {
    // As after an append that failed and was resent once a later update had landed, or a log
    // stored in that order: the later update comes first, positioned against items not yet held.
    const { updates, agent } = conversationUpdates();
    const inOrder = classified(held(updates), agent);
    expect(inOrder.messages).toEqual([true, true, true, true]);
    expect(inOrder.agentOnly.length).toBeGreaterThan(0);
    expect(inOrder.authors.length).toBe(4);
    for (let late = 0; late < updates.length - 1; late++) {
      const reordered = [...updates.slice(0, late), ...updates.slice(late + 1), updates[late]!];
      expect(classified(held(reordered), agent), `update ${late} held back to the end`).toEqual(inOrder);
    }
  });
});
