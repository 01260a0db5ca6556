/**
 * Several tabs of one browser share one socket. The tab holding a Web Lock is the leader: it runs
 * the real ParleyClient (socket, replica store); followers only append their own edits. Every tab, leader included,
 * works on its own "view" Y.Docs; the leader bridges them to the client's documents, locally for
 * its own tab and over a BroadcastChannel for the others (updates both ways, acks, status, synced).
 *
 * When the leader's tab closes, the browser releases its lock, the next tab in the lock's queue
 * becomes leader, announces itself, and every tab re-opens its documents with a state vector
 * handshake, so edits made while no tab led (they live in the view docs) reach the new leader.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import { ParleyError, type ParleyErrorCode } from '../errors.js';
import { createAckTracker, type AckTracker } from './ack-tracker.js';
import { assertOpenable, createDocHandle } from './doc-handle.js';
import { createClient, type ClientEvents, type ClientOptions, type ConnectionStatus, type DocEvents, type DocHandle, type ParleyClient } from './client.js';

/** The slice of `navigator.locks` the election needs. */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
}

/** The slice of BroadcastChannel the tabs need. */
export interface ChannelLike {
  postMessage(message: TabMessage): void;
  onmessage: ((event: { data: TabMessage }) => void) | null;
  close(): void;
}

export interface TabClientOptions extends ClientOptions {
  /** Tabs with the same name share a leader; default 'parley'. Use one per signed-in principal. */
  name?: string;
  /** defaults to `navigator.locks` */
  locks?: LockManagerLike;
  /** defaults to `new BroadcastChannel(name)` */
  openChannel?: (name: string) => ChannelLike;
}

export type TabMessage =
  | { type: 'leader'; tab: string }
  | { type: 'open'; tab: string; doc: string; stateVector: Uint8Array }
  | { type: 'state'; to: string; doc: string; update: Uint8Array; stateVector: Uint8Array; acked: Uint8Array; synced: boolean }
  | { type: 'update'; tab: string; doc: string; update: Uint8Array }
  | { type: 'acked'; doc: string; stateVector: Uint8Array }
  | { type: 'synced'; doc: string }
  | { type: 'awareness'; tab: string; doc: string; update: Uint8Array }
  | { type: 'closed'; doc: string; code: ParleyErrorCode; message: string }
  | { type: 'release'; tab: string; doc: string }
  | { type: 'status'; status: ConnectionStatus };

export interface TabClient extends ParleyClient {
  /** whether this tab currently holds the socket */
  readonly isLeader: boolean;
}

interface View {
  name: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  acks: AckTracker;
  events: ObservableV2<DocEvents>;
  refs: number;
  whenLoaded: Promise<void>;
  loaded: () => void;
  whenSynced: Promise<void>;
  synced: () => void;
  /** leader side: this tab's own bridge to the client's document */
  unbridge: (() => void) | null;
  closedBy: ParleyError | null;
}

/** Where an update came from, so no bridge sends it back where it came from. */
const fromChannel = Symbol('parley.tabs.channel');
const fromBridge = Symbol('parley.tabs.bridge');
/** Awareness the leader took from a follower: every tab got that message already, no echo. */
const fromFollower = Symbol('parley.tabs.follower');

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

