import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { AckSource } from '../client/ack-source.js';
import { AGENT_ONLY_ROOTS, ConversationRoot } from '../docs.js';
import { isParleyError, type ParleyErrorCode } from '../errors.js';
import { isUuidV7 } from '../ids.js';
import { Conversation, MAX_TEXT_LENGTH, TYPING_TIMEOUT_MS, type ConversationOptions } from './conversation.js';
import { STATUSES, STATUS_TRANSITIONS } from './status.js';
import type { Me, Status } from './types.js';

/** A real AckSource: the set of acknowledged (client, clock) items. */
class SetAcks implements AckSource {
  private readonly acked = new Set<string>();
  private readonly listeners = new Set<() => void>();
  isAcked(client: number, clock: number): boolean {
    return this.acked.has(`${client}:${clock}`);
  }
  onAck(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  ack(item: { client: number; clock: number }): void {
    this.acked.add(`${item.client}:${item.clock}`);
    for (const l of this.listeners) l();
  }
}

const customer: Me = { role: 'customer', id: 'cus-1', name: 'Ada' };
const agent: Me = { role: 'agent', id: 'agt-1', name: 'Grace' };
const agent2: Me = { role: 'agent', id: 'agt-2', name: 'Linus' };

const opened: Conversation[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.destroy();
  vi.useRealTimers();
});

function open(me: Me, doc = new Y.Doc(), extra: Partial<ConversationOptions> = {}): Conversation {
  const conv = Conversation.open({ doc, me, deviceId: `${me.id}-dev-${doc.clientID}`, ...extra });
  opened.push(conv);
  return conv;
}

function createFor(me: Me = customer, doc = new Y.Doc(), extra: Partial<ConversationOptions> = {}): Conversation {
  const conv = Conversation.create({ doc, me, deviceId: `${me.id}-dev-${doc.clientID}`, ...extra }, {
    id: 'conv-1',
    customer: { id: customer.id, name: customer.name, email: 'ada@example.com' },
    language: 'en',
    referralPage: 'https://shop.example/pricing',
  });
  opened.push(conv);
  return conv;
}

/** Brings two docs to the same state by exchanging what each lacks. */
function exchange(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB, 'remote');
  Y.applyUpdate(a, toA, 'remote');
}

/** A customer doc and an agent doc already holding the same conversation. */
function pair(): { cust: Conversation; agt: Conversation } {
  const cust = createFor(customer);
  const agt = open(agent);
  exchange(cust.doc, agt.doc);
  return { cust, agt };
}

function expectCode(fn: () => unknown, code: ParleyErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isParleyError(caught, code), `expected ParleyError ${code}, got ${String(caught)}`).toBe(true);
}

describe('create and open', () => {
  it('writes meta once and reads it back on another replica', () => {
    const cust = createFor();
    const agt = open(agent);
    expect(agt.exists).toBe(false);
    exchange(cust.doc, agt.doc);
    expect(agt.exists).toBe(true);
    expect(agt.snapshot().meta).toMatchObject({
      id: 'conv-1',
      customer: { id: 'cus-1', name: 'Ada', email: 'ada@example.com' },
      language: 'en',
      channel: 'web',
      referralPage: 'https://shop.example/pricing',
      createdBy: { role: 'customer', id: 'cus-1' },
      csat: null,
    });
    expect(agt.status()).toBe('open');
  });

  it('refuses to create over an existing conversation', () => {
    const cust = createFor();
    expectCode(() => Conversation.create({ doc: cust.doc, me: customer, deviceId: 'd' }, { customer: { id: 'x', name: '' } }), 'already_exists');
  });

  it('refuses a conversation without a customer id', () => {
    expectCode(() => Conversation.create({ doc: new Y.Doc(), me: customer, deviceId: 'd' }, { customer: { id: '', name: '' } }), 'invalid_argument');
  });
});

