/**
 * The honest side of every scenario: people typing into conversations through core's real sync
 * client and Conversation model, and a fresh reader that asks the relay what it holds.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { Conversation, createClient, protocol, type DocHandle, type Me, type ParleyClient, type WebSocketConstructor } from '@parley/core';
import { connectMux, isFrame } from '../relay/mux-client.js';

export interface Peer {
  readonly me: Me;
  readonly client: ParleyClient;
  readonly handle: DocHandle;
  readonly conv: Conversation;
  /** ids of the messages this peer sent, in order */
  readonly sent: string[];
  send(text: string): string;
  /** ids of own messages the relay acknowledged (shown as sent or later) */
  acked(): Set<string>;
  /** every message id in this peer's transcript, in screen order (duplicates kept) */
  transcript(): string[];
  /** the client's status changes and errors, with ms since the peer started: what to print when a scenario fails */
  readonly events: string[];
  close(): Promise<void>;
}

export interface PeerOptions {
  wsUrl: string;
  token: string | (() => Promise<string>);
  doc: string;
  me: Me;
  /** fast reconnects so recovery time measures the system, not a 30 s backoff */
  backoff?: { initialMs: number; maxMs: number; stableMs?: number };
  /** the client's answer timeout (how long before a silent socket that owes an answer is replaced) */
  answerTimeoutMs?: number;
}

export function startPeer(options: PeerOptions): Peer {
  const client = createClient({
    url: options.wsUrl,
    token: options.token,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: options.backoff ?? { initialMs: 50, maxMs: 500, stableMs: 1000 },
    ...(options.answerTimeoutMs !== undefined ? { answerTimeoutMs: options.answerTimeoutMs } : {}),
  });
  const handle = client.open(options.doc);
  const conv = Conversation.open({ doc: handle.doc, awareness: handle.awareness, acks: handle.acks, me: options.me, deviceId: `${options.me.id}-device` });
  const sent: string[] = [];
  const events: string[] = [];
  const started = Date.now();
  const note = (what: string): number => events.push(`${Date.now() - started} ms ${what}`);
  client.on('status', (status) => note(status));
  client.on('error', (error, context) => note(`error ${context.code ?? ''} ${error.message}${context.doc ? ` (${context.doc})` : ''}`));
  handle.on('closed', (error) => note(`document closed: ${error.message}`));
  return {
    me: options.me,
    client,
    handle,
    conv,
    sent,
    send(text) {
      const message = conv.send({ text });
      sent.push(message.id);
      return message.id;
    },
    acked() {
      return new Set(conv.messages().filter((m) => m.mine && m.delivery !== 'pending').map((m) => m.id));
    },
    transcript: () => conv.messages().map((m) => m.id),
    events,
    async close() {
      conv.destroy();
      await client.close();
    },
  };
}

/** Duplicated entries in a transcript (an id shown twice counts once per extra showing). */
export const duplicates = (ids: readonly string[]): number => ids.length - new Set(ids).size;

/** The relay's copy of `doc`, as a fresh client with an empty replica would receive it. */
export async function readFromRelay(wsUrl: string, token: string, doc: string, timeoutMs = 15_000): Promise<Y.Doc> {
  const reader = await connectMux(wsUrl, token);
  try {
    reader.send({ type: protocol.Frame.open, doc, stateVector: new Uint8Array([0]) });
    await reader.waitFor(isFrame(protocol.Frame.synced, doc), timeoutMs);
    const replica = new Y.Doc();
    for (const f of reader.frames.filter(isFrame(protocol.Frame.sync, doc))) {
      const { kind, payload } = protocol.decodeSyncMessage(f.message);
      if (kind !== protocol.syncStep1) Y.applyUpdate(replica, payload);
    }
    return replica;
  } finally {
    reader.close();
  }
}

/** Message ids in a conversation document. */
export function messageIds(doc: Y.Doc): string[] {
  const conv = Conversation.open({ doc, me: { role: 'agent', id: 'reader', name: 'reader' }, deviceId: 'reader' });
  const ids = conv.messages().map((m) => m.id);
  conv.destroy();
  return ids;
}
