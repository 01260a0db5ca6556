import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Conversation } from '@parley/core';
import { toConversationView, toSummary } from './to-view.js';

/** Customer and agent writing into one document, as two synced replicas would. */
function conversation() {
  const doc = new Y.Doc();
  const customer = Conversation.create({ doc, me: { role: 'customer', id: 'c1', name: 'Zoë' }, deviceId: 'phone' }, { id: 'v1', customer: { id: 'c1', name: 'Zoë' } });
  const agent = Conversation.open({ doc, me: { role: 'agent', id: 'a1', name: 'Aino' }, deviceId: 'desk' });
  return { customer, agent };
}

const blobUrl = (h: string): string => `/blobs/${h}`;

describe('toSummary', () => {
  it('counts agent messages after the customer read marker as unread', () => {
    const { customer, agent } = conversation();
    customer.send({ text: 'Hi' });
    agent.send({ text: 'Hello!' });
    agent.send({ text: 'How can I help?' });
    expect(toSummary('v1', customer.snapshot(), 'c1')).toMatchObject({ unread: 2, lastText: 'How can I help?', lastRole: 'agent' });
    customer.markRead();
    expect(toSummary('v1', customer.snapshot(), 'c1').unread).toBe(0);
  });
});

describe('toConversationView', () => {
  it('shows resolve and assignment as events, keeps delivery only on the customer side, and reads the rating', () => {
    const { customer, agent } = conversation();
    customer.send({ text: 'Hi' });
    agent.assign({ agent: { id: 'a1', name: 'Aino' } });
    agent.send({ attachment: { hash: 'ab'.repeat(32), name: 'label.pdf', type: 'application/pdf', size: 1200 } });
    agent.resolve();
    customer.rate(5, 'Great');
    const view = toConversationView('v1', customer.snapshot(), [], blobUrl);
    expect(view.status).toBe('resolved');
    expect(view.rating).toEqual({ score: 5, comment: 'Great' });
    expect(view.messages.map((m) => [m.kind, m.role, m.event?.type ?? m.text, m.delivery ?? '-'])).toEqual([
      ['text', 'customer', 'Hi', 'pending'],
      ['event', 'agent', 'joined', '-'],
      ['attachment', 'agent', '', '-'],
      ['event', 'agent', 'resolved', '-'],
    ]);
    expect(view.messages[2]!.attachment).toMatchObject({ name: 'label.pdf', url: `/blobs/${'ab'.repeat(32)}` });
    expect(view.agentName).toBe('Aino');
  });

  it('[P7] marks the customer message sent only once acknowledged', () => {
    const doc = new Y.Doc();
    const acked = new Set<string>();
    const acks = { isAcked: (c: number, k: number) => acked.has(`${c}:${k}`), onAck: () => () => undefined };
    const customer = Conversation.create({ doc, acks, me: { role: 'customer', id: 'c1', name: '' }, deviceId: 'phone' }, { id: 'v1', customer: { id: 'c1', name: '' } });
    const m = customer.send({ text: 'Hi' });
    expect(toConversationView('v1', customer.snapshot(), [], blobUrl).messages[0]!.delivery).toBe('pending');
    acked.add(`${m.item!.client}:${m.item!.clock}`);
    const fresh = Conversation.open({ doc, acks, me: { role: 'customer', id: 'c1', name: '' }, deviceId: 'phone' });
    expect(toConversationView('v1', fresh.snapshot(), [], blobUrl).messages[0]!.delivery).toBe('sent');
  });
});
