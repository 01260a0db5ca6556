/**
 * The ChatStore over @parley/core: one Conversation per conversation document, the customer's
 * profile document for the list of their conversations, and the workspace's settings and
 * announcements. Documents come from a DocPort (core's sync client in connect.ts), which keeps
 * every replica in IndexedDB first, so everything here works offline and survives reloads.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import {
  Conversation,
  ProfileRoot,
  addConversation,
  addDevice,
  announcementsDoc,
  conversationDoc,
  profileDoc,
  settingsDoc,
  updateProfile,
  uuidv7,
  type Viewer,
} from '@parley/core';
import type { ChatStore, ConversationHandle, Source, StartFields } from './chat-store.js';
import { createValue } from './chat-store.js';
import { toConversationView, toSummary } from './to-view.js';
import { readAnnouncements, readSettings } from './settings.js';
import { watchStorage } from './storage-watch.js';
import type { ConnectionState, ConversationSummary, ConversationView } from '../model.js';

/** What the store needs from a sync client; structural, so core's client plugs in unchanged. */
export interface DocHandle {
  readonly doc: Y.Doc;
  readonly awareness?: Awareness;
  /** resolves once the local replica is applied */
  readonly whenLoaded?: Promise<void>;
  isAcked(client: number, clock: number): boolean;
  onAck(listener: () => void): () => void;
  release(): void;
}

export interface DocPort {
  open(name: string): DocHandle;
  readonly connection: Source<ConnectionState>;
  destroy(): void;
}

export interface CoreStoreOptions {
  port: DocPort;
  ws: string;
  customerId: string;
  deviceId: string;
  /** URL to show the blob with this content hash */
  blobUrl(hash: string): string;
  upload?(hash: string, blob: Blob, conversationId: string): Promise<void>;
  /** the page the customer started from, recorded on new conversations */
  page?: string;
  /** the customer's language now, for announcement audiences */
  language?: () => string;
  /** signed in on the host site (identify) rather than anonymous */
  identified?: boolean;
  /** how this device is listed among the customer's devices, e.g. "Chrome on Android" */
  deviceName?: string;
  /** the sync client's error events; given, the store watches for storage trouble (storage-watch.ts) */
  errors?(listener: (error: { code?: string }) => void): () => void;
}


interface Followed {
  conversation: Conversation;
  handle: DocHandle;
  summary: ConversationSummary;
  stop: () => void;
}

