/**
 * The push notifier: a peer like the routing worker (a core client in Node with a bot token that
 * may only read), so the relay itself still never parses a message. It follows the workspace's
 * directory; when a conversation of a customer who has push subscriptions changes, it reads the
 * conversation, and if an agent or bot wrote something the customer has not read, it waits a grace
 * period with the document open (so the customer's read marker can arrive) and then wakes the
 * customer's devices with one Web Push for the whole burst of replies.
 *
 * Each message is pushed at most once, also across restarts (`push_notified` in the accounts file),
 * and nothing older than `maxAgeMs` is pushed, so a restart does not replay old replies.
 */
import WebSocket from 'ws';
import {
  DirectoryRoot,
  createClient,
  directoryDoc,
  parseDocName,
  readConversation,
  type ConversationSnapshot,
  type DirectoryEntry,
  type DocHandle,
  type Message,
  type TokenProvider,
  type WebSocketConstructor,
} from '@parley/core';
import type * as Y from 'yjs';
import { previewOf, type PushPayload, type PushSender } from './sender.js';
import type { PushSubscriptions } from './subscriptions.js';
import { withTimeout } from '../with-timeout.js';

export type NotifierLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface NotifierOptions {
  /** The relay's origin, ws(s):// or http(s):// */
  relayUrl: string;
  token?: string;
  tokenProvider?: TokenProvider;
  ws: string;
  subscriptions: PushSubscriptions;
  sender: PushSender;
  /** How long the customer has to read a reply before their devices are woken (default 10 s). */
  graceMs?: number;
  /** Replies older than this are never pushed (default 1 h): a restart must not replay history. */
  maxAgeMs?: number;
  /** Where a click on the notification leads, from the conversation (default: its referral page, else `fallbackUrl`). */
  reopenUrl?: (snapshot: ConversationSnapshot, conversationId: string) => string;
  /** Used when the conversation has no http(s) referral page (the relay's demo page in `parley serve`). */
  fallbackUrl?: string;
  /** At most this many conversations held open waiting out their grace (default 1,000); more are pushed at once. */
  maxPending?: number;
  now?: () => number;
  log?: NotifierLog;
  WebSocket?: WebSocketConstructor;
}

export interface NotifierStats {
  /** push messages the push services accepted */
  delivered: number;
  /** subscriptions removed because the push service said 404/410 */
  removed: number;
  failed: number;
  /** replies the customer read within the grace period (nothing sent) */
  readInTime: number;
}

/** After each conversation's grace period: what was decided. */
export type NotifierEvent =
  | { kind: 'pushed'; doc: string; messageId: string; payload: PushPayload; outcomes: number }
  | { kind: 'read-in-time'; doc: string; messageId: string };

export interface Notifier {
  /** Resolves once the directory is synced and the conversations changed lately were looked at. */
  readonly ready: Promise<void>;
  stats(): NotifierStats;
  /** Resolves when no conversation is being read, waiting out its grace, or being pushed. */
  idle(): Promise<void>;
  onEvent(listener: (event: NotifierEvent) => void): () => void;
  stop(): Promise<void>;
}

export const PUSH_BOT = { id: 'push', name: 'Parley push' } as const;
const SYNC_TIMEOUT_MS = 15_000;

