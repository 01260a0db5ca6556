/**
 * Document names and the shape of each document: the one place that says where things live.
 * The relay authorises by name prefix and by root type name, so both sides import these.
 */

export type Role = 'customer' | 'agent' | 'admin' | 'bot';

export const conversationDoc = (ws: string, customerId: string, conversationId: string): string =>
  `ws/${ws}/customers/${customerId}/conv/${conversationId}`;
export const internalDoc = (ws: string, customerId: string, conversationId: string): string =>
  `ws/${ws}/internal/customers/${customerId}/conv/${conversationId}`;
export const profileDoc = (ws: string, customerId: string): string => `ws/${ws}/customers/${customerId}/profile`;
export const settingsDoc = (ws: string): string => `ws/${ws}/settings`;
export const announcementsDoc = (ws: string): string => `ws/${ws}/announcements`;
/** Written only by the relay: which conversations exist and when each last changed. */
export const directoryDoc = (ws: string): string => `ws/${ws}/directory`;

export type ParsedDocName =
  | { kind: 'conversation'; ws: string; customerId: string; conversationId: string }
  | { kind: 'internal'; ws: string; customerId: string; conversationId: string }
  | { kind: 'profile'; ws: string; customerId: string }
  | { kind: 'settings'; ws: string }
  | { kind: 'announcements'; ws: string }
  | { kind: 'directory'; ws: string };

const SEGMENT = '([A-Za-z0-9_-]{1,64})';
const patterns: [RegExp, (m: RegExpMatchArray) => ParsedDocName][] = [
  [new RegExp(`^ws/${SEGMENT}/customers/${SEGMENT}/conv/${SEGMENT}$`), (m) => ({ kind: 'conversation', ws: m[1]!, customerId: m[2]!, conversationId: m[3]! })],
  [new RegExp(`^ws/${SEGMENT}/internal/customers/${SEGMENT}/conv/${SEGMENT}$`), (m) => ({ kind: 'internal', ws: m[1]!, customerId: m[2]!, conversationId: m[3]! })],
  [new RegExp(`^ws/${SEGMENT}/customers/${SEGMENT}/profile$`), (m) => ({ kind: 'profile', ws: m[1]!, customerId: m[2]! })],
  [new RegExp(`^ws/${SEGMENT}/settings$`), (m) => ({ kind: 'settings', ws: m[1]! })],
  [new RegExp(`^ws/${SEGMENT}/announcements$`), (m) => ({ kind: 'announcements', ws: m[1]! })],
  [new RegExp(`^ws/${SEGMENT}/directory$`), (m) => ({ kind: 'directory', ws: m[1]! })],
];

/** Parses a document name; null for anything that is not one of Parley's documents. */
export function parseDocName(name: string): ParsedDocName | null {
  for (const [re, build] of patterns) {
    const m = name.match(re);
    if (m) return build(m);
  }
  return null;
}

/**
 * Root types of a conversation document. The relay enforces who may write which root:
 * - `messages` (Y.Array<Y.Map>): everyone in the conversation appends; each principal edits and
 *   deletes only its own messages.
 * - `meta` (Y.Map): set at creation by whoever creates it (customer, channel, language, referral
 *   page) and the customer's CSAT rating.
 * - `state` (Y.Map): agent-only fields (status, snoozedUntil, assignee, team, priority, one
 *   `label:<name>` → boolean key per label), plain values only, no nested Y types;
 *   the relay refuses customer writes into it.
 * - `receipts` (Y.Map of flat keys `${role}:${principalId}:delivered|read` → message id):
 *   per-principal markers, so no principal ever overwrites another's entry.
 */
export const ConversationRoot = {
  messages: 'messages',
  meta: 'meta',
  state: 'state',
  receipts: 'receipts',
} as const;

/** Roots of a conversation document that only agents, admins and bots may write. */
export const AGENT_ONLY_ROOTS: readonly string[] = [ConversationRoot.state];

/** Root of the relay-written directory document: a Y.Map keyed by conversation document name. */
export const DirectoryRoot = 'conversations';
export interface DirectoryEntry {
  customerId: string;
  conversationId: string;
  /** ms since epoch of the last stored update */
  updatedAt: number;
  createdAt: number;
}
