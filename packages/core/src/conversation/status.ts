/**
 * Conversation status: the transition table agents are held to, and the effective status the
 * inbox shows. Customers cannot write `state` (relay rule [P6]), so a customer reply after a
 * resolve cannot flip the stored status; instead the effective status derives it from the
 * transcript order: a customer message after the last status event wins.
 *
 * | from \ to  | open | pending | snoozed | resolved | reopened |
 * |------------|------|---------|---------|----------|----------|
 * | open       |  -   |   yes   |   yes   |   yes    |    -     |
 * | pending    | yes  |    -    |   yes   |   yes    |    -     |
 * | snoozed    | yes  |   yes   |   yes*  |   yes    |    -     |
 * | resolved   |  -   |    -    |    -    |    -     |   yes    |
 * | reopened   |  -   |   yes   |   yes   |   yes    |    -     |
 *
 * (*) snoozing again moves the wake-up time. "from" is the effective status.
 *
 * Effective status from the stored one:
 * - resolved + a customer message after the resolve event → reopened
 * - pending  + a customer message after the pending event → open (the customer answered)
 * - snoozed  + a customer message after the snooze event, or the snooze time passed → open
 */
import type { ConversationSnapshot, Status } from './types.js';

export const STATUSES: readonly Status[] = ['open', 'pending', 'snoozed', 'resolved', 'reopened'];

export const STATUS_TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  open: ['pending', 'snoozed', 'resolved'],
  pending: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'pending', 'snoozed', 'resolved'],
  resolved: ['reopened'],
  reopened: ['pending', 'snoozed', 'resolved'],
};

export function canTransition(from: Status, to: Status): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

type StatusInput = Pick<ConversationSnapshot, 'state' | 'messages'>;

export function effectiveStatus(conv: StatusInput, now: number): Status {
  const { status, snoozedUntil } = conv.state;
  if (status === 'open' || status === 'reopened') return status;
  const customerSpokeSince = customerMessageAfterLastStatusEvent(conv);
  if (status === 'resolved') return customerSpokeSince ? 'reopened' : 'resolved';
  if (status === 'pending') return customerSpokeSince ? 'open' : 'pending';
  // snoozed
  if (customerSpokeSince || (snoozedUntil !== null && now >= snoozedUntil)) return 'open';
  return 'snoozed';
}

/** Whether the inbox should treat the conversation as needing an agent. */
export function isActive(status: Status): boolean {
  return status === 'open' || status === 'reopened';
}

function customerMessageAfterLastStatusEvent(conv: StatusInput): boolean {
  const messages = conv.messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.kind === 'event' && m.event?.type === 'status') return false;
    if (m.author.role === 'customer' && !m.deleted) return true;
  }
  return false;
}
