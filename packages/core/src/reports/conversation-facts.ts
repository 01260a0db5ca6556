/**
 * Facts about one conversation that the reports and the inbox both need, read from a snapshot in
 * transcript order. Times are the authors' device clocks (`clientTime`): good enough for metrics,
 * never used for ordering.
 *
 * Only human agents count as answering: a bot's instant auto-reply must not hide that nobody
 * answered, nor flatter first response time.
 */
import type { ConversationSnapshot, Message } from '../conversation/types.js';

export function isConversational(m: Message): boolean {
  return m.kind !== 'event' && !m.deleted;
}

export function isCustomerMessage(m: Message): boolean {
  return m.author.role === 'customer' && isConversational(m);
}

export function isAgentReply(m: Message): boolean {
  return m.author.role === 'agent' && isConversational(m);
}

/** First customer message → first agent reply after it, in ms; null when not answered (yet). */
export function firstResponseMs(c: ConversationSnapshot): number | null {
  const firstCustomer = c.messages.find(isCustomerMessage);
  if (!firstCustomer) return null;
  const reply = c.messages.slice(firstCustomer.index + 1).find(isAgentReply);
  return reply ? Math.max(0, reply.clientTime - firstCustomer.clientTime) : null;
}

export function hasCustomerMessage(c: ConversationSnapshot): boolean {
  return c.messages.some(isCustomerMessage);
}

export function isAnswered(c: ConversationSnapshot): boolean {
  return firstResponseMs(c) !== null;
}

/** Creation → the resolve event that made it resolved, for conversations resolved now. */
export function resolutionMs(c: ConversationSnapshot): number | null {
  if (c.status !== 'resolved') return null;
  for (let i = c.messages.length - 1; i >= 0; i--) {
    const m = c.messages[i]!;
    if (m.event?.type === 'status' && m.event.to === 'resolved') return Math.max(0, m.clientTime - c.meta.createdAt);
  }
  return null;
}

/**
 * The customer's oldest message no agent has answered: the first customer message after the last
 * agent reply. null when nobody is waiting.
 */
export function oldestUnanswered(c: ConversationSnapshot): Message | null {
  let waiting: Message | null = null;
  for (const m of c.messages) {
    if (isAgentReply(m)) waiting = null;
    else if (isCustomerMessage(m) && waiting === null) waiting = m;
  }
  return waiting;
}
