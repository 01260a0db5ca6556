/**
 * Reads a conversation Y.Doc into a frozen plain snapshot. Data comes from other peers, so every
 * field is checked: malformed messages are left out rather than crash a UI, and missing fields
 * take documented defaults.
 */
import * as Y from 'yjs';
import { ConversationRoot } from '../docs.js';
import type { AckSource } from '../client/ack-source.js';
import { isAvatarUrl } from './avatar.js';
import { deliveryState, markerReach } from './receipts.js';
import { effectiveStatus, STATUSES } from './status.js';
import type {
  AgentRef,
  Attachment,
  Author,
  AuthorRole,
  ConversationEvent,
  ConversationMeta,
  ConversationSnapshot,
  ConversationState,
  Csat,
  Message,
  MessageKind,
  Priority,
  Status,
} from './types.js';

export const LABEL_PREFIX = 'label:';

export interface ReadContext {
  /** The principal reading, to mark `mine` and tell own outbox from others' messages. */
  me?: { id: string };
  deviceId?: string;
  acks?: AckSource;
  now?: number;
  /** Views from the previous snapshot: unchanged messages keep their object identity. */
  previous?: readonly Message[];
  /** Reuses parsed messages whose Y.Map did not change; the owner drops entries as maps change. */
  cache?: ReadCache;
}

type ParsedMessage = Omit<Message, 'index' | 'delivery'>;

export interface ReadCache {
  parsed: WeakMap<Y.Map<unknown>, ParsedMessage>;
  /** Which parsed message each view was built from, to reuse views without comparing fields. */
  source: WeakMap<Message, ParsedMessage>;
}

export function createReadCache(): ReadCache {
  return { parsed: new WeakMap(), source: new WeakMap() };
}

export function messagesOf(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>(ConversationRoot.messages);
}
export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ConversationRoot.meta);
}
export function stateOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ConversationRoot.state);
}
export function receiptsOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ConversationRoot.receipts);
}

export function readConversation(doc: Y.Doc, ctx: ReadContext = {}): ConversationSnapshot {
  const now = ctx.now ?? Date.now();
  const cache = ctx.cache ?? createReadCache();
  const raw: ParsedMessage[] = [];
  for (const map of messagesOf(doc)) {
    if (!(map instanceof Y.Map)) continue;
    let m = cache.parsed.get(map);
    if (!m) {
      const parsed = readMessage(map, ctx);
      if (!parsed) continue;
      m = parsed;
      cache.parsed.set(map, m);
    }
    raw.push(m);
  }
  const indexById = new Map<string, number>();
  raw.forEach((m, i) => indexById.set(m.id, i));
  const receipts = readReceipts(receiptsOf(doc));
  const reach = markerReach(receipts, (id) => indexById.get(id) ?? -1);
  const previousById = new Map((ctx.previous ?? []).map((m) => [m.id, m]));
  const messages = raw.map((m, index) => {
    const delivery = deliveryState({ index, author: m.author }, reach, isSent(m, doc, ctx));
    const before = previousById.get(m.id);
    if (before && before.index === index && before.delivery === delivery && cache.source.get(before) === m) return before;
    const view: Message = Object.freeze({ ...m, index, delivery });
    cache.source.set(view, m);
    return view;
  });
  const state = readState(stateOf(doc));
  const metaMap = metaOf(doc);
  const snapshot: ConversationSnapshot = {
    exists: typeof metaMap.get('createdAt') === 'number',
    meta: readMeta(metaMap),
    state,
    status: 'open',
    messages: Object.freeze(messages),
    receipts: Object.freeze(receipts),
  };
  snapshot.status = effectiveStatus(snapshot, now);
  return Object.freeze(snapshot);
}

/**
 * Sent means the relay has it. Messages from another device reached us through the relay, so they
 * are sent; this device's own (this session or an earlier one restored from IndexedDB) are sent
 * only once the AckSource says the relay committed them.
 */
function isSent(m: ParsedMessage, doc: Y.Doc, ctx: ReadContext): boolean {
  if (!m.item) return false;
  if (ctx.acks?.isAcked(m.item.client, m.item.clock)) return true;
  const fromThisDevice = ctx.deviceId !== undefined ? m.deviceId === ctx.deviceId : m.item.client === doc.clientID;
  return !fromThisDevice && m.item.client !== doc.clientID;
}

function readMessage(map: Y.Map<unknown>, ctx: ReadContext): ParsedMessage | null {
  const id = map.get('id');
  const author = readAuthor(map.get('author'));
  const kind = map.get('kind');
  if (typeof id !== 'string' || !author || (kind !== 'text' && kind !== 'attachment' && kind !== 'event')) return null;
  // Transcript events (status changes, assignments, labels) are written by support only. The relay
  // makes a customer's author name that customer, so a customer-authored event can only be one
  // written around this API to put "resolved" or "assigned to" lines in the transcript: not shown.
  if (kind === 'event' && author.role === 'customer') return null;
  const deleted = map.get('deleted') === true;
  const item = map._item ? { client: map._item.id.client, clock: map._item.id.clock } : null;
  return {
    id,
    author,
    kind: kind as MessageKind,
    text: deleted ? '' : str(map.get('text')),
    clientTime: num(map.get('clientTime')) ?? 0,
    deviceId: str(map.get('deviceId')),
    editedAt: num(map.get('editedAt')),
    deleted,
    attachment: deleted ? null : readAttachment(map.get('attachment')),
    event: kind === 'event' ? readEvent(map.get('event')) : null,
    mine: ctx.me !== undefined && author.id === ctx.me.id && author.role !== 'system',
    item,
  };
}

