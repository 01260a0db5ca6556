/**
 * ConversationController: one open conversation. Follows the customer's document, its agents-only
 * twin (private notes) and the customer's profile over the shared socket, and turns core's models
 * into the plain `ConversationModel` the screen renders. All writes go through core's
 * `Conversation` and `InternalNotes`, so the relay's rules ([P6]) are respected by construction.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Y from 'yjs';
import { Conversation, InternalNotes, conversationDoc, internalDoc, parseDocName, profileDoc, readProfile, type ConversationEvent, type Message, type Note } from '@parley/core';
import type { AgentSync, DocHandle } from '../sync/sync-port.js';
import type { ConversationAction } from '../conversation/actions.js';
import { emptyCustomer, type ConversationModel, type CustomerInfo, type TranscriptEntry } from '../conversation/view-model.js';
import { inboxStatus } from '../inbox/inbox-item.js';

export interface ConversationControllerOptions {
  /** `avatar`: the agent's https picture URL, copied into the author of each message they write */
  me: { id: string; name: string; role: 'agent' | 'admin'; avatar?: string };
  deviceId: string;
  /** relay origin, for attachment links */
  relayUrl: string;
  token: string;
  /** other conversations of the same customer, from the inbox */
  previous: (customerId: string, except: string) => CustomerInfo['previous'];
}

export class ConversationController implements ReactiveController {
  private handles: DocHandle[] = [];
  private conversation: Conversation | undefined;
  private notes: InternalNotes | undefined;
  private profile: Y.Doc | undefined;
  private cleanups: (() => void)[] = [];
  /** listeners on the core objects, which `setMe` replaces while the handles stay open */
  private coreCleanups: (() => void)[] = [];
  private cached: ConversationModel | undefined;
  private loaded = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
    readonly doc: string,
    private options: ConversationControllerOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const parsed = parseDocName(this.doc);
    if (parsed?.kind !== 'conversation') throw new Error(`not a conversation document: ${this.doc}`);
    const conv = this.sync.open(this.doc);
    const internal = this.sync.open(internalDoc(parsed.ws, parsed.customerId, parsed.conversationId));
    const profile = this.sync.open(profileDoc(parsed.ws, parsed.customerId));
    this.handles = [conv, internal, profile];
    this.attach();
    this.profile = profile.doc;
    const changed = (): void => this.invalidate();
    profile.doc.on('update', changed);
    this.cleanups = [() => profile.doc.off('update', changed)];
    void conv.loaded.then(() => {
      this.loaded = true;
      this.invalidate();
    });
  }

  hostDisconnected(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.detach();
    for (const h of this.handles.splice(0)) h.release();
  }

  /**
   * The signed-in agent changed how they appear (their avatar). Core copies the author into each
   * message at send time from what it was opened with, so the core objects are opened again over
   * the same replicas; messages from now on carry the new author, earlier ones keep theirs.
   */
  setMe(me: ConversationControllerOptions['me']): void {
    this.options = { ...this.options, me };
    if (!this.conversation) return;
    this.detach();
    this.attach();
    this.invalidate();
  }

  private attach(): void {
    const [conv, internal] = this.handles;
    if (!conv || !internal) return;
    const { role, id, name, avatar } = this.options.me;
    const me = { role, id, name, ...(avatar ? { avatar } : {}) };
    this.conversation = Conversation.open({ doc: conv.doc, awareness: conv.awareness, acks: conv, me, deviceId: this.options.deviceId });
    this.notes = new InternalNotes({ doc: internal.doc, me });
    const changed = (): void => this.invalidate();
    this.coreCleanups = [this.conversation.on('change', changed), this.conversation.on('typing', changed), this.notes.on('change', changed)];
  }

  private detach(): void {
    for (const c of this.coreCleanups.splice(0)) c();
    this.conversation?.destroy();
    this.notes?.destroy();
    this.conversation = undefined;
    this.notes = undefined;
  }

  get model(): ConversationModel {
    this.cached ??= this.build();
    return this.cached;
  }

  send(text: string): void {
    this.conversation?.send({ text });
    this.markRead();
  }

  addNote(text: string): void {
    this.notes?.addNote(text);
  }

  setTyping(typing: boolean): void {
    this.conversation?.setTyping(typing);
  }

  /** Moves this agent's read marker to the end: the conversation is on screen. */
  markRead(): void {
    const c = this.conversation;
    if (c && c.messages().length > 0) c.markRead();
  }

  act(action: ConversationAction): void {
    const c = this.conversation;
    const notes = this.notes;
    if (!c || !notes) return;
    switch (action.type) {
      case 'assign':
        c.assign({ agent: action.agent, team: action.team });
        notes.recordAssignment({ agent: action.agent, team: action.team });
        return;
      case 'resolve':
        return c.resolve();
      case 'reopen': {
        // Core reopens resolved conversations; snoozed or pending ones simply go back to open.
        const now = c.status();
        if (now === 'resolved') return c.reopen();
        if (now === 'snoozed' || now === 'pending') return c.setStatus('open');
        return;
      }
      case 'snooze':
        return c.snooze(action.until);
      case 'labels': {
        // One core call, one transcript event (the widget does not show labels events to customers).
        const before = c.snapshot().state.labels;
        return c.setLabels({ add: action.labels, remove: before.filter((l) => !action.labels.includes(l)) });
      }
      case 'priority':
        return c.setPriority(action.priority);
    }
  }

  private invalidate(): void {
    this.cached = undefined;
    this.host.requestUpdate();
  }

  private build(): ConversationModel {
    const c = this.conversation;
    const parsed = parseDocName(this.doc);
    const customerId = parsed?.kind === 'conversation' ? parsed.customerId : '';
    if (!c) return { doc: this.doc, exists: false, loaded: false, status: 'open', snoozedUntil: null, assignee: null, team: null, labels: [], priority: 'normal', entries: [], customer: emptyCustomer(customerId), customerTyping: false, csat: null };
    const s = c.snapshot();
    const entries = interleave(s.messages.map((m) => this.entry(m)), (this.notes?.notes() ?? []).filter((n) => !n.deleted).map(noteEntry));
    return {
      doc: this.doc,
      exists: s.exists,
      loaded: this.loaded,
      status: inboxStatus(c.status()),
      snoozedUntil: s.state.snoozedUntil,
      assignee: s.state.assignee,
      team: s.state.team,
      labels: s.state.labels,
      priority: s.state.priority,
      entries,
      customer: this.customer(s.meta, customerId),
      customerTyping: c.typing().some((t) => t.role === 'customer'),
      csat: s.meta.csat ? { score: s.meta.csat.score, comment: s.meta.csat.comment } : null,
    };
  }

  private entry(m: Message): TranscriptEntry {
    return {
      id: m.id,
      authorRole: m.author.role,
      authorName: m.author.name || (m.author.role === 'customer' ? 'Customer' : m.author.role),
      // Core already dropped any author avatar that is not a safe URL.
      ...(m.author.avatar ? { authorAvatar: m.author.avatar } : {}),
      kind: m.kind,
      text: m.kind === 'event' && m.event ? describeEvent(m.author.name, m.event) : m.text,
      at: m.clientTime,
      delivery: m.delivery,
      mine: m.mine,
      deleted: m.deleted,
      attachment: m.attachment
        ? { name: m.attachment.name, type: m.attachment.type, size: m.attachment.size, url: `${this.options.relayUrl}/v1/blobs/${m.attachment.hash}?doc=${encodeURIComponent(this.doc)}&token=${encodeURIComponent(this.options.token)}` }
        : null,
    };
  }

  private customer(meta: ReturnType<Conversation['snapshot']>['meta'], customerId: string): CustomerInfo {
    const profile = this.profile ? readProfile(this.profile) : null;
    const fields: Record<string, string> = { ...meta.fields };
    // The widget reports the visitor's time zone as a pre-chat field when it knows it.
    const timeZone = fields.timeZone ?? fields.timezone ?? '';
    delete fields.timeZone;
    delete fields.timezone;
    const parsed = parseDocName(this.doc);
    const fromInbox = this.options.previous(customerId, this.doc);
    const known = new Set(fromInbox.map((p) => p.doc));
    const fromProfile =
      parsed?.kind === 'conversation' && profile
        ? profile.conversations
            .map((c) => conversationDoc(parsed.ws, customerId, c.id))
            .filter((doc) => doc !== this.doc && !known.has(doc))
            .map((doc, i) => ({ doc, title: 'Conversation', status: 'open' as const, at: profile.conversations[i]?.createdAt ?? 0 }))
        : [];
    return {
      id: customerId,
      name: profile?.name || meta.customer.name,
      email: profile?.email || meta.customer.email || '',
      language: meta.language || profile?.locale || '',
      timeZone,
      referralPage: meta.referralPage,
      devices: (profile?.devices ?? []).map((d) => ({ id: d.id, label: d.name || d.id })),
      previous: [...fromInbox, ...fromProfile],
      fields,
    };
  }
}