describe('messages', () => {
  it('sends text with a UUIDv7 id, author, device and client time', () => {
    const cust = createFor();
    const m = cust.send({ text: 'Hello' });
    expect(isUuidV7(m.id)).toBe(true);
    expect(m).toMatchObject({ kind: 'text', text: 'Hello', author: { role: 'customer', id: 'cus-1', name: 'Ada' }, mine: true, deleted: false, editedAt: null, index: 0 });
    expect(m.deviceId).toBe(cust.deviceId);
    expect(Math.abs(m.clientTime - Date.now())).toBeLessThan(5_000);
    expect(cust.messages().map((x) => x.text)).toEqual(['Hello']);
  });

  it('sends an attachment reference with an optional caption', () => {
    const cust = createFor();
    const m = cust.send({ attachment: { hash: 'sha256-abc', name: 'shot.png', type: 'image/png', size: 1234 }, text: 'see this' });
    expect(m).toMatchObject({ kind: 'attachment', text: 'see this', attachment: { hash: 'sha256-abc', name: 'shot.png', type: 'image/png', size: 1234 } });
  });

  it.each<[string, () => unknown, ParleyErrorCode]>([
    ['empty text', () => createFor().send({ text: '   ' }), 'invalid_argument'],
    ['text over the limit', () => createFor().send({ text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }), 'too_large'],
    ['attachment without hash', () => createFor().send({ attachment: { hash: '', name: 'a', type: 'b', size: 1 } }), 'invalid_argument'],
    ['attachment with negative size', () => createFor().send({ attachment: { hash: 'h', name: 'a', type: 'b', size: -1 } }), 'invalid_argument'],
    ['attachment over 25 MB', () => createFor().send({ attachment: { hash: 'h', name: 'a', type: 'b', size: 26 * 1024 * 1024 } }), 'too_large'],
  ])('refuses %s', (_name, fn, code) => expectCode(fn, code));

  it('accepts text of exactly the limit', () => {
    expect(createFor().send({ text: 'x'.repeat(MAX_TEXT_LENGTH) }).text).toHaveLength(MAX_TEXT_LENGTH);
  });

  it('edits its own message and marks it edited on the other replica', () => {
    const { cust, agt } = pair();
    const m = cust.send({ text: 'Helo' });
    cust.edit(m.id, 'Hello');
    exchange(cust.doc, agt.doc);
    const seen = agt.message(m.id);
    expect(seen.text).toBe('Hello');
    expect(seen.editedAt).not.toBeNull();
  });

  it('deletes as a tombstone: place kept, text and attachment gone', () => {
    const { cust, agt } = pair();
    cust.send({ text: 'first' });
    const m = cust.send({ attachment: { hash: 'h', name: 'a.pdf', type: 'application/pdf', size: 9 }, text: 'oops' });
    cust.send({ text: 'third' });
    cust.delete(m.id);
    exchange(cust.doc, agt.doc);
    expect(agt.messages().map((x) => [x.text, x.deleted, x.attachment])).toEqual([
      ['first', false, null],
      ['', true, null],
      ['third', false, null],
    ]);
  });

  it.each<[string, (c: Conversation, a: Conversation, id: string) => unknown, ParleyErrorCode]>([
    ['editing another author’s message', (_c, a, id) => a.edit(id, 'mine now'), 'forbidden'],
    ['deleting another author’s message', (_c, a, id) => a.delete(id), 'forbidden'],
    ['editing a deleted message', (c, _a, id) => (c.delete(id), c.edit(id, 'back')), 'deleted'],
    ['deleting twice', (c, _a, id) => (c.delete(id), c.delete(id)), 'deleted'],
    ['editing an unknown id', (c) => c.edit('nope', 'x'), 'not_found'],
    ['editing to empty text', (c, _a, id) => c.edit(id, ''), 'invalid_argument'],
    ['editing to text over the limit', (c, _a, id) => c.edit(id, 'y'.repeat(MAX_TEXT_LENGTH + 1)), 'too_large'],
  ])('refuses %s', (_name, fn, code) => {
    const { cust, agt } = pair();
    const m = cust.send({ text: 'hello' });
    exchange(cust.doc, agt.doc);
    expectCode(() => fn(cust, agt, m.id), code);
  });

  it('refuses editing an event message, even the actor’s own', () => {
    const { agt } = pair();
    agt.resolve();
    const event = agt.messages().find((m) => m.kind === 'event')!;
    expectCode(() => agt.edit(event.id, 'x'), 'forbidden');
  });
});

