/**
 * The routing worker: a peer like any agent device (DESIGN.md "bots and workers are peers"), a
 * core client in Node with a bot token. It follows the workspace's directory and settings, reads
 * each new or changed conversation (a few at a time, released after), and
 *  - routes a conversation nobody has routed: team by the first matching rule, agent round-robin
 *    among that team's online members under capacity (routing.ts);
 *  - answers a customer who writes outside business hours, once per closed period (off-hours.ts).
 * It writes through core's Conversation API as a bot, so the transcript shows what it did.
 * See README.md beside this file for the rules that make it idempotent and the race that remains.
 */
import WebSocket from 'ws';
import {
  Conversation,
  DirectoryRoot,
  InternalNotes,
  createClient,
  directoryDoc,
  internalDoc,
  parseDocName,
  readRoutingSettings,
  readSettings,
  renderTemplate,
  settingsDoc,
  type ConversationSnapshot,
  type DirectoryEntry,
  type DocHandle,
  type Me,
  type TokenProvider,
  type WebSocketConstructor,
} from '@parley/core';
import { createFileStore } from '@parley/core/node';
import * as Y from 'yjs';
import { offHoursReplyDue } from './off-hours.js';
import { WORKER_FIELD, isLeader, onlineAgents } from './presence.js';
import { planRouting, planWaiting, type RoutingPlan } from './routing.js';
import { createWorkQueue } from './work-queue.js';
import { createLedger } from './workload.js';
import { withTimeout } from '../with-timeout.js';

export type WorkerLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface WorkerOptions {
  /** The relay's origin: ws(s):// or http(s):// (turned into ws). */
  relayUrl: string;
  /** A bot token, or a provider asked before every connection (so an expired token is replaced). */
  token?: string;
  tokenProvider?: TokenProvider;
  ws: string;
  /** Keep replicas in this folder (a restart then syncs only what changed); memory otherwise. */
  replicaDir?: string;
  /**
   * The clock for business hours. Message times are stamped by core with Date.now(), so a clock
   * far from it makes the once-per-period rule compare unlike times; tests of the rule itself
   * use off-hours.ts with explicit times.
   */
  now?: () => number;
  /** The bot's principal id (the token's `sub`) and the name shown in transcripts. */
  bot?: { id: string; name: string };
  /** Conversations read at once (default 4) and started per second (default 40). */
  concurrency?: number;
  perSecond?: number;
  log?: WorkerLog;
  /** Defaults to the `ws` package (Node 20 has no global WebSocket). */
  WebSocket?: WebSocketConstructor;
}

export interface WorkerStats {
  /** conversations read */
  read: number;
  assigned: number;
  routedToTeamOnly: number;
  autoReplies: number;
}

/** After each conversation read: the document name and the conversation as the worker left it. */
export type HandledListener = (doc: string, snapshot: ConversationSnapshot) => void;

export interface Worker {
  /** Resolves once settings and directory are synced and every known conversation was read once. */
  readonly ready: Promise<void>;
  /** Resolves when nothing is queued or being read. */
  idle(): Promise<void>;
  stats(): WorkerStats;
  /** Called after every conversation the worker read (and acted on); returns the unsubscribe. */
  onHandled(listener: HandledListener): () => void;
  /** Whether this worker acts (false: another worker with a lower awareness id is present). */
  readonly leading: boolean;
  /** Finishes the conversations in hand, then closes the client. */
  stop(): Promise<void>;
}

export const DEFAULT_BOT = { id: 'router', name: 'Parley' } as const;
const SYNC_TIMEOUT_MS = 15_000;
const ACK_TIMEOUT_MS = 10_000;
/** The relay sends awareness right after `synced`; give it this long before the first scan. */
const PRESENCE_SETTLE_MS = 500;