function noteEntry(n: Note): TranscriptEntry {
  return { id: n.id, authorRole: n.author.role, authorName: n.author.name, kind: 'note', text: n.text, at: n.createdAt, delivery: 'sent', mine: false, deleted: false, attachment: null };
}

/**
 * Notes live in another document, so there is no causal order between them and messages; each
 * note goes after the last message its author could have seen by the note's time.
 */
export function interleave(messages: TranscriptEntry[], notes: TranscriptEntry[]): TranscriptEntry[] {
  if (notes.length === 0) return messages;
  const out: TranscriptEntry[] = [];
  const sorted = [...notes].sort((a, b) => a.at - b.at);
  let n = 0;
  for (const m of messages) {
    while (n < sorted.length && sorted[n]!.at < m.at) out.push(sorted[n++]!);
    out.push(m);
  }
  while (n < sorted.length) out.push(sorted[n++]!);
  return out;
}

export function describeEvent(actor: string, e: ConversationEvent): string {
  const who = actor || 'Someone';
  if (e.type === 'status') {
    switch (e.to) {
      case 'resolved':
        return `${who} resolved the conversation`;
      case 'reopened':
        return `${who} reopened the conversation`;
      case 'snoozed':
        return `${who} snoozed until ${e.until ? new Date(e.until).toLocaleString() : 'later'}`;
      case 'pending':
        return `${who} marked it pending`;
      case 'open':
        return e.from === 'snoozed' ? `${who} brought it back from snooze` : `${who} opened the conversation`;
    }
  }
  if (e.type === 'labels') {
    const parts = [e.added.length ? `added ${e.added.map((l) => `“${l}”`).join(', ')}` : '', e.removed.length ? `removed ${e.removed.map((l) => `“${l}”`).join(', ')}` : ''].filter(Boolean);
    return `${who} ${parts.join(' and ') || 'changed labels'}${e.added.length + e.removed.length === 1 ? ' label' : ' labels'}`;
  }
  if (e.type === 'priority') return `${who} changed priority from ${e.from} to ${e.to}`;
  const target = [e.agent ? e.agent.name || e.agent.id : null, e.team ? `team ${e.team}` : null].filter(Boolean).join(' · ');
  if (!e.agent && !e.team) return `${who} unassigned the conversation`;
  return e.previousAgent || e.previousTeam ? `${who} transferred to ${target}` : `${who} assigned to ${target}`;
}
