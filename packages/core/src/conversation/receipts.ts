/**
 * Delivered/read markers and per-message delivery state.
 *
 * Markers are flat keys of the `receipts` root: `${role}:${principalId}:delivered` and `...:read`,
 * each holding the id of the last message that principal has (or has read). Every key has exactly
 * one writer, so no principal ever overwrites another's item (relay rule [P6]); a principal's own
 * devices move its marker forward only.
 */
import type { AuthorRole, DeliveryState, Message } from './types.js';

export type ReceiptKind = 'delivered' | 'read';

export function receiptKey(role: AuthorRole, principalId: string, kind: ReceiptKind): string {
  return `${role}:${principalId}:${kind}`;
}

export function parseReceiptKey(key: string): { role: AuthorRole; principalId: string; kind: ReceiptKind } | null {
  const first = key.indexOf(':');
  const last = key.lastIndexOf(':');
  if (first <= 0 || last <= first) return null;
  const role = key.slice(0, first);
  const kind = key.slice(last + 1);
  if (role !== 'customer' && role !== 'agent' && role !== 'bot' && role !== 'system') return null;
  if (kind !== 'delivered' && kind !== 'read') return null;
  return { role, principalId: key.slice(first + 1, last), kind };
}

/**
 * Whose receipts count for a message: customer messages are delivered/read when any agent's
 * device has them (bots reading does not count: no human saw it); everything else when the
 * customer's does.
 */
export function readerRoleFor(author: AuthorRole): AuthorRole {
  return author === 'customer' ? 'agent' : 'customer';
}

/** For each reader role and kind, the highest message index its markers reach (-1: none). */
export interface MarkerReach {
  customer: { delivered: number; read: number };
  agent: { delivered: number; read: number };
}

export function markerReach(receipts: Readonly<Record<string, string>>, indexOf: (id: string) => number): MarkerReach {
  const reach: MarkerReach = { customer: { delivered: -1, read: -1 }, agent: { delivered: -1, read: -1 } };
  for (const [key, id] of Object.entries(receipts)) {
    const parsed = parseReceiptKey(key);
    if (!parsed || (parsed.role !== 'customer' && parsed.role !== 'agent')) continue;
    // A marker may name a message this replica has not received yet: it reaches nothing until then.
    const index = indexOf(id);
    const r = reach[parsed.role];
    if (index > r[parsed.kind]) r[parsed.kind] = index;
    // Having read a message implies having it.
    if (parsed.kind === 'read' && index > r.delivered) r.delivered = index;
  }
  return reach;
}

/** Read beats delivered beats sent: the other side having it proves the relay had it. */
export function deliveryState(message: Pick<Message, 'index' | 'author'>, reach: MarkerReach, sent: boolean): DeliveryState {
  const reader = readerRoleFor(message.author.role);
  const r = reader === 'agent' ? reach.agent : reach.customer;
  if (r.read >= message.index) return 'read';
  if (r.delivered >= message.index) return 'delivered';
  return sent ? 'sent' : 'pending';
}