describe('two devices exchanging updates', () => {
  it('concurrent sends from two devices appear exactly once, in the same order on both', () => {
    const phone = createFor(customer);
    const desk = open(agent);
    exchange(phone.doc, desk.doc);
    // Written while apart: neither has seen the other's messages.
    for (let i = 0; i < 5; i++) {
      phone.send({ text: `phone ${i}` });
      desk.send({ text: `desk ${i}` });
    }
    exchange(phone.doc, desk.doc);
    const a = phone.messages().map((m) => m.id);
    const b = desk.messages().map((m) => m.id);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(b).toEqual(a);
    // Each device's own messages keep their relative order.
    expect(phone.messages().filter((m) => m.author.role === 'customer').map((m) => m.text)).toEqual([0, 1, 2, 3, 4].map((i) => `phone ${i}`));
  });

  it('a reply follows what its author had seen, whatever the clocks say', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T12:00:00Z'));
    const { cust, agt } = pair();
    cust.send({ text: 'question' });
    exchange(cust.doc, agt.doc);
    vi.setSystemTime(new Date('2024-12-31T00:00:00Z')); // agent device clock far behind
    agt.send({ text: 'answer' });
    exchange(cust.doc, agt.doc);
    expect(cust.messages().map((m) => m.text)).toEqual(['question', 'answer']);
  });

  it('concurrent edits and deletes on two devices of the same customer converge', () => {
    const phone = createFor(customer);
    const tablet = open(customer);
    const m1 = phone.send({ text: 'one' });
    const m2 = phone.send({ text: 'two' });
    exchange(phone.doc, tablet.doc);
    phone.edit(m1.id, 'one (phone)');
    tablet.edit(m1.id, 'one (tablet)');
    tablet.delete(m2.id);
    phone.edit(m2.id, 'two edited');
    exchange(phone.doc, tablet.doc);
    const view = (c: Conversation) => c.messages().map((m) => [m.text, m.deleted]);
    expect(view(phone)).toEqual(view(tablet));
    expect(phone.message(m2.id).deleted).toBe(true); // a tombstone never shows text again
    expect(['one (phone)', 'one (tablet)']).toContain(phone.message(m1.id).text);
  });
});

