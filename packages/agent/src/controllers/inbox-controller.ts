/**
 * InboxController: the inbox's data source. Lists conversations from the relay-written directory
 * document, then syncs each conversation lazily over the shared socket (replica first, so the list
 * fills instantly offline) and derives one row per conversation.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Y from 'yjs';
import { DirectoryRoot, directoryDoc, parseDocName, readConversation, type ConversationSnapshot, type DirectoryEntry } from '@parley/core';
import type { AgentSync, DocHandle } from '../sync/sync-port.js';
import { inboxItem, placeholderItem, type DirectoryInfo } from '../inbox/inbox-item.js';
import { queryInbox, type InboxItem, type InboxQuery, type InboxResult } from '../inbox/inbox-query.js';

export interface InboxOptions {
  ws: string;
  me: string;
  /** conversations kept followed at once; older ones stay in the replica and are re-synced when the directory says they changed */
  keepOpen?: number;
  /**
   * conversations opened per step, and the pause between steps: opening costs about two frames,
   * and the relay allows a bounded number of frames per second per socket ([P10], 4429 beyond)
   */
  batch?: number;
  intervalMs?: number;
  /** a new conversation, or a customer message the agent has not read, arrived after the first load */
  onActivity?: (item: InboxItem, kind: 'new-conversation' | 'new-message') => void;
}

interface Followed {
  handle: DocHandle;
  synced: boolean;
  lastUsed: number;
  stop: () => void;
}

export class InboxController implements ReactiveController {
  readonly items = new Map<string, InboxItem>();
  /** the last snapshot read of each conversation this device holds, for reports */
  readonly snapshots = new Map<string, ConversationSnapshot>();
  /** false until the directory replica has been read once */
  ready = false;
  private directory: DocHandle | undefined;
  private readonly followed = new Map<string, Followed>();
  /** directory `updatedAt` each conversation had when we last read it */
  private readonly seenAt = new Map<string, number>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private pumpScheduled = false;
  private version = 0;
  private memo: { key: string; version: number; result: InboxResult } | undefined;
  private readonly createdAt = new Map<string, number>();
  /** conversations the relay created after this moment are news */
  private readonly startedAt = Date.now();
  private readonly keepOpen: number;
  private readonly batch: number;
  private readonly intervalMs: number;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
    private readonly options: InboxOptions,
  ) {
    this.keepOpen = options.keepOpen ?? 300;
    this.batch = options.batch ?? 20;
    this.intervalMs = options.intervalMs ?? 250;
    host.addController(this);
  }

  hostConnected(): void {
    const handle = this.sync.open(directoryDoc(this.options.ws));
    this.directory = handle;
    handle.doc.getMap<DirectoryEntry>(DirectoryRoot).observe(this.onDirectory);
    void handle.loaded.then(() => {
      this.onDirectory();
      this.ready = true;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.directory?.doc.getMap<DirectoryEntry>(DirectoryRoot).unobserve(this.onDirectory);
    this.directory?.release();
    this.directory = undefined;
    for (const f of this.followed.values()) {
      f.stop();
      f.handle.release();
    }
    this.followed.clear();
  }

  /** The rows and counts for a query; recomputed only when something changed. */
  query(q: InboxQuery): InboxResult {
    const key = JSON.stringify(q);
    if (this.memo && this.memo.key === key && this.memo.version === this.version) return this.memo.result;
    const result = queryInbox(this.items.values(), q);
    this.memo = { key, version: this.version, result };
    return result;
  }

  /** Marks a conversation as just used so it stays followed (it is open in a tab). */
  touch(doc: string): void {
    const f = this.followed.get(doc);
    if (f) f.lastUsed = performance.now();
  }

  private readonly onDirectory = (): void => {
    const map = this.directory?.doc.getMap<DirectoryEntry>(DirectoryRoot);
    if (!map) return;
    for (const [name, entry] of map.entries()) {
      const parsed = parseDocName(name);
      if (parsed?.kind !== 'conversation' || typeof entry?.updatedAt !== 'number') continue;
      const info: DirectoryInfo = { doc: name, customerId: parsed.customerId, conversationId: parsed.conversationId, updatedAt: entry.updatedAt };
      if (typeof entry.createdAt === 'number') this.createdAt.set(name, entry.createdAt);
      const existing = this.items.get(name);
      if (!existing) {
        this.items.set(name, placeholderItem(info));
        this.version++;
      } else if (existing.updatedAt !== entry.updatedAt) {
        this.items.set(name, { ...existing, updatedAt: entry.updatedAt });
        this.version++;
      }
      if ((this.seenAt.get(name) ?? -1) < entry.updatedAt && !this.followed.has(name)) this.enqueue(name);
    }
    this.host.requestUpdate();
  };

  private enqueue(name: string): void {
    if (this.queued.has(name)) return;
    this.queued.add(name);
    this.queue.push(name);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setTimeout(() => this.pump(), this.followed.size === 0 ? 0 : this.intervalMs);
  }

  /** Opens the next batch of queued conversations, most recently changed first. */
  private pump(): void {
    this.pumpScheduled = false;
    if (!this.directory) return;
    this.queue.sort((a, b) => (this.items.get(b)?.updatedAt ?? 0) - (this.items.get(a)?.updatedAt ?? 0));
    for (const name of this.queue.splice(0, this.batch)) {
      this.queued.delete(name);
      this.follow(name);
    }
    this.evict();
    if (this.queue.length > 0) this.schedulePump();
  }

  private follow(name: string): void {
    const handle = this.sync.open(name);
    const onUpdate = (): void => this.markDirty(name);
    handle.doc.on('update', onUpdate);
    const f: Followed = { handle, synced: false, lastUsed: performance.now(), stop: () => handle.doc.off('update', onUpdate) };
    this.followed.set(name, f);
    void handle.loaded.then(() => this.markDirty(name));
    void handle.synced.then(() => {
      f.synced = true;
      this.markDirty(name);
      this.evict();
    });
  }

  /** Stops following the least recently used conversations beyond `keepOpen`, once they have synced. */
  private evict(): void {
    if (this.followed.size <= this.keepOpen) return;
    const candidates = [...this.followed.entries()].filter(([, f]) => f.synced).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [name, f] of candidates.slice(0, this.followed.size - this.keepOpen)) {
      this.read(name, f.handle.doc);
      f.stop();
      f.handle.release();
      this.followed.delete(name);
    }
  }

  private markDirty(name: string): void {
    this.dirty.add(name);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Many documents sync in the same moment; re-derive their rows together, once per frame.
    requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const name of this.dirty) {
      const f = this.followed.get(name);
      if (f) this.read(name, f.handle.doc);
    }
    this.dirty.clear();
    this.host.requestUpdate();
  }

  private read(name: string, doc: Y.Doc): void {
    const before = this.items.get(name);
    if (!before) return;
    const snapshot = readConversation(doc, { me: { id: this.options.me } });
    if (!snapshot.exists && snapshot.messages.length === 0) return;
    this.snapshots.set(name, snapshot);
    const item = inboxItem(before, snapshot, this.options.me);
    this.items.set(name, item);
    this.seenAt.set(name, before.updatedAt);
    this.version++;
    if (this.options.onActivity) {
      if (!before.loaded && (this.createdAt.get(name) ?? 0) > this.startedAt) this.options.onActivity(item, 'new-conversation');
      else if (before.loaded && item.unread > before.unread) this.options.onActivity(item, 'new-message');
    }
  }
}
