/**
 * The off-hours auto-reply rule. Pure, like routing.ts.
 *
 * Once per conversation per closed period: a reply is due when the business is closed `now`, the
 * customer's latest message was written after the business last closed (no opening between it
 * and now), and this bot has not replied since the business last closed. Message times are the
 * authors' device clocks (DESIGN.md: for display only); a customer clock far off can move a
 * message into or out of the period, which at worst costs one reply too many or too few.
 */
import { isWithinBusinessHours, wasOpenBetween, type BusinessHours, type ConversationSnapshot } from '@parley/core';

export interface OffHoursInput {
  hours: BusinessHours | null;
  reply: string | null;
  now: number;
  /** the worker's principal id: its earlier text messages are its auto-replies */
  botId: string;
}

export function offHoursReplyDue(snapshot: ConversationSnapshot, input: OffHoursInput): boolean {
  const { hours, reply, now, botId } = input;
  if (!snapshot.exists || !hours || !reply || isWithinBusinessHours(hours, now)) return false;
  const messages = snapshot.messages;
  const lastCustomer = findLast(messages, (m) => m.author.role === 'customer' && m.kind !== 'event' && !m.deleted);
  if (!lastCustomer || wasOpenBetween(hours, lastCustomer.clientTime, now)) return false;
  const lastReply = findLast(messages, (m) => m.author.role === 'bot' && m.author.id === botId && m.kind === 'text');
  if (lastReply && (lastReply.index > lastCustomer.index || !wasOpenBetween(hours, lastReply.clientTime, now))) return false;
  return true;
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return items[i];
  return undefined;
}