export function createTabClient(options: TabClientOptions): TabClient {
  const tab = Math.random().toString(36).slice(2);
  // a copy: setToken replaces the token for the client a later leadership creates
  const clientOptions: ClientOptions = { ...options };
  const name = options.name ?? 'parley';
  const locks = options.locks ?? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks) throw new ParleyError('invalid_argument', 'Web Locks are not available here: use createClient');
  const channel = options.openChannel?.(`${name}:tabs`) ?? (new BroadcastChannel(`${name}:tabs`) as unknown as ChannelLike);
  const events = new ObservableV2<ClientEvents>();
  const views = new Map<string, View>();
  let status: ConnectionStatus = 'connecting';
  let closed = false;
  /** a follower's own edits being appended to the replica */
  const writes = new Set<Promise<void>>();

  // leader state
  let engine: ParleyClient | null = null;
  const engineHandles = new Map<string, { handle: DocHandle; holders: Set<string>; off: () => void }>();
  let resign: () => void = () => undefined;
  /** documents the leader's client has synced with the relay at least once */
  const engineSynced = new Set<string>();

  const post = (message: TabMessage): void => {
    if (!closed) channel.postMessage(message);
  };
  const setStatus = (next: ConnectionStatus): void => {
    if (status === next) return;
    status = next;
    events.emit('status', [next]);
  };

  // ---- leader ----------------------------------------------------------------------------------

  /** Opens (or shares) the client's document for a holder: a tab id, this tab included. */
  const engineOpen = (doc: string, holder: string): DocHandle => {
    let e = engineHandles.get(doc);
    if (!e) {
      const handle = engine!.open(doc);
      // the leader's own document is a relay point, not a person: it has no presence of its own
      handle.awareness.setLocalState(null);
      const onUpdate = (update: Uint8Array): void => post({ type: 'update', tab, doc, update });
      handle.doc.on('update', onUpdate);
      const onAwareness = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
        if (origin === fromFollower) return;
        const changed = [...added, ...updated, ...removed];
        post({ type: 'awareness', tab, doc, update: awarenessProtocol.encodeAwarenessUpdate(handle.awareness, changed) });
      };
      handle.awareness.on('update', onAwareness);
      const offClosed = handle.on('closed', (err) => {
        post({ type: 'closed', doc, code: err.code, message: err.message });
        closeView(doc, err);
      });
      const offAck = handle.acks.onAck(() => {
        const acked = (handle.acks as AckTracker).encode();
        post({ type: 'acked', doc, stateVector: acked });
        views.get(doc)?.acks.merge(acked);
      });
      const offSynced = handle.on('synced', () => {
        post({ type: 'synced', doc });
        markSynced(doc);
      });
      const offError = handle.on('error', (err) => views.get(doc)?.events.emit('error', [err]));
      e = {
        handle,
        holders: new Set(),
        off: () => {
          handle.doc.off('update', onUpdate);
          handle.awareness.off('update', onAwareness);
          offClosed();
          offAck();
          offSynced();
          offError();
        },
      };
      engineHandles.set(doc, e);
    }
    e.holders.add(holder);
    return e.handle;
  };

  const engineRelease = (doc: string, holder: string): void => {
    const e = engineHandles.get(doc);
    if (!e || !e.holders.delete(holder) || e.holders.size > 0) return;
    engineHandles.delete(doc);
    e.off();
    void e.handle.release();
  };

  /** Leader: connects this tab's own view of `doc` to the client's document, both ways. */
  const bridgeLocal = (view: View): void => {
    const handle = engineOpen(view.name, tab);
    void handle.whenLoaded.then(() => {
      if (!views.has(view.name) || !engine) return;
      Y.applyUpdate(view.doc, Y.encodeStateAsUpdate(handle.doc), fromBridge);
      Y.applyUpdate(handle.doc, Y.encodeStateAsUpdate(view.doc), fromBridge);
      view.acks.merge((handle.acks as AckTracker).encode());
      const toEngine = (u: Uint8Array, origin: unknown): void => {
        if (origin !== fromBridge) Y.applyUpdate(handle.doc, u, fromBridge);
      };
      const toView = (u: Uint8Array, origin: unknown): void => {
        if (origin !== fromBridge) Y.applyUpdate(view.doc, u, fromBridge);
      };
      view.doc.on('update', toEngine);
      handle.doc.on('update', toView);
      const presenceOut = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
        if (origin === fromBridge) return;
        const update = awarenessProtocol.encodeAwarenessUpdate(view.awareness, [...added, ...updated, ...removed]);
        awarenessProtocol.applyAwarenessUpdate(handle.awareness, update, fromBridge);
      };
      const presenceIn = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
        if (origin === fromBridge) return;
        const update = awarenessProtocol.encodeAwarenessUpdate(handle.awareness, [...added, ...updated, ...removed]);
        awarenessProtocol.applyAwarenessUpdate(view.awareness, update, fromBridge);
      };
      view.awareness.on('update', presenceOut);
      handle.awareness.on('update', presenceIn);
      if (view.awareness.getLocalState() !== null) {
        awarenessProtocol.applyAwarenessUpdate(handle.awareness, awarenessProtocol.encodeAwarenessUpdate(view.awareness, [view.doc.clientID]), fromBridge);
      }
      view.unbridge = () => {
        view.doc.off('update', toEngine);
        handle.doc.off('update', toView);
        view.awareness.off('update', presenceOut);
        handle.awareness.off('update', presenceIn);
      };
      view.loaded();
      if (engineSynced.has(view.name)) markSynced(view.name);
    });
  };

  const lead = async (): Promise<void> => {
    if (closed) return;
    engine = createClient(clientOptions);
    engine.on('status', (s) => {
      setStatus(s);
      post({ type: 'status', status: s });
    });
    engine.on('error', (err, ctx) => events.emit('error', [err, ctx]));
    setStatus(engine.status);
    for (const view of views.values()) bridgeLocal(view);
    post({ type: 'leader', tab });
    // hold the lock until this tab closes (the browser releases it if the tab dies)
    await new Promise<void>((resolve) => (resign = resolve));
  };

  // ---- messages ----------------------------------------------------------------------------------

  const onLeaderMessage = (m: TabMessage): void => {
    switch (m.type) {
      case 'open': {
        const handle = engineOpen(m.doc, m.tab);
        void handle.whenLoaded.then(() => {
          post({
            type: 'state',
            to: m.tab,
            doc: m.doc,
            update: Y.encodeStateAsUpdate(handle.doc, m.stateVector),
            stateVector: Y.encodeStateVector(handle.doc),
            acked: (handle.acks as AckTracker).encode(),
            synced: engineSynced.has(m.doc),
          });
        });
        post({ type: 'status', status });
        return;
      }
      case 'update': {
        const e = engineHandles.get(m.doc);
        if (e) Y.applyUpdate(e.handle.doc, m.update, fromChannel);
        return;
      }
      case 'release':
        return engineRelease(m.doc, m.tab);
      case 'awareness': {
        const e = engineHandles.get(m.doc);
        if (e) awarenessProtocol.applyAwarenessUpdate(e.handle.awareness, m.update, fromFollower);
        return;
      }
      default:
        return;
    }
  };

  const onFollowerMessage = (m: TabMessage): void => {
    switch (m.type) {
      case 'leader':
        // a new leader knows nothing of this tab: open every document again, with a handshake
        for (const view of views.values()) post({ type: 'open', tab, doc: view.name, stateVector: Y.encodeStateVector(view.doc) });
        return;
      case 'state': {
        const view = m.to === tab ? views.get(m.doc) : undefined;
        if (!view) return;
        Y.applyUpdate(view.doc, m.update, fromChannel);
        view.acks.merge(m.acked);
        // what the leader lacks: edits made here while offline or while no tab led
        const missing = Y.encodeStateAsUpdate(view.doc, m.stateVector);
        post({ type: 'update', tab, doc: m.doc, update: missing });
        view.loaded();
        if (m.synced) markSynced(m.doc);
        return;
      }
      case 'update': {
        const view = views.get(m.doc);
        if (view) Y.applyUpdate(view.doc, m.update, fromChannel);
        return;
      }
      case 'acked':
        views.get(m.doc)?.acks.merge(m.stateVector);
        return;
      case 'synced':
        return markSynced(m.doc);
      case 'awareness': {
        const view = views.get(m.doc);
        if (view) awarenessProtocol.applyAwarenessUpdate(view.awareness, m.update, fromChannel);
        return;
      }
      case 'closed':
        return closeView(m.doc, new ParleyError(m.code, m.message));
      case 'status':
        return setStatus(m.status);
      default:
        return;
    }
  };

  const closeView = (doc: string, error: ParleyError): void => {
    const view = views.get(doc);
    if (!view || view.closedBy) return;
    view.closedBy = error;
    view.events.emit('error', [error]);
    view.events.emit('closed', [error]);
  };

  const markSynced = (doc: string): void => {
    engineSynced.add(doc);
    const view = views.get(doc);
    if (!view) return;
    view.synced();
    view.events.emit('synced', []);
    events.emit('synced', [doc]);
  };

  channel.onmessage = (event) => {
    if (closed) return;
    if (engine) onLeaderMessage(event.data);
    else onFollowerMessage(event.data);
  };

  void locks.request(`${name}:leader`, lead);

  // ---- public API --------------------------------------------------------------------------------

  const createView = (doc: string): View => {
    const ydoc = options.createDoc?.(doc) ?? new Y.Doc();
    let loaded!: () => void;
    let synced!: () => void;
    const view: View = {
      name: doc,
      doc: ydoc,
      awareness: new awarenessProtocol.Awareness(ydoc),
      acks: createAckTracker(),
      events: new ObservableV2<DocEvents>(),
      refs: 0,
      whenLoaded: new Promise<void>((resolve) => (loaded = resolve)),
      loaded: () => loaded(),
      whenSynced: new Promise<void>((resolve) => (synced = resolve)),
      synced: () => synced(),
      unbridge: null,
      closedBy: null,
    };
    // Followers forward local edits to the leader (the leader's bridge does it in its own tab), and
    // append them to the replica themselves: if the leader tab closes before it has handled the
    // message and this tab closes too, the edit would otherwise exist nowhere. Found by the fuzz.
    // The same holds for a new leader whose bridge waits for the client's replica to load.
    ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === fromChannel || origin === fromBridge || view.unbridge) return;
      if (!engine) post({ type: 'update', tab, doc, update });
      if (!options.store) return;
      const write = options.store.append(doc, update).catch((err: unknown) => {
        const error = err instanceof ParleyError ? err : new ParleyError('storage', String(err), { cause: err });
        view.events.emit('error', [error]);
        events.emit('error', [error, { doc }]);
      });
      writes.add(write);
      void write.finally(() => writes.delete(write));
    });
    view.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      if (engine || origin === fromChannel) return;
      post({ type: 'awareness', tab, doc, update: awarenessProtocol.encodeAwarenessUpdate(view.awareness, [...added, ...updated, ...removed]) });
    });
    return view;
  };

  const client: TabClient = {
    open(doc) {
      assertOpenable(closed, doc);
      let view = views.get(doc);
      if (!view) {
        view = createView(doc);
        views.set(doc, view);
        if (engine) bridgeLocal(view);
        else post({ type: 'open', tab, doc, stateVector: Y.encodeStateVector(view.doc) });
      }
      view.refs++;
      const v = view;
      return createDocHandle(doc, v, async () => {
        if (--v.refs > 0 || views.get(doc) !== v) return;
        views.delete(doc);
        // others stop seeing this tab's presence before it goes
        awarenessProtocol.removeAwarenessStates(v.awareness, [v.doc.clientID], 'release');
        v.unbridge?.();
        if (engine) engineRelease(doc, tab);
        else post({ type: 'release', tab, doc });
        v.awareness.destroy();
        v.doc.destroy();
      });
    },
    get status() {
      return status;
    },
    get isLeader() {
      return engine !== null;
    },
    on(event, listener) {
      events.on(event, listener);
      return () => events.off(event, listener);
    },
    setToken(token) {
      engine?.setToken(token);
      clientOptions.token = token;
    },
    reconnect() {
      engine?.reconnect();
    },
    async close() {
      if (closed) return;
      for (const view of views.values()) {
        view.unbridge?.();
        if (!engine) post({ type: 'release', tab, doc: view.name });
      }
      closed = true;
      channel.close();
      while (writes.size > 0) await Promise.all([...writes]);
      await engine?.close();
      engine = null;
      resign();
      setStatus('closed');
    },
  };
  return client;
}