export function createWorker(options: WorkerOptions): Worker {
  const token = options.tokenProvider ?? options.token;
  if (token === undefined) throw new Error('createWorker needs a token or a tokenProvider');
  const log: WorkerLog = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const bot = options.bot ?? DEFAULT_BOT;
  const me: Me = { role: 'bot', id: bot.id, name: bot.name };
  const deviceId = `worker-${options.ws}`;
  const client = createClient({
    url: options.relayUrl.replace(/^http/, 'ws'),
    token,
    WebSocket: options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor),
    ...(options.replicaDir ? { store: createFileStore({ dir: options.replicaDir }) } : {}),
  });
  const stats: WorkerStats = { read: 0, assigned: 0, routedToTeamOnly: 0, autoReplies: 0 };
  const ledger = createLedger(bot.id);
  const seen = new Map<string, number>();
  const handledListeners = new Set<HandledListener>();
  let stopped = false;
  let leading = false;
  /** set once the first scan was queued; directory and awareness changes before that are covered by it */
  let started = false;
  let wasConnected = false;

  const directory = client.open(directoryDoc(options.ws));
  const settings = client.open(settingsDoc(options.ws));
  const entries = directory.doc.getMap<DirectoryEntry>(DirectoryRoot);

  const queue = createWorkQueue({
    concurrency: options.concurrency ?? 4,
    perSecond: options.perSecond ?? 40,
    run: (name) => handleConversation(name),
    onError: (name, err) => log('warn', 'worker could not handle a conversation', { doc: name, err: String(err) }),
  });

  const enqueue = (name: string, force = false): void => {
    const entry = entries.get(name);
    if (!entry || parseDocName(name)?.kind !== 'conversation') return;
    if (!force && (seen.get(name) ?? -1) >= entry.updatedAt) return;
    seen.set(name, entry.updatedAt);
    queue.push(name);
  };
  const enqueueAll = (): void => {
    for (const name of entries.keys()) enqueue(name, true);
  };
  /** Conversations routed while nobody could take them: read again when someone may now. */
  const enqueueWaiting = (): void => {
    if (!leading || stopped) return;
    for (const name of ledger.waiting()) queue.push(name);
  };

  async function handleConversation(name: string): Promise<void> {
    const parsed = parseDocName(name);
    if (stopped || parsed?.kind !== 'conversation') return;
    const handle = client.open(name);
    try {
      await withTimeout(handle.whenSynced, SYNC_TIMEOUT_MS, `sync of ${name}`);
      const conv = Conversation.open({ doc: handle.doc, acks: handle.acks, me, deviceId });
      try {
        stats.read++;
        const at = now();
        const freed = ledger.record(name, conv.snapshot(), at);
        if (freed) enqueueWaiting();
        if (leading && !stopped) {
          const wrote = act(conv, at, name);
          if (wrote.plan) {
            ledger.record(name, conv.snapshot(), at);
            await recordAssignment(internalDoc(parsed.ws, parsed.customerId, parsed.conversationId), wrote.plan);
          }
          if (wrote.plan || wrote.replied) await whenAcked(handle, ACK_TIMEOUT_MS);
        }
        const snapshot = conv.snapshot();
        for (const listener of [...handledListeners]) listener(name, snapshot);
      } finally {
        conv.destroy();
      }
    } finally {
      await handle.release();
    }
  }

  /** The two decisions, both on the snapshot just synced; returns what was written. */
  function act(conv: Conversation, at: number, name: string): { plan: RoutingPlan | null; replied: boolean } {
    const workspace = readSettings(settings.doc);
    const routing = readRoutingSettings(settings.doc);
    const input = { rules: workspace.routingRules, routing, online: onlineAgents(directory.awareness), workload: ledger };
    const plan = planRouting(conv.snapshot(), input) ?? planWaiting(conv.snapshot(), input, bot.id, at);
    if (plan) {
      conv.assign({ team: plan.team, agent: plan.agent });
      if (plan.agent) stats.assigned++;
      else stats.routedToTeamOnly++;
      log('info', plan.agent ? 'worker assigned a conversation' : 'worker routed a conversation to a team with nobody available', {
        doc: name,
        team: plan.team,
        agent: plan.agent?.id ?? null,
      });
    }
    const snapshot = conv.snapshot();
    const replied = offHoursReplyDue(snapshot, { hours: workspace.businessHours, reply: routing.offHoursReply, now: at, botId: bot.id });
    if (replied) {
      conv.send({ text: renderTemplate(routing.offHoursReply!, { customer: snapshot.meta.customer }) });
      stats.autoReplies++;
      log('info', 'worker sent the off-hours reply', { doc: name });
    }
    return { plan, replied };
  }

  /** The assignment history in the agents-only twin document (best effort: the transcript already has the event). */
  async function recordAssignment(name: string, plan: RoutingPlan): Promise<void> {
    const handle = client.open(name);
    try {
      await withTimeout(handle.whenSynced, SYNC_TIMEOUT_MS, `sync of ${name}`);
      const notes = new InternalNotes({ doc: handle.doc, me });
      notes.recordAssignment({ agent: plan.agent, team: plan.team });
      notes.destroy();
      await whenAcked(handle, ACK_TIMEOUT_MS);
    } catch (err) {
      log('warn', 'worker could not record the assignment history', { doc: name, err: String(err) });
    } finally {
      await handle.release();
    }
  }

  // Announce ourselves so that a second worker (another relay process) stands by.
  directory.awareness.setLocalStateField(WORKER_FIELD, { bot: bot.id });
  let online = new Set<string>();
  const onAwareness = (): void => {
    // Someone came online (or back from away): conversations routed while nobody could take them are theirs to get.
    const present = new Set(onlineAgents(directory.awareness).keys());
    const arrived = [...present].some((id) => !online.has(id));
    online = present;
    if (arrived && started) enqueueWaiting();
    const lead = isLeader(directory.awareness);
    if (lead === leading) return;
    leading = lead;
    log('info', lead ? 'routing worker is leading' : 'routing worker stands by: another worker leads', { ws: options.ws });
    // Whatever changed while standing by is picked up by reading everything once more.
    if (lead && started) enqueueAll();
  };
  const onDirectory = (event: Y.YMapEvent<DirectoryEntry>): void => {
    if (started) for (const key of event.keysChanged) enqueue(key);
  };
  const offStatus = client.on('status', (status) => {
    // Decisions made while offline could not see other workers or fresh state: read all again.
    if (status === 'connected' && wasConnected && started) enqueueAll();
    if (status === 'connected') wasConnected = true;
  });

  const ready = (async () => {
    await Promise.all([withTimeout(settings.whenSynced, 60_000, 'settings sync'), withTimeout(directory.whenSynced, 60_000, 'directory sync')]);
    await presenceSettled(directory, PRESENCE_SETTLE_MS);
    if (stopped) return;
    directory.awareness.on('change', onAwareness);
    leading = isLeader(directory.awareness);
    online = new Set(onlineAgents(directory.awareness).keys());
    entries.observe(onDirectory);
    started = true;
    enqueueAll();
    log('info', 'routing worker started', { ws: options.ws, conversations: entries.size, leading });
    await queue.idle();
  })();
  ready.catch((err: unknown) => {
    // Stopped while starting (a server that closes at once): the closed client's sync rejections are expected.
    if (!stopped) log('error', 'routing worker could not start', { ws: options.ws, err: String(err) });
  });

  return {
    ready,
    idle: () => queue.idle(),
    stats: () => ({ ...stats }),
    onHandled(listener) {
      handledListeners.add(listener);
      return () => handledListeners.delete(listener);
    },
    get leading() {
      return leading;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      offStatus();
      entries.unobserve(onDirectory);
      directory.awareness.off('change', onAwareness);
      await queue.stop();
      await client.close();
    },
  };
}

/** Resolves when the relay's awareness snapshot arrived, or after `ms` (it sends none when empty). */
function presenceSettled(handle: DocHandle, ms: number): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      handle.awareness.off('update', onUpdate);
      done();
    };
    const onUpdate = (_changes: unknown, origin: unknown): void => {
      if (origin !== 'local') finish();
    };
    const timer = setTimeout(finish, ms);
    handle.awareness.on('update', onUpdate);
  });
}

/** Resolves when the relay acknowledged everything this client wrote into the document ([P7]). */
function whenAcked(handle: DocHandle, ms: number): Promise<void> {
  const clientId = handle.doc.clientID;
  const acked = (): boolean => {
    const clock = Y.getState(handle.doc.store, clientId);
    return clock === 0 || handle.acks.isAcked(clientId, clock - 1);
  };
  if (acked()) return Promise.resolve();
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      off();
      done();
    };
    // Not an error: the replica keeps the edit and the next handshake delivers it.
    const timer = setTimeout(finish, ms);
    const off = handle.acks.onAck(() => {
      if (acked()) finish();
    });
  });
}
