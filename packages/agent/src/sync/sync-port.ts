/**
 * What the agent app needs from a sync client: documents kept in this device's replica and
 * followed over one multiplexed socket, plus awareness per document and the connection state.
 * `core-sync.ts` implements it with @parley/core's client; controllers only see this.
 */
import type * as Y from 'yjs';
import type { ConversationOptions } from '@parley/core';

/** y-protocols' Awareness, as core's Conversation takes it (typing, presence, who views what). */
export type Awareness = NonNullable<ConversationOptions['awareness']>;

export type ConnectionState = 'online' | 'connecting' | 'offline';

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  /** resolves once the local replica is loaded (instant, works offline) */
  readonly loaded: Promise<void>;
  /** resolves once the relay's state has been merged at least once (never while offline) */
  readonly synced: Promise<void>;
  readonly awareness: Awareness;
  /** Whether the relay has durably acknowledged the item (client, clock) ([P7]). */
  isAcked(client: number, clock: number): boolean;
  onAck(listener: () => void): () => void;
  /** Stops following the document when the last holder releases it; the replica stays. */
  release(): void;
}

export interface AgentSync {
  /** Opens (or shares) a document: reference-counted, release each handle once. */
  open(name: string): DocHandle;
  readonly connection: ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Closes the socket and the replicas. */
  destroy(): Promise<void>;
}