export function createCoreStore(opts: CoreStoreOptions): ChatStore {
  const { port, ws, customerId, deviceId } = opts;
  const me = { role: 'customer' as const, id: customerId, name: '' };
  let destroyed = false;
  const profile = port.open(profileDoc(ws, customerId));
  const settingsHandle = port.open(settingsDoc(ws));
  const announcementsHandle = port.open(announcementsDoc(ws));
  const ids = profile.doc.getMap<unknown>(ProfileRoot.conversations);
  // This browser joins the customer's list of devices (shown to the customer and to agents).
  // Checked after the replica loaded, so a reload does not rewrite the entry every time.
  void (profile.whenLoaded ?? Promise.resolve()).then(() => {
    if (opts.deviceName && !destroyed && !profile.doc.getMap(ProfileRoot.devices).has(deviceId)) addDevice(profile.doc, { id: deviceId, name: opts.deviceName });
  });

  const settings = createValue(readSettings(settingsHandle.doc));
  const onSettings = (): void => settings.set(readSettings(settingsHandle.doc));
  settingsHandle.doc.on('update', onSettings);
  const viewer = (): Viewer => ({ language: opts.language?.() ?? '', url: opts.page ?? '', identified: opts.identified ?? false });
  const announcements = createValue(readAnnouncements(announcementsHandle.doc, viewer()));
  const onAnnouncements = (): void => announcements.set(readAnnouncements(announcementsHandle.doc, viewer()));
  announcementsHandle.doc.on('update', onAnnouncements);

  // Every conversation of this customer is followed for the list (last message, unread); there
  // are a handful per customer, unlike an agent's inbox.
  const followed = new Map<string, Followed>();
  const conversations = createValue<readonly ConversationSummary[]>([]);
  const publishList = (): void => {
    conversations.set(
      [...followed.values()]
        .map((f) => f.summary)
        .filter((s) => s.updatedAt > 0)
        .sort((a, b) => b.updatedAt - a.updatedAt),
    );
  };

  const follow = (id: string): Followed => {
    const existing = followed.get(id);
    if (existing) return existing;
    const handle = port.open(conversationDoc(ws, customerId, id));
    const conversation = Conversation.open({
      doc: handle.doc,
      me,
      deviceId,
      acks: { isAcked: (c, k) => handle.isAcked(c, k), onAck: (l) => handle.onAck(l) },
      ...(handle.awareness ? { awareness: handle.awareness } : {}),
    });
    const f: Followed = { conversation, handle, summary: toSummary(id, conversation.snapshot(), customerId), stop: () => undefined };
    const onChange = (): void => {
      const snapshot = conversation.snapshot();
      // This device has the other side's messages now: tell them (the "delivered" tick).
      const last = snapshot.messages[snapshot.messages.length - 1];
      if (last && last.author.role !== 'customer') conversation.markDelivered();
      f.summary = toSummary(id, conversation.snapshot(), customerId);
      publishList();
    };
    f.stop = conversation.on('change', onChange);
    followed.set(id, f);
    onChange();
    return f;
  };

  const syncIds = (): void => {
    for (const id of ids.keys()) follow(id);
  };
  ids.observe(syncIds);
  syncIds();

  // Files this page attached: shown from memory, so the preview never waits for the upload.
  const localUrls = new Map<string, string>();
  const blobUrl = (hash: string): string => localUrls.get(hash) ?? opts.blobUrl(hash);

  function open(id: string): ConversationHandle {
    const f = follow(id);
    const { conversation } = f;
    let view: ConversationView = toConversationView(id, conversation.snapshot(), conversation.typing(), blobUrl);
    const listeners = new Set<() => void>();
    const refresh = (): void => {
      view = toConversationView(id, conversation.snapshot(), conversation.typing(), blobUrl);
      for (const l of [...listeners]) l();
    };
    const stops = [conversation.on('change', refresh), conversation.on('typing', refresh)];
    return {
      get: () => view,
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      send: (text) => void conversation.send({ text }),
      sendAttachment(a, local) {
        if (local && !localUrls.has(a.hash)) localUrls.set(a.hash, URL.createObjectURL(local));
        conversation.send({ attachment: { hash: a.hash, name: a.name, type: a.type, size: a.size } });
      },
      setTyping: (typing) => conversation.setTyping(typing),
      markRead: () => conversation.markRead(),
      rate: (score, comment) => conversation.rate(score, comment),
      release() {
        for (const stop of stops.splice(0)) stop();
        listeners.clear();
      },
    };
  }

  function start(fields: StartFields): string {
    const id = uuidv7();
    const f = follow(id);
    const answers: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (typeof v === 'string' && v) answers[k] = v;
    const created = Conversation.create(
      { doc: f.handle.doc, me: { ...me, name: fields.name ?? '' }, deviceId },
      {
        id,
        customer: { id: customerId, name: fields.name ?? '', ...(fields.email ? { email: fields.email } : {}) },
        language: fields.language ?? '',
        channel: 'web',
        referralPage: opts.page ?? '',
        fields: answers,
      },
    );
    created.destroy();
    // Listed in the profile last: another device that sees the id can already open the document.
    profile.doc.transact(() => {
      addConversation(profile.doc, id);
      const who = { ...(fields.name ? { name: fields.name } : {}), ...(fields.email ? { email: fields.email } : {}), ...(fields.language ? { locale: fields.language } : {}) };
      try {
        if (Object.keys(who).length) updateProfile(profile.doc, who);
      } catch {
        // A malformed e-mail stays in the conversation's fields; the profile keeps what it had.
      }
    });
    return id;
  }

  const unsent = (): number => {
    let n = 0;
    for (const f of followed.values()) for (const m of f.conversation.messages()) if (m.mine && m.delivery === 'pending') n++;
    return n;
  };
  const storage = opts.errors ? watchStorage({ errors: opts.errors, unsent, changes: (l) => conversations.subscribe(l) }) : undefined;

  return {
    customerId,
    connection: port.connection,
    settings,
    announcements,
    conversations,
    open,
    start,
    ...(opts.upload ? { upload: opts.upload } : {}),
    ...(storage ? { storage } : {}),
    unsent,
    destroy() {
      destroyed = true;
      storage?.stop();
      ids.unobserve(syncIds);
      settingsHandle.doc.off('update', onSettings);
      announcementsHandle.doc.off('update', onAnnouncements);
      for (const f of followed.values()) {
        f.stop();
        f.conversation.destroy();
        f.handle.release();
      }
      followed.clear();
      for (const url of localUrls.values()) URL.revokeObjectURL(url);
      for (const h of [profile, settingsHandle, announcementsHandle]) h.release();
      port.destroy();
    },
  };
}
