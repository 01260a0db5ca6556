/**
 * `Conversation`: the typed API over one conversation Y.Doc. Pure Yjs, no networking; the sync
 * client hands it a doc, an optional Awareness and an optional AckSource.
 *
 * Every write is shaped so that an honest client never trips the relay's rule [P6]: a principal
 * only creates items (messages, receipt keys, its own message fields), customers never write the
 * `state` root, and nothing a customer writes replaces another principal's value.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { AckSource } from '../client/ack-source.js';
import { ParleyError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { checkAvatar, isAvatarUrl } from './avatar.js';
import { createReadCache, LABEL_PREFIX, messagesOf, metaOf, readConversation, receiptsOf, stateOf } from './read.js';
import { receiptKey, type ReceiptKind } from './receipts.js';
import { canTransition, effectiveStatus, STATUS_TRANSITIONS } from './status.js';
import type {
  AgentRef,
  Attachment,
  Author,
  AuthorRole,
  ConversationEvent,
  ConversationSnapshot,
  CustomerRef,
  Me,
  Message,
  MessageKind,
  Priority,
  Status,
} from './types.js';

/** Longest message text, in UTF-16 code units (what `String.length` counts). */
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_COMMENT_LENGTH = 2_000;
export const MAX_LABEL_LENGTH = 64;
/** Attachment size the model accepts; the relay's blob store may enforce less. */
export const MAX_ATTACHMENT_SIZE = 25 * 1024 * 1024;
/** A typing flag nobody renews clears itself after this long, so a closed composer never sticks. */
export const TYPING_TIMEOUT_MS = 5_000;

/** Origin tag for this model's transactions, so observers can tell local model writes apart. */
export const conversationOrigin = Symbol('parley.conversation');

export interface ConversationOptions {
  doc: Y.Doc;
  awareness?: Awareness;
  acks?: AckSource;
  me: Me;
  deviceId: string;
}

export interface ConversationInit {
  /** Defaults to a fresh UUIDv7; use the id from the document name when there is one. */
  id?: string;
  customer: CustomerRef;
  language?: string;
  channel?: string;
  referralPage?: string;
  fields?: Record<string, string>;
}

export type SendInput = { text: string } | { attachment: Attachment; text?: string };

export interface AssignInput {
  /** null unassigns; undefined leaves the agent as is. */
  agent?: AgentRef | null;
  team?: string | null;
}

/** Someone else typing in this conversation, from awareness. */
export type Typist = Author;

type EventName = 'change' | 'typing';

export class Conversation {
  readonly doc: Y.Doc;
  readonly awareness: Awareness | undefined;
  readonly acks: AckSource | undefined;
  readonly me: Me;
  readonly deviceId: string;

  private cached: ConversationSnapshot | null = null;
  /** Set when the doc or acks changed since `cached` was built; rebuilt on the next read. */
  private stale = true;
  private readonly listeners: Record<EventName, Set<() => void>> = { change: new Set(), typing: new Set() };
  private readonly cleanups: (() => void)[] = [];
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly readCache = createReadCache();

  constructor(options: ConversationOptions) {
    this.doc = options.doc;
    this.awareness = options.awareness;
    this.acks = options.acks;
    // Refused here, once, rather than on every send: a bad avatar is a configuration mistake.
    if (options.me.avatar !== undefined) checkAvatar(options.me.avatar);
    this.me = options.me;
    this.deviceId = options.deviceId;

    // Yjs types are invariant in their event type; compare them as plain objects.
    const roots = new Set<object>([messagesOf(this.doc), metaOf(this.doc), stateOf(this.doc), receiptsOf(this.doc)]);
    const messages = messagesOf(this.doc);
    const onTransaction = (tr: Y.Transaction): void => {
      // A message's fields changed: parse that message again on the next read, and only that one.
      for (const type of tr.changed.keys()) {
        if (type instanceof Y.Map && type.parent === messages) this.readCache.parsed.delete(type);
      }
      // One notification per transaction, however many roots and messages it touched.
      for (const type of tr.changedParentTypes.keys()) {
        if (roots.has(type)) return this.invalidate();
      }
      for (const type of tr.changed.keys()) {
        if (roots.has(type)) return this.invalidate();
      }
    };
    this.doc.on('afterTransaction', onTransaction);
    this.cleanups.push(() => this.doc.off('afterTransaction', onTransaction));
    if (this.acks) this.cleanups.push(this.acks.onAck(() => this.invalidate()));
    if (this.awareness) {
      const awareness = this.awareness;
      const onAwareness = (): void => this.emit('typing');
      awareness.on('change', onAwareness);
      this.cleanups.push(() => awareness.off('change', onAwareness));
    }
  }

