/**
 * The inbox as pure data: which conversations a view shows, in what order, with what counts.
 * No Yjs and no DOM here, so the rules are tested in Node and the controller stays thin.
 */

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];

export type InboxView = 'mine' | 'unassigned' | 'team' | 'all';
export const VIEWS: readonly InboxView[] = ['mine', 'unassigned', 'team', 'all'];

/** One row of the inbox: what the directory says plus what this device's replica knows. */
export interface InboxItem {
  /** conversation document name: the row's identity */
  doc: string;
  customerId: string;
  conversationId: string;
  customerName: string;
  customerEmail: string;
  status: ConversationStatus;
  assignee: string | null;
  team: string | null;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  labels: string[];
  /** text of the last message, for the preview line */
  preview: string;
  /** all message texts this device holds, for search */
  searchText: string;
  /** ms since epoch of the customer's oldest message not yet answered; null when nobody waits */
  waitingSince: number | null;
  /** ms since epoch of the last change the directory reported */
  updatedAt: number;
  /** messages from the customer after this agent's read marker */
  unread: number;
  /** false until this device has synced the document at least once */
  loaded: boolean;
}

export interface InboxQuery {
  view: InboxView;
  status: ConversationStatus;
  /** the signed-in agent's id */
  me: string;
  /** teams the agent belongs to ('team' view) */
  teams: readonly string[];
  /** free text; empty means no search */
  search: string;
}

export function inView(item: InboxItem, view: InboxView, me: string, teams: readonly string[]): boolean {
  switch (view) {
    case 'mine':
      return item.assignee === me;
    case 'unassigned':
      return item.assignee === null;
    case 'team':
      return item.team !== null && teams.includes(item.team);
    case 'all':
      return true;
  }
}

/** Case- and accent-insensitive search over name, email and every message text this device holds. */
export function matchesSearch(item: InboxItem, search: string): boolean {
  const needle = fold(search.trim());
  if (needle === '') return true;
  const hay = fold(`${item.customerName}\n${item.customerEmail}\n${item.searchText}`);
  return needle.split(/\s+/).every((word) => hay.includes(word));
}

function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/**
 * Longest-waiting customer first: that is who is about to leave. Conversations nobody waits on
 * come after, most recently changed first. Ties break on the document name so the order is stable
 * while live updates arrive.
 */
export function compareByWait(a: InboxItem, b: InboxItem): number {
  if (a.waitingSince !== null && b.waitingSince !== null && a.waitingSince !== b.waitingSince) return a.waitingSince - b.waitingSince;
  if (a.waitingSince !== null && b.waitingSince === null) return -1;
  if (a.waitingSince === null && b.waitingSince !== null) return 1;
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}

export interface InboxResult {
  items: InboxItem[];
  /** live counts per status within the current view (and search) */
  counts: Record<ConversationStatus, number>;
  /** how many rows each view would show with the current status (and search) */
  viewCounts: Record<InboxView, number>;
}

export function queryInbox(all: Iterable<InboxItem>, q: InboxQuery): InboxResult {
  const counts: Record<ConversationStatus, number> = { open: 0, pending: 0, snoozed: 0, resolved: 0 };
  const viewCounts: Record<InboxView, number> = { mine: 0, unassigned: 0, team: 0, all: 0 };
  const items: InboxItem[] = [];
  for (const item of all) {
    if (!matchesSearch(item, q.search)) continue;
    if (item.status === q.status) {
      for (const v of VIEWS) if (inView(item, v, q.me, q.teams)) viewCounts[v]++;
    }
    if (!inView(item, q.view, q.me, q.teams)) continue;
    counts[item.status]++;
    if (item.status === q.status) items.push(item);
  }
  items.sort(compareByWait);
  return { items, counts, viewCounts };
}

/** "45s", "12m", "3h 5m", "2d 4h": short enough for a row, precise where it matters. */
export function formatWait(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

// One segmenter for the module: constructing one costs far more than segmenting a preview.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cuts text to at most `max` user-perceived characters without splitting an emoji or a combining mark. */
export function truncateGraphemes(text: string, max: number): string {
  // Fast path: fewer code units than the limit cannot be more graphemes than the limit.
  if (text.length <= max) return text;
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    if (out.length === max) return `${out.join('')}…`;
    out.push(segment);
  }
  return out.join('');
}
