/**
 * Inbox helpers over snapshots: how long a customer has been waiting, what is unread for a
 * principal, and search over the conversations this replica holds (no server index exists).
 */
import type { ConversationSnapshot, Me } from '../conversation/types.js';
import { receiptKey } from '../conversation/receipts.js';
import { isConversational, oldestUnanswered } from './conversation-facts.js';

/** ms since the customer's oldest unanswered message; 0 when nobody is waiting. */
export function waitingTime(c: ConversationSnapshot, now: number): number {
  const m = oldestUnanswered(c);
  return m ? Math.max(0, now - m.clientTime) : 0;
}

/** When the customer started waiting (their oldest unanswered message), or null. */
export function waitingSince(c: ConversationSnapshot): number | null {
  return oldestUnanswered(c)?.clientTime ?? null;
}

/**
 * Messages from the other side after `who`'s read marker. Agents count customer messages (each
 * agent has their own marker); customers count agent and bot messages. Events and deleted
 * messages are not unread-worthy.
 */
export function unreadCount(c: ConversationSnapshot, who: Pick<Me, 'role' | 'id'>): number {
  const isCustomer = who.role === 'customer';
  const role = isCustomer ? 'customer' : who.role === 'bot' ? 'bot' : 'agent';
  const markerId = c.receipts[receiptKey(role, who.id, 'read')];
  const after = markerId === undefined ? -1 : (c.messages.find((m) => m.id === markerId)?.index ?? -1);
  let n = 0;
  for (const m of c.messages) {
    if (m.index <= after || !isConversational(m)) continue;
    if (isCustomer ? m.author.role === 'agent' || m.author.role === 'bot' : m.author.role === 'customer') n++;
  }
  return n;
}

export interface SearchHit {
  conversation: ConversationSnapshot;
  /** Where the terms were found first: the customer's name or e-mail, or a message. */
  field: 'name' | 'email' | 'message';
  messageId: string | null;
  /** Up to ~80 characters around the first match, for the result list. */
  excerpt: string;
}

/**
 * Conversations where every whitespace-separated term of `query` occurs (case- and
 * accent-insensitive) in the customer's name, e-mail or any message text. Newest first.
 */
export function searchConversations(conversations: readonly ConversationSnapshot[], query: string): SearchHit[] {
  const terms = normalize(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [];
  const hits: SearchHit[] = [];
  for (const c of conversations) {
    const fields: { field: SearchHit['field']; messageId: string | null; text: string }[] = [
      { field: 'name', messageId: null, text: c.meta.customer.name },
      { field: 'email', messageId: null, text: c.meta.customer.email ?? '' },
      ...c.messages.filter(isConversational).map((m) => ({ field: 'message' as const, messageId: m.id, text: m.text })),
    ];
    const normalized = fields.map((f) => normalize(f.text));
    if (!terms.every((t) => normalized.some((n) => n.includes(t)))) continue;
    const firstIdx = normalized.findIndex((n) => n.includes(terms[0]!));
    const first = fields[firstIdx]!;
    hits.push({ conversation: c, field: first.field, messageId: first.messageId, excerpt: excerpt(first.text, normalized[firstIdx]!.indexOf(terms[0]!)) });
  }
  return hits.sort((a, b) => b.conversation.meta.createdAt - a.conversation.meta.createdAt);
}

function normalize(s: string): string {
  // NFD then drop combining marks: "Müller" matches "muller". Lengths stay aligned for ASCII.
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - 30);
  const end = Math.min(text.length, at + 50);
  return (start > 0 ? '…' : '') + text.slice(start, end) + (end < text.length ? '…' : '');
}