  /** Writes the conversation's meta into an empty doc and returns the model over it. */
  static create(options: ConversationOptions, init: ConversationInit): Conversation {
    const conv = new Conversation(options);
    conv.init(init);
    return conv;
  }

  /** The model over a doc that holds (or will hold, once synced) an existing conversation. */
  static open(options: ConversationOptions): Conversation {
    return new Conversation(options);
  }

  /** Stops listening to the doc, acks and awareness, and clears this device's typing flag. */
  destroy(): void {
    if (this.typingTimer !== undefined) clearTimeout(this.typingTimer);
    if (this.awareness?.getLocalState()?.typing) this.awareness.setLocalStateField('typing', false);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.listeners.change.clear();
    this.listeners.typing.clear();
  }

  get id(): string {
    return this.snapshot().meta.id;
  }

  get exists(): boolean {
    return this.snapshot().exists;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The whole conversation as frozen plain data; the same object until the doc or acks change. */
  snapshot(): ConversationSnapshot {
    if (this.stale || !this.cached) {
      // Unchanged message objects are carried over so UIs keyed by identity skip them.
      this.cached = readConversation(this.doc, {
        me: this.me,
        deviceId: this.deviceId,
        ...(this.acks ? { acks: this.acks } : {}),
        previous: this.cached?.messages ?? [],
        cache: this.readCache,
      });
      this.stale = false;
    }
    return this.cached;
  }

  /** Messages in screen order (the array's causal order); cheap to call on every render. */
  messages(): readonly Message[] {
    return this.snapshot().messages;
  }

  message(id: string): Message {
    const m = this.messages().find((x) => x.id === id);
    if (!m) throw new ParleyError('not_found', `no message ${id}`);
    return m;
  }

  /** Effective status now (snooze expiry depends on the clock, so this is not cached). */
  status(now: number = Date.now()): Status {
    return effectiveStatus(this.snapshot(), now);
  }

  /** Subscribe to `change` (document or delivery state) or `typing` (awareness). Returns unsubscribe. */
  on(event: EventName, listener: () => void): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  // ---- messages ------------------------------------------------------------------------------

  send(input: SendInput): Message {
    const id = uuidv7();
    if ('attachment' in input) {
      const a = checkAttachment(input.attachment);
      const text = input.text === undefined ? '' : checkText(input.text, true);
      this.appendMessage(id, 'attachment', { text, attachment: a });
    } else {
      this.appendMessage(id, 'text', { text: checkText(input.text, false) });
    }
    return this.message(id);
  }

  edit(id: string, text: string): Message {
    const map = this.ownMessageMap(id, 'edit');
    const checked = checkText(text, map.get('kind') === 'attachment');
    this.transact(() => {
      map.set('text', checked);
      map.set('editedAt', Date.now());
    });
    return this.message(id);
  }

  /** Tombstones the message: it keeps its place in the transcript, its content is gone. */
  delete(id: string): void {
    const map = this.ownMessageMap(id, 'delete');
    this.transact(() => {
      map.set('deleted', true);
      map.set('text', '');
      // Removing the reference is deleting our own item, allowed by [P6].
      if (map.has('attachment')) map.delete('attachment');
    });
  }

  // ---- receipts ------------------------------------------------------------------------------

  /** Moves this principal's read marker forward to `upToId` (default: the last message). */
  markRead(upToId?: string): void {
    this.moveMarker('read', upToId);
  }

  /** Moves this principal's delivered marker forward: call when this device has synced. */
  markDelivered(upToId?: string): void {
    this.moveMarker('delivered', upToId);
  }

  // ---- typing --------------------------------------------------------------------------------

  /** Announces (or clears) that this principal is typing; clears itself after TYPING_TIMEOUT_MS. */
  setTyping(typing: boolean): void {
    const awareness = this.awareness;
    if (!awareness) return;
    if (this.typingTimer !== undefined) clearTimeout(this.typingTimer);
    this.typingTimer = undefined;
    const local = awareness.getLocalState() ?? {};
    awareness.setLocalState({ ...local, user: this.author(), typing });
    if (typing) this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_TIMEOUT_MS);
  }

