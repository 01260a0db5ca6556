/**
 * From a conversation's snapshot (core's `ConversationSnapshot`, read structurally) to the inbox
 * row the agent sees. Pure, so "who is waiting and since when" is tested without a browser.
 */
import { truncateGraphemes, type ConversationStatus, type InboxItem } from './inbox-query.js';

/** The part of core's snapshot the inbox reads. */
export interface SnapshotLike {
  exists: boolean;
  meta: { customer: { id: string; name: string; email?: string } };
  state: { assignee: { id: string } | null; team: string | null; labels: readonly string[]; priority: InboxItem['priority'] };
  status: string;
  messages: readonly { id: string; author: { role: string; id: string }; kind: string; text: string; clientTime: number; deleted: boolean }[];
  receipts: Readonly<Record<string, string>>;
}

export interface DirectoryInfo {
  doc: string;
  customerId: string;
  conversationId: string;
  updatedAt: number;
}

/** Core's statuses, folded into the inbox's four: a reopened conversation is open again. */
export function inboxStatus(status: string): ConversationStatus {
  return status === 'pending' || status === 'snoozed' || status === 'resolved' ? status : 'open';
}

const SEARCH_TEXT_LIMIT = 20_000;

export function placeholderItem(d: DirectoryInfo): InboxItem {
  return {
    ...d, customerName: '', customerEmail: '', status: 'open', assignee: null, team: null, priority: 'normal', labels: [],
    preview: '', searchText: '', waitingSince: null, unread: 0, loaded: false,
  };
}

export function inboxItem(d: DirectoryInfo, s: SnapshotLike, me: string): InboxItem {
  const status = inboxStatus(s.status);
  const readUpTo = s.receipts[`agent:${me}:read`];
  let readIndex = -1;
  let waitingSince: number | null = null;
  let unread = 0;
  let preview = '';
  const texts: string[] = [];
  let textLength = 0;
  s.messages.forEach((m, i) => {
    if (m.id === readUpTo) readIndex = i;
    if (m.kind === 'event' || m.deleted) return;
    const fromCustomer = m.author.role === 'customer';
    // The customer waits from their first message after the last answer from our side.
    if (fromCustomer) waitingSince ??= m.clientTime;
    else waitingSince = null;
    preview = m.text || (m.kind === 'attachment' ? '📎 Attachment' : preview);
    if (textLength < SEARCH_TEXT_LIMIT) {
      texts.push(m.text);
      textLength += m.text.length;
    }
  });
  s.messages.forEach((m, i) => {
    if (i > readIndex && m.author.role === 'customer' && m.kind !== 'event' && !m.deleted) unread++;
  });
  return {
    ...d,
    customerName: s.meta.customer.name,
    customerEmail: s.meta.customer.email ?? '',
    status,
    assignee: s.state.assignee?.id ?? null,
    team: s.state.team,
    priority: s.state.priority,
    labels: [...s.state.labels],
    // Cut once here rather than on every render of the row.
    preview: truncateGraphemes(preview, 120),
    searchText: texts.join('\n'),
    // Nobody is waiting on a conversation that is resolved or snoozed.
    waitingSince: status === 'open' || status === 'pending' ? waitingSince : null,
    unread,
    loaded: true,
  };
}