describe('delivery states', () => {
  it('moves pending → sent → delivered → read on the author’s replica', () => {
    const acks = new SetAcks();
    const cust = createFor(customer, new Y.Doc(), { acks });
    const agt = open(agent);
    const m = cust.send({ text: 'hi' });
    expect(cust.message(m.id).delivery).toBe('pending');

    const seen: string[] = [];
    cust.on('change', () => seen.push(cust.message(m.id).delivery));
    acks.ack(m.item!);
    expect(cust.message(m.id).delivery).toBe('sent');

    exchange(cust.doc, agt.doc);
    agt.markDelivered();
    exchange(cust.doc, agt.doc);
    expect(cust.message(m.id).delivery).toBe('delivered');

    agt.markRead(m.id);
    exchange(cust.doc, agt.doc);
    expect(cust.message(m.id).delivery).toBe('read');
    expect(seen).toEqual(['sent', 'delivered', 'read']);
  });

  it('counts the customer’s receipts for agent messages and agents’ receipts for customer messages', () => {
    const { cust, agt } = pair();
    const q = cust.send({ text: 'q' });
    exchange(cust.doc, agt.doc);
    const a = agt.send({ text: 'a' });
    // The customer reading everything must not mark its own message read.
    exchange(cust.doc, agt.doc);
    cust.markRead();
    exchange(cust.doc, agt.doc);
    expect(agt.message(a.id).delivery).toBe('read');
    expect(agt.message(q.id).delivery).toBe('sent');
    // No AckSource on the customer's device: its own message is still only known to be local.
    expect(cust.message(q.id).delivery).toBe('pending');
  });

  it('treats messages from another device as sent even without an AckSource entry', () => {
    const acks = new SetAcks();
    const phone = createFor(customer, new Y.Doc(), { acks });
    const tablet = open(customer);
    const m = tablet.send({ text: 'from the tablet' });
    exchange(phone.doc, tablet.doc);
    expect(phone.message(m.id).delivery).toBe('sent');
    expect(tablet.message(m.id).delivery).toBe('pending');
  });

  it('markers only move forward and ignore ids the replica does not know yet', () => {
    const { cust, agt } = pair();
    const m1 = cust.send({ text: '1' });
    const m2 = cust.send({ text: '2' });
    exchange(cust.doc, agt.doc);
    agt.markRead(m2.id);
    agt.markRead(m1.id); // older: no effect
    exchange(cust.doc, agt.doc);
    expect(cust.message(m2.id).delivery).toBe('read');
    expectCode(() => agt.markRead('unknown'), 'not_found');
  });
});

describe('snapshots and change events', () => {
  it('returns the same snapshot until the doc changes, and keeps unchanged message objects', () => {
    const cust = createFor();
    cust.send({ text: 'a' });
    const first = cust.messages();
    expect(cust.messages()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    cust.send({ text: 'b' });
    const second = cust.messages();
    expect(second).not.toBe(first);
    expect(second[0]).toBe(first[0]);
  });

  it('emits one change per transaction and stops after unsubscribe', () => {
    const { agt } = pair();
    let changes = 0;
    const off = agt.on('change', () => changes++);
    agt.resolve(); // state and an event message in one transaction
    expect(changes).toBe(1);
    off();
    agt.send({ text: 'x' });
    expect(changes).toBe(1);
  });

  it('ignores unrelated roots of the same doc', () => {
    const cust = createFor();
    let changes = 0;
    cust.on('change', () => changes++);
    cust.doc.getMap('somethingElse').set('k', 1);
    expect(changes).toBe(0);
  });
});

describe('typing', () => {
  function linkedAwareness() {
    const a = new awarenessProtocol.Awareness(new Y.Doc());
    const b = new awarenessProtocol.Awareness(new Y.Doc());
    const forward = (from: awarenessProtocol.Awareness, to: awarenessProtocol.Awareness) =>
      from.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
        const changed = [...added, ...updated, ...removed];
        awarenessProtocol.applyAwarenessUpdate(to, awarenessProtocol.encodeAwarenessUpdate(from, changed), 'remote');
      });
    forward(a, b);
    forward(b, a);
    return { a, b };
  }

  it('shows the other side typing and clears it', () => {
    const { a, b } = linkedAwareness();
    const cust = open(customer, new Y.Doc(), { awareness: a });
    const agt = open(agent, new Y.Doc(), { awareness: b });
    let typingEvents = 0;
    agt.on('typing', () => typingEvents++);
    cust.setTyping(true);
    expect(agt.typing()).toEqual([{ role: 'customer', id: 'cus-1', name: 'Ada' }]);
    expect(cust.typing()).toEqual([]);
    cust.setTyping(false);
    expect(agt.typing()).toEqual([]);
    expect(typingEvents).toBeGreaterThanOrEqual(2);
    a.destroy();
    b.destroy();
  });

  it('clears a typing flag nobody renews', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { a, b } = linkedAwareness();
    const cust = open(customer, new Y.Doc(), { awareness: a });
    const agt = open(agent, new Y.Doc(), { awareness: b });
    cust.setTyping(true);
    expect(agt.typing()).toHaveLength(1);
    vi.advanceTimersByTime(TYPING_TIMEOUT_MS);
    expect(agt.typing()).toHaveLength(0);
    a.destroy();
    b.destroy();
  });

  it('is a no-op without awareness', () => {
    const cust = createFor();
    cust.setTyping(true);
    expect(cust.typing()).toEqual([]);
  });
});

