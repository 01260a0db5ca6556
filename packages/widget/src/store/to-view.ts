/**
 * From core's conversation snapshot to what the widget shows. The customer sees less than an
 * agent: no priority, no labels, only the events that matter to them (resolved, reopened, an agent
 * joining).
 */
import type { ConversationSnapshot, Message, Typist } from '@parley/core';
import type { ChatMessage, ConversationStatus, ConversationSummary, ConversationView } from '../model.js';

export function toStatus(status: ConversationSnapshot['status']): ConversationStatus {
  return status === 'resolved' ? 'resolved' : status === 'snoozed' ? 'snoozed' : 'open';
}

export function toChatMessage(m: Message, blobUrl: (hash: string) => string): ChatMessage | null {
  if (m.deleted) return null;
  const base = { id: m.id, role: m.author.role, at: m.clientTime, text: m.text, ...(m.author.name ? { authorName: m.author.name } : {}), ...(m.author.avatar ? { avatarUrl: m.author.avatar } : {}) };
  if (m.kind === 'event') {
    const e = m.event;
    if (e?.type === 'status' && (e.to === 'resolved' || e.to === 'reopened')) return { ...base, kind: 'event', event: { type: e.to } };
    if (e?.type === 'assignment' && e.agent) return { ...base, kind: 'event', event: { type: 'joined', name: e.agent.name } };
    return null;
  }
  const delivery = m.author.role === 'customer' ? { delivery: m.delivery } : {};
  if (m.kind === 'attachment' && m.attachment) {
    const a = m.attachment;
    return { ...base, ...delivery, kind: 'attachment', attachment: { hash: a.hash, name: a.name, type: a.type, size: a.size, url: blobUrl(a.hash) } };
  }
  return { ...base, ...delivery, kind: 'text' };
}

export function toConversationView(id: string, snapshot: ConversationSnapshot, typists: readonly Typist[], blobUrl: (hash: string) => string): ConversationView {
  const messages = snapshot.messages.map((m) => toChatMessage(m, blobUrl)).filter((m): m is ChatMessage => m !== null);
  const agentTyping = typists.find((t) => t.role !== 'customer');
  const agentName = agentTyping?.name || snapshot.state.assignee?.name || undefined;
  const csat = snapshot.meta.csat;
  return {
    id,
    status: toStatus(snapshot.status),
    messages,
    agentTyping: agentTyping !== undefined,
    ...(agentName ? { agentName } : {}),
    ...(csat ? { rating: { score: csat.score, ...(csat.comment ? { comment: csat.comment } : {}) } } : {}),
  };
}

/** Unread: messages from the other side after the customer's own read marker. */
export function toSummary(id: string, snapshot: ConversationSnapshot, customerId: string): ConversationSummary {
  const visible = snapshot.messages.filter((m) => !m.deleted && m.kind !== 'event');
  const last = visible[visible.length - 1];
  const readId = snapshot.receipts[`customer:${customerId}:read`];
  const readIndex = readId ? (snapshot.messages.find((m) => m.id === readId)?.index ?? -1) : -1;
  const unread = visible.filter((m) => m.index > readIndex && m.author.role !== 'customer').length;
  return {
    id,
    status: toStatus(snapshot.status),
    lastText: last ? (last.kind === 'attachment' ? (last.attachment?.name ?? '') : last.text) : '',
    lastRole: last?.author.role ?? 'customer',
    updatedAt: last?.clientTime ?? snapshot.meta.createdAt,
    unread,
  };
}
