import { describe, expect, it } from 'vitest';
import { compareByWait, formatWait, matchesSearch, queryInbox, truncateGraphemes, type InboxItem, type InboxQuery } from './inbox-query.js';

function item(over: Partial<InboxItem> & { doc: string }): InboxItem {
  return {
    customerId: 'c', conversationId: over.doc, customerName: '', customerEmail: '', status: 'open', assignee: null, team: null,
    priority: 'normal', labels: [], preview: '', searchText: '', waitingSince: null, updatedAt: 0, unread: 0, loaded: true, ...over,
  };
}
const base: InboxQuery = { view: 'all', status: 'open', me: 'ana', teams: ['billing'], search: '' };

describe('queryInbox', () => {
  const items = [
    item({ doc: 'a', assignee: 'ana', waitingSince: 300 }),
    item({ doc: 'b', assignee: null, waitingSince: 100 }),
    item({ doc: 'c', assignee: 'bo', team: 'billing', waitingSince: null, updatedAt: 50 }),
    item({ doc: 'd', assignee: null, status: 'resolved' }),
    item({ doc: 'e', assignee: 'ana', status: 'snoozed' }),
  ];

  it.each([
    ['mine', ['a']],
    ['unassigned', ['b']],
    ['team', ['c']],
    ['all', ['b', 'a', 'c']],
  ] as const)('view %s shows %j, longest wait first', (view, docs) => {
    expect(queryInbox(items, { ...base, view }).items.map((i) => i.doc)).toEqual(docs);
  });

  it('counts every status within the view and every view within the status', () => {
    const r = queryInbox(items, { ...base, view: 'mine' });
    expect(r.counts).toEqual({ open: 1, pending: 0, snoozed: 1, resolved: 0 });
    expect(r.viewCounts).toEqual({ mine: 1, unassigned: 1, team: 1, all: 3 });
  });

  it('search narrows rows and counts alike', () => {
    const named = [item({ doc: 'x', customerName: 'Zoë Öztürk' }), item({ doc: 'y', searchText: 'refund please' })];
    expect(queryInbox(named, { ...base, search: 'zoe ozturk' }).items.map((i) => i.doc)).toEqual(['x']);
    expect(queryInbox(named, { ...base, search: 'REFUND' }).counts.open).toBe(1);
  });
});

describe('ordering and formatting', () => {
  it('puts waiting customers before idle ones, idle ones newest first', () => {
    const rows = [item({ doc: 'idle-old', updatedAt: 1 }), item({ doc: 'idle-new', updatedAt: 9 }), item({ doc: 'waits', waitingSince: 5 })];
    expect(rows.sort(compareByWait).map((r) => r.doc)).toEqual(['waits', 'idle-new', 'idle-old']);
  });

  it.each([
    [5_000, '5s'], [12 * 60_000, '12m'], [3 * 3_600_000 + 5 * 60_000, '3h 5m'], [2 * 86_400_000, '2d'], [-10, '0s'],
  ])('formatWait(%i) = %s', (ms, text) => expect(formatWait(ms)).toBe(text));

  it('matches email case-insensitively', () => {
    expect(matchesSearch(item({ doc: 'm', customerEmail: 'Ana@Example.com' }), 'ana@example')).toBe(true);
  });

  it('never splits an emoji when truncating', () => {
    expect(truncateGraphemes('👩‍👩‍👧‍👦👍🏽abc', 2)).toBe('👩‍👩‍👧‍👦👍🏽…');
    expect(truncateGraphemes('short', 10)).toBe('short');
  });
});
