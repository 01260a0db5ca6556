/**
 * What the conversation screen renders: plain data the ConversationController derives from core's
 * snapshots. Components depend on these shapes only, never on Yjs.
 */
import type { ConversationStatus } from '../inbox/inbox-query.js';

export type Delivery = 'pending' | 'sent' | 'delivered' | 'read';

export interface TranscriptEntry {
  id: string;
  authorRole: 'customer' | 'agent' | 'bot' | 'system';
  authorName: string;
  /** the https picture URL the message's author carried when it was written */
  authorAvatar?: string;
  kind: 'text' | 'attachment' | 'event' | 'note';
  text: string;
  /** the author's clock, for display only */
  at: number;
  delivery: Delivery;
  mine: boolean;
  deleted: boolean;
  attachment: { name: string; type: string; size: number; url: string } | null;
}

export interface CustomerInfo {
  id: string;
  name: string;
  email: string;
  language: string;
  /** IANA time zone when known, for the customer's local time */
  timeZone: string;
  referralPage: string;
  devices: { id: string; label: string }[];
  /** other conversations of this customer (document names) with a one-line summary */
  previous: { doc: string; title: string; status: ConversationStatus; at: number }[];
  fields: Record<string, string>;
}

export interface ConversationModel {
  doc: string;
  exists: boolean;
  loaded: boolean;
  status: ConversationStatus;
  snoozedUntil: number | null;
  assignee: { id: string; name: string } | null;
  team: string | null;
  labels: readonly string[];
  priority: 'low' | 'normal' | 'high' | 'urgent';
  /** messages and private notes interleaved in document order (notes after what existed when written) */
  entries: TranscriptEntry[];
  customer: CustomerInfo;
  customerTyping: boolean;
  csat: { score: number; comment: string } | null;
}

export const emptyCustomer = (id: string): CustomerInfo => ({ id, name: '', email: '', language: '', timeZone: '', referralPage: '', devices: [], previous: [], fields: {} });
