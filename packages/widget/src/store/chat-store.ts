/**
 * The one seam between the widget's UI and its data. Controllers subscribe to these; the
 * implementation over @parley/core's client lives in core-store.ts. Everything here is plain values
 * (model.ts), so the UI never touches a Yjs type.
 */
import type {
  Announcement,
  AttachmentRef,
  ConnectionState,
  ConversationSummary,
  ConversationView,
  WidgetSettings,
} from '../model.js';
import type { StorageAlert } from './storage-watch.js';

/** A value that changes over time; `subscribe` returns the unsubscribe function. */
export interface Source<T> {
  get(): T;
  subscribe(listener: () => void): () => void;
}

export interface ConversationHandle extends Source<ConversationView> {
  send(text: string): void;
  /** `local` (the picked file) is shown at once, before and while the upload runs. */
  sendAttachment(ref: AttachmentRef, local?: Blob): void;
  setTyping(typing: boolean): void;
  /** The customer has seen everything up to now. */
  markRead(): void;
  rate(score: number, comment?: string): void;
  release(): void;
}

export interface StartFields {
  name?: string;
  email?: string;
  language?: string;
}

export interface ChatStore {
  readonly customerId: string;
  connection: Source<ConnectionState>;
  settings: Source<WidgetSettings>;
  announcements: Source<readonly Announcement[]>;
  /** newest first */
  conversations: Source<readonly ConversationSummary[]>;
  open(conversationId: string): ConversationHandle;
  /** Creates a conversation (locally first; it syncs when online) and returns its id. */
  start(fields: StartFields): string;
  /** Stores a blob on the relay under its content hash (SHA-256, hex); rejects while offline. */
  upload?(hash: string, blob: Blob, conversationId: string): Promise<void>;
  /** The browser stopped keeping this device's data (storage full, site data cleared); null while all is well. */
  storage?: Source<StorageAlert | null>;
  /** How many of this device's messages the relay has not acknowledged yet. */
  unsent?(): number;
  destroy(): void;
}

/** A Source for a value that is set from outside; handy for adapters. */
export function createValue<T>(initial: T): Source<T> & { set(value: T): void } {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const l of [...listeners]) l();
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