const AUTHOR_ROLES: readonly AuthorRole[] = ['customer', 'agent', 'bot', 'system'];

function readAuthor(v: unknown): Author | null {
  if (!isRecord(v)) return null;
  const { role, id, name, avatar } = v;
  if (typeof role !== 'string' || !AUTHOR_ROLES.includes(role as AuthorRole) || typeof id !== 'string') return null;
  // Anyone can write any shape into their own message: an avatar that is not a safe URL is dropped.
  return Object.freeze({ role: role as AuthorRole, id, name: typeof name === 'string' ? name : '', ...(isAvatarUrl(avatar) ? { avatar } : {}) });
}

function readAttachment(v: unknown): Attachment | null {
  if (!isRecord(v) || typeof v.hash !== 'string') return null;
  return Object.freeze({ hash: v.hash, name: str(v.name), type: str(v.type), size: num(v.size) ?? 0 });
}

function readAgentRef(v: unknown): AgentRef | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return Object.freeze({ id: v.id, name: str(v.name) });
}

function readStatus(v: unknown): Status | null {
  return typeof v === 'string' && STATUSES.includes(v as Status) ? (v as Status) : null;
}

function readEvent(v: unknown): ConversationEvent | null {
  if (!isRecord(v)) return null;
  if (v.type === 'status') {
    const from = readStatus(v.from);
    const to = readStatus(v.to);
    if (!from || !to) return null;
    const until = num(v.until);
    return Object.freeze(until === null ? { type: 'status' as const, from, to } : { type: 'status' as const, from, to, until });
  }
  if (v.type === 'assignment') {
    return Object.freeze({
      type: 'assignment' as const,
      agent: readAgentRef(v.agent),
      team: typeof v.team === 'string' ? v.team : null,
      previousAgent: readAgentRef(v.previousAgent),
      previousTeam: typeof v.previousTeam === 'string' ? v.previousTeam : null,
    });
  }
  if (v.type === 'labels') {
    return Object.freeze({ type: 'labels' as const, added: Object.freeze(strings(v.added)), removed: Object.freeze(strings(v.removed)) });
  }
  if (v.type === 'priority') {
    const from = readPriority(v.from);
    const to = readPriority(v.to);
    return from && to ? Object.freeze({ type: 'priority' as const, from, to }) : null;
  }
  return null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function readPriority(v: unknown): Priority | null {
  return PRIORITIES.includes(v as Priority) ? (v as Priority) : null;
}

const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

function readState(map: Y.Map<unknown>): ConversationState {
  const labels: string[] = [];
  for (const [key, value] of map.entries()) {
    if (key.startsWith(LABEL_PREFIX) && value === true) labels.push(key.slice(LABEL_PREFIX.length));
  }
  labels.sort();
  const priority = map.get('priority');
  return Object.freeze({
    status: readStatus(map.get('status')) ?? 'open',
    snoozedUntil: num(map.get('snoozedUntil')),
    assignee: readAgentRef(map.get('assignee')),
    team: typeof map.get('team') === 'string' ? (map.get('team') as string) : null,
    labels: Object.freeze(labels),
    priority: PRIORITIES.includes(priority as Priority) ? (priority as Priority) : 'normal',
  });
}

function readCsat(v: unknown): Csat | null {
  if (!isRecord(v)) return null;
  const score = v.score;
  if (score !== 1 && score !== 2 && score !== 3 && score !== 4 && score !== 5) return null;
  return Object.freeze({ score, comment: str(v.comment), at: num(v.at) ?? 0 });
}

function readMeta(map: Y.Map<unknown>): ConversationMeta {
  const customer = map.get('customer');
  const fields = map.get('fields');
  const createdBy = readAuthor(map.get('createdBy'));
  return Object.freeze({
    id: str(map.get('id')),
    customer: Object.freeze(
      isRecord(customer) && typeof customer.id === 'string'
        ? { id: customer.id, name: str(customer.name), ...(typeof customer.email === 'string' ? { email: customer.email } : {}) }
        : { id: '', name: '' },
    ),
    language: str(map.get('language')),
    channel: str(map.get('channel')) || 'web',
    referralPage: str(map.get('referralPage')),
    fields: Object.freeze(isRecord(fields) ? Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string')) : {}),
    createdAt: num(map.get('createdAt')) ?? 0,
    createdBy: createdBy ?? Object.freeze({ role: 'system' as const, id: '', name: '' }),
    csat: readCsat(map.get('csat')),
  });
}

function readReceipts(map: Y.Map<unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of map.entries()) if (typeof value === 'string') out[key] = value;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Y.AbstractType);
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