interface Pending {
  timer: NodeJS.Timeout | null;
  handle: DocHandle;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const token = options.tokenProvider ?? options.token;
  if (token === undefined) throw new Error('createNotifier needs a token or a tokenProvider');
  const log: NotifierLog = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 3600_000;
  const maxPending = options.maxPending ?? 1000;
  const client = createClient({
    url: options.relayUrl.replace(/^http/, 'ws'),
    token,
    WebSocket: options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor),
  });
  const stats: NotifierStats = { delivered: 0, removed: 0, failed: 0, readInTime: 0 };
  const listeners = new Set<(event: NotifierEvent) => void>();
  const pending = new Map<string, Pending>();
  /** conversations being looked at right now (opened, not yet synced) */
  const looking = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const idleWaiters = new Set<() => void>();
  let stopped = false;
  const isIdle = (): boolean => inFlight.size === 0 && pending.size === 0 && looking.size === 0;
  const checkIdle = (): void => {
    if (!isIdle()) return;
    for (const w of [...idleWaiters]) w();
    idleWaiters.clear();
  };

  const directory = client.open(directoryDoc(options.ws));
  const entries = directory.doc.getMap<DirectoryEntry>(DirectoryRoot);

  const emit = (event: NotifierEvent): void => {
    for (const l of [...listeners]) l(event);
  };
  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work
      .catch((err: unknown) => log('warn', 'push notifier could not handle a conversation', { err: String(err) }))
      .finally(() => {
        inFlight.delete(work);
        checkIdle();
      });
  };

  /** A directory entry changed: only conversations of customers with a subscription are opened at all. */
  function consider(name: string): void {
    if (stopped || pending.has(name) || looking.has(name)) return;
    const parsed = parseDocName(name);
    const entry = entries.get(name);
    if (parsed?.kind !== 'conversation' || !entry || entry.updatedAt < now() - maxAgeMs) return;
    if (options.subscriptions.list({ ws: parsed.ws, customerId: parsed.customerId }).length === 0) return;
    looking.add(name);
    track(look(name).finally(() => looking.delete(name)));
  }

  async function look(name: string): Promise<void> {
    const handle = client.open(name);
    let kept = false;
    try {
      await withTimeout(handle.whenSynced, SYNC_TIMEOUT_MS, `sync of ${name}`);
      if (stopped) return;
      const decision = decide(name, readConversation(handle.doc, { now: now() }));
      if (decision?.kind !== 'push') {
        if (decision) readInTime(name, decision.reply);
        return;
      }
      const entry: Pending = { timer: null, handle };
      pending.set(name, entry);
      kept = true;
      if (pending.size > maxPending) {
        log('warn', 'push notifier: too many conversations in their grace period; pushing at once', { pending: pending.size });
        await settle(name);
        return;
      }
      entry.timer = setTimeout(() => track(settle(name)), graceMs);
    } finally {
      if (!kept) await handle.release();
    }
  }

  /** The grace period is over: push unless the customer read it meanwhile. */
  async function settle(name: string): Promise<void> {
    const entry = pending.get(name);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    try {
      if (stopped) return;
      const snapshot = readConversation(entry.handle.doc, { now: now() });
      const decision = decide(name, snapshot);
      if (decision?.kind === 'push') await push(name, snapshot, decision.reply);
      else if (decision) readInTime(name, decision.reply);
    } finally {
      pending.delete(name);
      await entry.handle.release();
      // Anything that arrived while this conversation was held is looked at afresh.
      if (!stopped) consider(name);
    }
  }

  async function push(name: string, snapshot: ConversationSnapshot, reply: Message): Promise<void> {
    const parsed = parseDocName(name);
    if (parsed?.kind !== 'conversation') return;
    const subscriptions = options.subscriptions.list({ ws: parsed.ws, customerId: parsed.customerId });
    // Marked first: a crash mid-send must not push the same reply twice after the restart.
    options.subscriptions.markNotified(name, reply.id);
    const payload: PushPayload = {
      conversationId: parsed.conversationId,
      agentName: reply.author.name || 'Support',
      preview: reply.kind === 'attachment' && !reply.text ? `📎 ${reply.attachment?.name ?? ''}`.trim() : previewOf(reply.text),
      url: reopenUrl(snapshot, parsed.conversationId),
      tag: `parley:${parsed.conversationId}`,
    };
    const outcomes = await Promise.all(subscriptions.map(async (s) => ({ s, outcome: await options.sender.send(s, payload) })));
    for (const { s, outcome } of outcomes) {
      if (outcome.kind === 'delivered') stats.delivered++;
      else if (outcome.kind === 'gone') {
        stats.removed++;
        options.subscriptions.forget(s.endpoint);
        log('info', 'push subscription expired; removed', { status: outcome.status, customer: parsed.customerId });
      } else {
        stats.failed++;
        log('warn', 'push service refused or unreachable', { status: outcome.status, reason: outcome.reason, host: hostOf(s.endpoint) });
      }
    }
    log('debug', 'pushed a reply', { doc: name, subscriptions: subscriptions.length });
    emit({ kind: 'pushed', doc: name, messageId: reply.id, payload, outcomes: outcomes.length });
  }

  function reopenUrl(snapshot: ConversationSnapshot, conversationId: string): string {
    if (options.reopenUrl) return options.reopenUrl(snapshot, conversationId);
    const base = /^https?:\/\//.test(snapshot.meta.referralPage) ? snapshot.meta.referralPage : (options.fallbackUrl ?? '/');
    return withConversationHash(base, conversationId);
  }

  /**
   * About the newest agent/bot reply not decided on yet (and recent): push it if the customer has
   * not read it, or note that they read it in time. null: nothing new to decide.
   */
  function decide(name: string, snapshot: ConversationSnapshot): { kind: 'push' | 'read'; reply: Message } | null {
    const latest = latestReply(snapshot);
    if (!latest || latest.clientTime < now() - maxAgeMs) return null;
    const handled = options.subscriptions.lastNotified(name);
    if (handled !== null && snapshot.messages.findIndex((m) => m.id === handled) >= latest.index) return null;
    return { kind: latest.delivery === 'read' ? 'read' : 'push', reply: latest };
  }

  function readInTime(name: string, reply: Message): void {
    // Remembered like a push, so the next change in this conversation does not count it again.
    options.subscriptions.markNotified(name, reply.id);
    stats.readInTime++;
    emit({ kind: 'read-in-time', doc: name, messageId: reply.id });
  }

  const onDirectory = (event: Y.YMapEvent<DirectoryEntry>): void => {
    for (const key of event.keysChanged) consider(key);
  };

  const ready = (async () => {
    await withTimeout(directory.whenSynced, 60_000, 'directory sync');
    if (stopped) return;
    entries.observe(onDirectory);
    for (const name of entries.keys()) consider(name);
    log('info', 'push notifier started', { ws: options.ws, graceMs });
  })();
  ready.catch((err: unknown) => log('error', 'push notifier could not start', { ws: options.ws, err: String(err) }));

  return {
    ready,
    stats: () => ({ ...stats }),
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((done) => idleWaiters.add(done))),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      entries.unobserve(onDirectory);
      for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled([...pending.values()].map((e) => e.handle.release()));
      pending.clear();
      await client.close();
    },
  };
}

/** The newest message an agent or bot wrote for the customer to read (events and deleted ones do not count). */
export function latestReply(snapshot: ConversationSnapshot): Message | null {
  for (let i = snapshot.messages.length - 1; i >= 0; i--) {
    const m = snapshot.messages[i]!;
    if ((m.author.role === 'agent' || m.author.role === 'bot') && m.kind !== 'event' && !m.deleted) return m;
  }
  return null;
}

/** `#parley-conversation=<id>`: the widget opens that conversation when the page loads with it. */
export function withConversationHash(base: string, conversationId: string): string {
  const url = new URL(base, 'http://placeholder.invalid');
  url.hash = `parley-conversation=${encodeURIComponent(conversationId)}`;
  return base.startsWith('/') ? `${url.pathname}${url.search}${url.hash}` : url.toString();
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return '?';
  }
}