describe('status', () => {
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to, STATUS_TRANSITIONS[from].includes(to)] as const));

  /** Brings a fresh conversation to `from` the way agents would. */
  function reach(agt: Conversation, from: Status): void {
    const soon = Date.now() + 60_000;
    const path: Record<Status, () => void> = {
      open: () => {},
      pending: () => agt.markPending(),
      snoozed: () => agt.snooze(soon),
      resolved: () => agt.resolve(),
      reopened: () => (agt.resolve(), agt.reopen()),
    };
    path[from]();
    expect(agt.status()).toBe(from);
  }

  it.each(pairs)('%s → %s allowed: %s', (from, to, allowed) => {
    const { agt } = pair();
    reach(agt, from);
    const go = () => agt.setStatus(to, to === 'snoozed' ? { until: Date.now() + 120_000 } : {});
    if (allowed) {
      go();
      expect(agt.status()).toBe(to);
      const last = agt.messages().at(-1)!;
      expect(last).toMatchObject({ kind: 'event', author: { role: 'agent', id: 'agt-1' }, event: { type: 'status', from, to } });
    } else {
      expectCode(go, 'invalid_transition');
    }
  });

  it('refuses snoozing without a future time', () => {
    const { agt } = pair();
    expectCode(() => agt.snooze(Date.now() - 1), 'invalid_argument');
  });

  it.each<[Status, Status]>([
    ['resolved', 'reopened'],
    ['pending', 'open'],
    ['snoozed', 'open'],
  ])('a customer message after %s makes the conversation effectively %s', (stored, effective) => {
    const { cust, agt } = pair();
    reach(agt, stored);
    exchange(cust.doc, agt.doc);
    expect(cust.status()).toBe(stored);
    cust.send({ text: 'still broken' });
    exchange(cust.doc, agt.doc);
    expect(agt.status()).toBe(effective);
    expect(agt.snapshot().state.status).toBe(stored); // the customer never wrote `state`
  });

  it('a snooze wakes up when its time passes', () => {
    const { agt } = pair();
    const until = Date.now() + 60_000;
    agt.snooze(until);
    expect(agt.status(until - 1)).toBe('snoozed');
    expect(agt.status(until)).toBe('open');
  });

  it('ignores transcript events a customer writes around the API, and they hide no customer message', () => {
    const { cust, agt } = pair();
    agt.resolve();
    exchange(cust.doc, agt.doc);
    cust.send({ text: 'it is still broken' });
    // What a hostile client can write under its own (relay-checked) author: a fake status line.
    cust.doc.transact(() => {
      const forged = new Y.Map<unknown>();
      forged.set('id', 'forged-1');
      forged.set('kind', 'event');
      forged.set('author', { role: 'customer', id: customer.id, name: customer.name });
      forged.set('text', '');
      forged.set('event', { type: 'status', from: 'reopened', to: 'resolved' });
      cust.doc.getArray(ConversationRoot.messages).push([forged]);
    });
    exchange(cust.doc, agt.doc);
    for (const side of [cust, agt]) {
      expect(side.messages().map((m) => m.id)).not.toContain('forged-1');
      expect(side.status()).toBe('reopened');
    }
  });

  it('an agent may resolve again after a customer reopened by writing', () => {
    const { cust, agt } = pair();
    agt.resolve();
    exchange(cust.doc, agt.doc);
    cust.send({ text: 'one more thing' });
    exchange(cust.doc, agt.doc);
    agt.resolve();
    expect(agt.status()).toBe('resolved');
    expect(agt.messages().at(-1)!.event).toEqual({ type: 'status', from: 'reopened', to: 'resolved' });
  });
});

