/**
 * What the widget renders. Views and the element only ever see these plain values; the controllers
 * turn documents (through @parley/core) into them, so no Yjs type leaks into a template.
 */

export type Delivery = 'pending' | 'sent' | 'delivered' | 'read';
export type AuthorRole = 'customer' | 'agent' | 'bot' | 'system';
export type ConnectionState = 'online' | 'connecting' | 'offline';
export type ConversationStatus = 'open' | 'snoozed' | 'resolved';

export interface AttachmentRef {
  /** content hash the relay stores the blob under */
  hash: string;
  name: string;
  type: string;
  size: number;
  /** object URL or relay URL, when the bytes can be shown */
  url?: string;
  /** local upload still queued (offline or in progress) */
  uploading?: boolean;
}

export interface ChatMessage {
  id: string;
  role: AuthorRole;
  authorName?: string;
  avatarUrl?: string;
  kind: 'text' | 'attachment' | 'event';
  text: string;
  /** ms since epoch, the author's clock: for display only, never for ordering */
  at: number;
  /** only for messages written by this customer */
  delivery?: Delivery;
  attachment?: AttachmentRef;
  /** for kind 'event': what happened, translated by the view */
  event?: { type: 'resolved' | 'reopened' | 'joined' | 'other'; name?: string };
}

export interface ConversationView {
  id: string;
  status: ConversationStatus;
  messages: readonly ChatMessage[];
  agentTyping: boolean;
  agentName?: string;
  rating?: { score: number; comment?: string };
}

export interface ConversationSummary {
  id: string;
  status: ConversationStatus;
  lastText: string;
  lastRole: AuthorRole;
  updatedAt: number;
  unread: number;
}

export interface PreChatField {
  name: 'name' | 'email' | 'language';
  required: boolean;
}

export interface ProactiveRule {
  id: string;
  /** URL pattern (`*` wildcard) matched against the page URL or its path */
  path?: string;
  /** seconds on the page before the invitation shows */
  afterSeconds: number;
  message: string;
}

export interface Announcement {
  id: string;
  text: string;
  level: 'info' | 'warning';
}

/** The public part of `ws/{ws}/settings`, with defaults applied. */
export interface WidgetSettings {
  greeting?: string;
  launcherText?: string;
  position: 'right' | 'left';
  colors: { primary: string; onPrimary: string };
  preChat: readonly PreChatField[];
  quickActions: readonly string[];
  proactive: readonly ProactiveRule[];
  /** bytes; shown before an upload starts (core's setting; the default below mirrors core's until settings sync) */
  maxAttachmentBytes: number;
}

export const defaultSettings: WidgetSettings = {
  position: 'right',
  // #1f5fd1 on white and white on it both pass WCAG AA for normal text.
  colors: { primary: '#1f5fd1', onPrimary: '#ffffff' },
  preChat: [],
  quickActions: [],
  proactive: [],
  maxAttachmentBytes: 10 * 1024 * 1024,
};
