/**
 * The conversation model's vocabulary. Everything here is plain data: snapshots handed to UIs and
 * to reports are frozen objects of these shapes, never live Yjs types.
 */
import type { Role } from '../docs.js';

/** Who wrote a message, as shown in the transcript. Admins write as `agent`. */
export type AuthorRole = 'customer' | 'agent' | 'bot' | 'system';

export interface Author {
  role: AuthorRole;
  id: string;
  name: string;
  /** Picture shown beside the author's messages: an https URL (see avatar.ts); absent means initials. */
  avatar?: string;
}

/** The principal using this replica: the role is the token's role (admins act as agents). */
export interface Me {
  role: Role;
  id: string;
  name: string;
  /** Written into every message this principal sends; validated by `isAvatarUrl`. */
  avatar?: string;
}

export type MessageKind = 'text' | 'attachment' | 'event';

/** A blob the relay stores under its content hash; the document only keeps this reference. */
export interface Attachment {
  hash: string;
  name: string;
  type: string;
  size: number;
}

export type Status = 'open' | 'pending' | 'snoozed' | 'resolved' | 'reopened';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface AgentRef {
  id: string;
  name: string;
}

/** What happened, written into the transcript by the acting agent (kind `event`). */
export type ConversationEvent =
  | { type: 'status'; from: Status; to: Status; until?: number }
  | {
      type: 'assignment';
      agent: AgentRef | null;
      team: string | null;
      previousAgent: AgentRef | null;
      previousTeam: string | null;
    }
  /** Labels an agent added or removed in one action (agents see it; the widget hides it). */
  | { type: 'labels'; added: readonly string[]; removed: readonly string[] }
  | { type: 'priority'; from: Priority; to: Priority };

/** pending: only on this device; sent: relay committed it; delivered / read: by the other side. */
export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'read';

/** The Yjs item that created a message; the unit an AckSource reports on. */
export interface ItemId {
  client: number;
  clock: number;
}

export interface Message {
  id: string;
  /** Position in the shared array: screen order, identical on every synced replica. */
  index: number;
  author: Author;
  kind: MessageKind;
  /** '' for deleted messages and for attachments without a caption. */
  text: string;
  /** The author's device clock when written: for display only, never for ordering. */
  clientTime: number;
  deviceId: string;
  editedAt: number | null;
  deleted: boolean;
  attachment: Attachment | null;
  event: ConversationEvent | null;
  delivery: DeliveryState;
  /** Written by the principal using this replica (any of its devices). */
  mine: boolean;
  item: ItemId | null;
}

export interface Csat {
  score: 1 | 2 | 3 | 4 | 5;
  comment: string;
  at: number;
}

export interface CustomerRef {
  id: string;
  name: string;
  email?: string;
}

export interface ConversationMeta {
  id: string;
  customer: CustomerRef;
  language: string;
  channel: string;
  referralPage: string;
  /** Answers to the widget's pre-chat fields, by field name. */
  fields: Readonly<Record<string, string>>;
  createdAt: number;
  createdBy: Author;
  csat: Csat | null;
}

/** Agent-only fields, stored flat in the `state` root (see docs.ts). */
export interface ConversationState {
  status: Status;
  snoozedUntil: number | null;
  assignee: AgentRef | null;
  team: string | null;
  labels: readonly string[];
  priority: Priority;
}

export interface ConversationSnapshot {
  /** False until someone created the conversation (meta written). */
  exists: boolean;
  meta: ConversationMeta;
  state: ConversationState;
  /** Effective status when the snapshot was taken; see `effectiveStatus` for a live answer. */
  status: Status;
  messages: readonly Message[];
  /** Raw receipt markers: `${role}:${principalId}:delivered|read` → message id. */
  receipts: Readonly<Record<string, string>>;
}