describe('agent-only actions', () => {
  it.each<[string, (c: Conversation) => unknown]>([
    ['resolve', (c) => c.resolve()],
    ['assign', (c) => c.assign({ agent: { id: 'agt-1', name: 'Grace' } })],
    ['label', (c) => c.addLabel('vip')],
    ['set priority', (c) => c.setPriority('high')],
  ])('a customer cannot %s', (_name, fn) => expectCode(() => fn(createFor(customer)), 'forbidden'));

  it('assigns, transfers and unassigns, writing events the customer sees', () => {
    const { cust, agt } = pair();
    agt.assign({ agent: { id: 'agt-1', name: 'Grace' }, team: 'tier1' });
    agt.transfer({ agent: { id: 'agt-2', name: 'Linus' }, team: 'senior' });
    agt.assign({ agent: null });
    exchange(cust.doc, agt.doc);
    expect(cust.snapshot().state).toMatchObject({ assignee: null, team: 'senior' });
    expect(cust.messages().map((m) => m.event)).toEqual([
      { type: 'assignment', agent: { id: 'agt-1', name: 'Grace' }, team: 'tier1', previousAgent: null, previousTeam: null },
      { type: 'assignment', agent: { id: 'agt-2', name: 'Linus' }, team: 'senior', previousAgent: { id: 'agt-1', name: 'Grace' }, previousTeam: 'tier1' },
      { type: 'assignment', agent: null, team: 'senior', previousAgent: { id: 'agt-2', name: 'Linus' }, previousTeam: 'senior' },
    ]);
  });

  it('writes nothing when an assignment changes nothing, and refuses an empty one', () => {
    const { agt } = pair();
    agt.assign({ team: 'tier1' });
    agt.assign({ team: 'tier1' });
    expect(agt.messages()).toHaveLength(1);
    expectCode(() => agt.assign({}), 'invalid_argument');
    expectCode(() => agt.assign({ team: ' ' }), 'invalid_argument');
  });

  it('keeps labels two agents add at the same time', () => {
    const { cust, agt } = pair();
    const other = open(agent2);
    exchange(agt.doc, other.doc);
    agt.addLabel('billing');
    other.addLabel('vip');
    exchange(agt.doc, other.doc);
    exchange(cust.doc, agt.doc);
    expect(cust.snapshot().state.labels).toEqual(['billing', 'vip']);
    agt.removeLabel('vip');
    expect(agt.snapshot().state.labels).toEqual(['billing']);
    expectCode(() => agt.addLabel(''), 'invalid_argument');
  });

  it('sets priority and refuses unknown ones', () => {
    const { agt } = pair();
    expect(agt.snapshot().state.priority).toBe('normal');
    agt.setPriority('urgent');
    expect(agt.snapshot().state.priority).toBe('urgent');
    expectCode(() => agt.setPriority('asap' as never), 'invalid_argument');
  });

  it('writes one labels event per change, by the acting agent, listing only what changed', () => {
    const { cust, agt } = pair();
    agt.setLabels({ add: ['vip', 'billing', 'vip'] });
    agt.setLabels({ add: ['vip'], remove: ['nope'] });
    agt.setLabels({ add: ['refund'], remove: ['billing'] });
    agt.removeLabel('refund');
    exchange(cust.doc, agt.doc);
    const events = cust.messages().filter((m) => m.kind === 'event');
    expect(events.map((m) => m.event)).toEqual([
      { type: 'labels', added: ['vip', 'billing'], removed: [] },
      { type: 'labels', added: ['refund'], removed: ['billing'] },
      { type: 'labels', added: [], removed: ['refund'] },
    ]);
    expect(events.every((m) => m.author.id === agent.id && m.author.role === 'agent')).toBe(true);
    expect(cust.snapshot().state.labels).toEqual(['vip']);
    expectCode(() => agt.setLabels({ add: ['x'.repeat(65)] }), 'invalid_argument');
  });

  it('writes a priority event from → to, and nothing when the priority is unchanged', () => {
    const { cust, agt } = pair();
    agt.setPriority('high');
    agt.setPriority('high');
    agt.setPriority('low');
    exchange(cust.doc, agt.doc);
    expect(cust.messages().map((m) => m.event)).toEqual([
      { type: 'priority', from: 'normal', to: 'high' },
      { type: 'priority', from: 'high', to: 'low' },
    ]);
  });

  it('labels and priority events do not count as the customer being answered or reopen anything', () => {
    const { cust, agt } = pair();
    agt.resolve();
    agt.addLabel('done');
    agt.setPriority('low');
    exchange(cust.doc, agt.doc);
    expect(cust.status()).toBe('resolved');
  });
});

