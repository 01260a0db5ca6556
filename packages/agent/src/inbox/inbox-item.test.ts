import { describe, expect, it } from 'vitest';
import { inboxItem, inboxStatus, type SnapshotLike } from './inbox-item.js';

const dir = { doc: 'ws/demo/customers/c1/conv/v1', customerId: 'c1', conversationId: 'v1', updatedAt: 99 };
type Msg = SnapshotLike['messages'][number];
const msg = (id: string, role: string, t: number, over: Partial<Msg> = {}): Msg => ({ id, author: { role, id: role === 'customer' ? 'c1' : 'ana' }, kind: 'text', text: id, clientTime: t, deleted: false, ...over });
const snap = (messages: Msg[], over: Partial<SnapshotLike> = {}): SnapshotLike => ({
  exists: true, meta: { customer: { id: 'c1', name: 'Zoë', email: 'z@example.com' } },
  state: { assignee: null, team: null, labels: [], priority: 'normal' }, status: 'open', messages, receipts: {}, ...over,
});

describe('inboxItem', () => {
  it('waits from the first unanswered customer message', () => {
    const item = inboxItem(dir, snap([msg('q1', 'customer', 10), msg('a1', 'agent', 20), msg('q2', 'customer', 30), msg('q3', 'customer', 40)]), 'ana');
    expect(item.waitingSince).toBe(30);
    expect(item.preview).toBe('q3');
  });

  it('nobody waits once the agent answered, nor on resolved conversations', () => {
    expect(inboxItem(dir, snap([msg('q1', 'customer', 10), msg('a1', 'agent', 20)]), 'ana').waitingSince).toBeNull();
    expect(inboxItem(dir, snap([msg('q1', 'customer', 10)], { status: 'resolved' }), 'ana').waitingSince).toBeNull();
  });

  it('events do not count as answers', () => {
    const item = inboxItem(dir, snap([msg('q1', 'customer', 10), msg('e1', 'agent', 20, { kind: 'event' })]), 'ana');
    expect(item.waitingSince).toBe(10);
  });

  it('counts customer messages after my read marker as unread', () => {
    const messages = [msg('q1', 'customer', 1), msg('q2', 'customer', 2), msg('q3', 'customer', 3)];
    expect(inboxItem(dir, snap(messages, { receipts: { 'agent:ana:read': 'q1' } }), 'ana').unread).toBe(2);
    expect(inboxItem(dir, snap(messages, { receipts: { 'agent:bo:read': 'q3' } }), 'ana').unread).toBe(3);
  });

  it.each([['reopened', 'open'], ['open', 'open'], ['snoozed', 'snoozed'], ['resolved', 'resolved'], ['pending', 'pending']])('status %s shows under %s', (s, shown) => {
    expect(inboxStatus(s)).toBe(shown);
  });
});