  /** Other principals typing now (this principal's other devices are not "others"). */
  typing(): readonly Typist[] {
    if (!this.awareness) return [];
    const out = new Map<string, Typist>();
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID || state.typing !== true) continue;
      const user = state.user as Partial<Author> | undefined;
      if (!user || typeof user.id !== 'string' || user.id === this.me.id) continue;
      out.set(user.id, {
        role: (user.role ?? 'customer') as AuthorRole,
        id: user.id,
        name: typeof user.name === 'string' ? user.name : '',
        ...(isAvatarUrl(user.avatar) ? { avatar: user.avatar } : {}),
      });
    }
    return [...out.values()];
  }

  // ---- agent-only state ----------------------------------------------------------------------

  /** Moves to `to` along the transition table (see status.ts) and writes a status event. */
  setStatus(to: Status, options: { until?: number } = {}): void {
    this.requireAgent('change status');
    const from = this.status();
    if (!canTransition(from, to)) {
      throw new ParleyError('invalid_transition', `cannot go from ${from} to ${to}; allowed: ${STATUS_TRANSITIONS[from].join(', ') || 'none'}`);
    }
    if (to === 'snoozed' && (options.until === undefined || !Number.isFinite(options.until) || options.until <= Date.now())) {
      throw new ParleyError('invalid_argument', 'snoozing needs a future `until` time');
    }
    const state = stateOf(this.doc);
    this.transact(() => {
      state.set('status', to);
      state.set('snoozedUntil', to === 'snoozed' ? options.until! : null);
      const event: ConversationEvent = to === 'snoozed' ? { type: 'status', from, to, until: options.until! } : { type: 'status', from, to };
      this.appendMessage(uuidv7(), 'event', { text: '', event });
    });
  }

  resolve(): void {
    this.setStatus('resolved');
  }
  reopen(): void {
    this.setStatus('reopened');
  }
  snooze(until: number): void {
    this.setStatus('snoozed', { until });
  }
  markPending(): void {
    this.setStatus('pending');
  }

  /** Assigns or transfers to an agent and/or team; writes an assignment event when anything changed. */
  assign(input: AssignInput): void {
    this.requireAgent('assign');
    if (input.agent === undefined && input.team === undefined) throw new ParleyError('invalid_argument', 'assign needs an agent or a team');
    if (input.agent && (!input.agent.id || typeof input.agent.id !== 'string')) throw new ParleyError('invalid_argument', 'agent needs an id');
    if (input.team !== undefined && input.team !== null && (typeof input.team !== 'string' || input.team.trim() === '')) {
      throw new ParleyError('invalid_argument', 'team must be a non-empty string or null');
    }
    const before = this.snapshot().state;
    const agent = input.agent === undefined ? before.assignee : input.agent === null ? null : { id: input.agent.id, name: input.agent.name };
    const team = input.team === undefined ? before.team : input.team;
    if (agent?.id === before.assignee?.id && team === before.team) return;
    const state = stateOf(this.doc);
    this.transact(() => {
      state.set('assignee', agent);
      state.set('team', team);
      this.appendMessage(uuidv7(), 'event', {
        text: '',
        event: { type: 'assignment', agent, team, previousAgent: before.assignee, previousTeam: before.team },
      });
    });
  }

  /** A transfer is an assignment; the name reads better at call sites that hand work over. */
  transfer(input: AssignInput): void {
    this.assign(input);
  }

  /** Adds one label and writes a labels event; no-op (and no event) when it is already there. */
  addLabel(label: string): void {
    this.setLabels({ add: [label] });
  }
  removeLabel(label: string): void {
    this.setLabels({ remove: [label] });
  }

  /**
   * Adds and removes labels in one transaction with one `labels` event listing what actually
   * changed, so an editor that applies a whole new set leaves one transcript line, not one per label.
   */
  setLabels(change: { add?: readonly string[]; remove?: readonly string[] }): void {
    this.requireAgent('label');
    const add = (change.add ?? []).map(checkLabel);
    const remove = (change.remove ?? []).map(checkLabel);
    const state = stateOf(this.doc);
    const added = [...new Set(add)].filter((l) => state.get(LABEL_PREFIX + l) !== true);
    const removed = [...new Set(remove)].filter((l) => !add.includes(l) && state.get(LABEL_PREFIX + l) === true);
    if (added.length === 0 && removed.length === 0) return;
    this.transact(() => {
      // One key per label, so two agents labelling at once both keep their label.
      for (const l of added) state.set(LABEL_PREFIX + l, true);
      for (const l of removed) state.set(LABEL_PREFIX + l, false);
      this.appendMessage(uuidv7(), 'event', { text: '', event: { type: 'labels', added, removed } });
    });
  }

  /** Sets the priority and writes a priority event; no-op (and no event) when unchanged. */
  setPriority(priority: Priority): void {
    this.requireAgent('set priority');
    if (!['low', 'normal', 'high', 'urgent'].includes(priority)) throw new ParleyError('invalid_argument', `unknown priority ${String(priority)}`);
    const from = this.snapshot().state.priority;
    if (from === priority) return;
    this.transact(() => {
      stateOf(this.doc).set('priority', priority);
      this.appendMessage(uuidv7(), 'event', { text: '', event: { type: 'priority', from, to: priority } });
    });
  }

  // ---- customer ------------------------------------------------------------------------------

  /** CSAT: the customer rates a resolved conversation 1-5; rating again replaces their own score. */
  rate(score: number, comment = ''): void {
    if (this.me.role !== 'customer') throw new ParleyError('forbidden', 'only the customer rates a conversation');
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new ParleyError('invalid_argument', 'score must be an integer from 1 to 5');
    if (comment.length > MAX_COMMENT_LENGTH) throw new ParleyError('too_large', `comment over ${MAX_COMMENT_LENGTH} characters`);
    if (this.status() !== 'resolved') throw new ParleyError('invalid_transition', 'a conversation can be rated once it is resolved');
    this.transact(() => metaOf(this.doc).set('csat', { score, comment, at: Date.now() }));
  }

  // ---- internals -----------------------------------------------------------------------------

  private init(init: ConversationInit): void {
    const meta = metaOf(this.doc);
    if (meta.has('createdAt')) throw new ParleyError('already_exists', 'this document already holds a conversation');
    if (!init.customer?.id) throw new ParleyError('invalid_argument', 'a conversation needs a customer id');
    this.transact(() => {
      meta.set('id', init.id ?? uuidv7());
      meta.set('customer', { ...init.customer });
      meta.set('language', init.language ?? '');
      meta.set('channel', init.channel ?? 'web');
      meta.set('referralPage', init.referralPage ?? '');
      meta.set('fields', { ...(init.fields ?? {}) });
      meta.set('createdBy', this.author());
      meta.set('createdAt', Date.now());
    });
  }

  private author(): Author {
    const role: AuthorRole = this.me.role === 'admin' ? 'agent' : this.me.role;
    return { role, id: this.me.id, name: this.me.name, ...(this.me.avatar !== undefined ? { avatar: this.me.avatar } : {}) };
  }

  private appendMessage(id: string, kind: MessageKind, fields: { text: string; attachment?: Attachment; event?: ConversationEvent }): void {
    const map = new Y.Map<unknown>();
    map.set('id', id);
    map.set('author', this.author());
    map.set('kind', kind);
    map.set('text', fields.text);
    map.set('clientTime', Date.now());
    map.set('deviceId', this.deviceId);
    if (fields.attachment) map.set('attachment', { ...fields.attachment });
    if (fields.event) map.set('event', fields.event);
    this.transact(() => messagesOf(this.doc).push([map]));
  }

  private ownMessageMap(id: string, verb: string): Y.Map<unknown> {
    for (const map of messagesOf(this.doc)) {
      if (!(map instanceof Y.Map) || map.get('id') !== id) continue;
      const author = map.get('author') as Partial<Author> | undefined;
      if (map.get('kind') === 'event') throw new ParleyError('forbidden', `cannot ${verb} an event`);
      if (author?.id !== this.me.id) throw new ParleyError('forbidden', `cannot ${verb} another author's message`);
      if (map.get('deleted') === true) throw new ParleyError('deleted', `message ${id} was deleted`);
      return map;
    }
    throw new ParleyError('not_found', `no message ${id}`);
  }

  private moveMarker(kind: ReceiptKind, upToId?: string): void {
    const messages = this.messages();
    if (messages.length === 0 && upToId === undefined) return;
    const target = upToId === undefined ? messages[messages.length - 1]! : this.message(upToId);
    const key = receiptKey(this.author().role, this.me.id, kind);
    const receipts = receiptsOf(this.doc);
    const current = receipts.get(key);
    const currentIndex = typeof current === 'string' ? (messages.find((m) => m.id === current)?.index ?? -1) : -1;
    if (currentIndex >= target.index) return; // markers only move forward
    this.transact(() => receipts.set(key, target.id));
  }

  private requireAgent(action: string): void {
    if (this.me.role === 'customer') throw new ParleyError('forbidden', `customers cannot ${action}`);
  }

  private transact(fn: () => void): void {
    this.doc.transact(fn, conversationOrigin);
  }

  private invalidate(): void {
    this.stale = true;
    this.emit('change');
  }

  private emit(event: EventName): void {
    for (const listener of [...this.listeners[event]]) listener();
  }
}