describe('rating', () => {
  it('lets the customer rate once resolved, and agents see it', () => {
    const { cust, agt } = pair();
    agt.resolve();
    exchange(cust.doc, agt.doc);
    cust.rate(4, 'quick, thanks');
    exchange(cust.doc, agt.doc);
    expect(agt.snapshot().meta.csat).toMatchObject({ score: 4, comment: 'quick, thanks' });
  });

  it.each<[string, (c: Conversation) => unknown, ParleyErrorCode]>([
    ['before resolve', (c) => c.rate(5), 'invalid_transition'],
    ['with 0', (c) => (resolveFor(c), c.rate(0)), 'invalid_argument'],
    ['with 6', (c) => (resolveFor(c), c.rate(6)), 'invalid_argument'],
    ['with 3.5', (c) => (resolveFor(c), c.rate(3.5)), 'invalid_argument'],
    ['with a comment over the limit', (c) => (resolveFor(c), c.rate(3, 'x'.repeat(2001))), 'too_large'],
  ])('refuses rating %s', (_name, fn, code) => {
    const { cust } = pair();
    expectCode(() => fn(cust), code);
  });

  it('refuses an agent rating', () => {
    const { agt } = pair();
    agt.resolve();
    expectCode(() => agt.rate(5), 'forbidden');
  });

  function resolveFor(cust: Conversation): void {
    const agt = open(agent);
    exchange(cust.doc, agt.doc);
    agt.resolve();
    exchange(cust.doc, agt.doc);
  }
});

describe('[P6] an honest customer never trips the relay', () => {
  it('customer updates never write agent-only roots nor delete items of other client ids', () => {
    const cust = createFor(customer);
    const agt = open(agent);
    const custUpdates: Uint8Array[] = [];
    cust.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') custUpdates.push(u);
    });
    exchange(cust.doc, agt.doc);
    const m = cust.send({ text: 'hi' });
    exchange(cust.doc, agt.doc);
    agt.send({ text: 'hello' });
    agt.assign({ agent: { id: agent.id, name: agent.name } });
    agt.markRead();
    exchange(cust.doc, agt.doc);
    cust.markDelivered();
    cust.markRead();
    cust.edit(m.id, 'hi!');
    cust.delete(m.id);
    agt.resolve();
    exchange(cust.doc, agt.doc);
    cust.rate(5, 'great');
    cust.send({ attachment: { hash: 'h', name: 'n', type: 't', size: 1 } });
    exchange(cust.doc, agt.doc);

    expect(custUpdates.length).toBeGreaterThan(5);
    for (const update of custUpdates) {
      const { structs, ds } = Y.decodeUpdate(update);
      for (const struct of structs) {
        expect(struct.id.client).toBe(cust.doc.clientID);
        const parent = (struct as Y.Item).parent;
        if (typeof parent === 'string') expect(AGENT_ONLY_ROOTS).not.toContain(parent);
      }
      for (const client of ds.clients.keys()) expect(client).toBe(cust.doc.clientID);
    }
    expect(agt.doc.getMap(ConversationRoot.state).get('status')).toBe('resolved');
  });
});