function checkLabel(label: unknown): string {
  const name = typeof label === 'string' ? label.trim() : '';
  if (!name || name.length > MAX_LABEL_LENGTH) throw new ParleyError('invalid_argument', `a label is 1-${MAX_LABEL_LENGTH} characters`);
  return name;
}

function checkText(text: unknown, allowEmpty: boolean): string {
  if (typeof text !== 'string') throw new ParleyError('invalid_argument', 'text must be a string');
  if (text.length > MAX_TEXT_LENGTH) throw new ParleyError('too_large', `text over ${MAX_TEXT_LENGTH} characters`);
  if (!allowEmpty && text.trim() === '') throw new ParleyError('invalid_argument', 'text is empty');
  return text;
}

function checkAttachment(a: Attachment): Attachment {
  if (!a || typeof a.hash !== 'string' || a.hash === '' || typeof a.name !== 'string' || typeof a.type !== 'string') {
    throw new ParleyError('invalid_argument', 'attachment needs hash, name and type');
  }
  if (!Number.isInteger(a.size) || a.size < 0) throw new ParleyError('invalid_argument', 'attachment size must be a non-negative integer');
  if (a.size > MAX_ATTACHMENT_SIZE) throw new ParleyError('too_large', `attachment over ${MAX_ATTACHMENT_SIZE} bytes`);
  return { hash: a.hash, name: a.name, type: a.type, size: a.size };
}
