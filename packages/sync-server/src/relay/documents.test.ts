import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc, profileDoc } from '@parley/core';
import { closeRelays, countingStore, customer, agent, eventually, muxClient, startRelay } from './test-kit.js';

const conv = conversationDoc('acme', 'c1', 'k1');
/** not a conversation, so no directory write keeps anything else in memory */
const profile = profileDoc('acme', 'c1');
afterEach(closeRelays);

describe('thin documents in memory', () => {
  it('loads a document once however many sockets open it at the same time', async () => {
    const store = countingStore();
    const relay = startRelay({ store });
    const clients = Array.from({ length: 20 }, () => muxClient(relay, agent()));
    const docs = clients.map((c) => c.open(conv));
    await Promise.all(clients.map((c, i) => c.until(() => docs[i]!.synced, 'synced')));
    expect(store.loads).toBe(1);
  });

  it('unloads an idle document after the grace period and reloads it from the store', async () => {
    const store = countingStore();
    const relay = startRelay({ store, limits: { idleUnloadMs: 60 } });
    const a = muxClient(relay, customer());
    const d = a.open(profile);
    d.ydoc.getText('t').insert(0, 'kept');
    await a.until(() => a.allAcked(profile), 'acked');
    a.socket.close();
    expect(relay.metrics().openDocuments).toBe(0);
    expect(relay.metrics().documentsInMemory).toBe(1);
    await eventually(() => relay.metrics().documentsInMemory === 0, 'idle unload');
    const b = muxClient(relay, agent());
    const db = b.open(profile);
    await b.until(() => db.ydoc.getText('t').toString() === 'kept', 'reloaded content');
    expect(store.loads).toBe(2);
  });

  it('keeps at most maxIdleDocs idle documents (least recently used go first)', async () => {
    const relay = startRelay({ limits: { maxIdleDocs: 2 } });
    const a = muxClient(relay, agent());
    const names = [1, 2, 3, 4, 5].map((i) => conversationDoc('acme', 'c1', `k${i}`));
    const docs = names.map((n) => a.open(n));
    await a.until(() => docs.every((d) => d.synced), 'all synced');
    expect(relay.metrics().documentsInMemory).toBe(5);
    a.socket.close();
    expect(relay.metrics().documentsInMemory).toBe(2);
  });

  it('merges a long log so memory per document stays near its encoded size', async () => {
    const relay = startRelay({ limits: { mergeAfterUpdates: 50 } });
    const a = muxClient(relay, customer());
    const d = a.open(conv);
    await a.until(() => d.synced, 'synced');
    const messages = d.ydoc.getArray<Y.Map<unknown>>('messages');
    for (let i = 0; i < 120; i++) {
      const m = new Y.Map<unknown>();
      messages.push([m]);
      m.set('text', `message ${i}`);
    }
    await a.until(() => a.allAcked(conv), 'acked');
    const encoded = Y.encodeStateAsUpdate(d.ydoc).byteLength;
    await eventually(() => relay.metrics().documentBytes <= encoded * 1.5, `document bytes near ${encoded}`);
  });

  it('asks the store to compact a document whose stored log got long, off the hot path', async () => {
    const store = countingStore();
    const relay = startRelay({ store, limits: { compactAfterUpdates: 10 } });
    const a = muxClient(relay, customer());
    const d = a.open(conv);
    await a.until(() => d.synced, 'synced');
    for (let i = 0; i < 12; i++) d.ydoc.getText('t').insert(0, 'x');
    await a.until(() => a.allAcked(conv), 'acked');
    await eventually(async () => (await store.load(conv))!.updates.length < 12, 'compaction');
    expect(store.compactions).toBeGreaterThanOrEqual(1);
    const b = muxClient(relay, agent());
    const db = b.open(conv);
    await b.until(() => db.ydoc.getText('t').toString() === 'x'.repeat(12), 'content intact');
  });

  it('waits for a pause in the writes before compacting', async () => {
    // Compaction holds up every commit in the storage thread: not while a conversation is busy.
    const store = countingStore();
    const relay = startRelay({ store, limits: { compactAfterUpdates: 10, compactQuietMs: 1_000 } });
    const a = muxClient(relay, customer());
    const d = a.open(conv);
    await a.until(() => d.synced, 'synced');
    for (let i = 0; i < 20; i++) {
      d.ydoc.getText('t').insert(0, 'x');
      await a.until(() => a.allAcked(conv), 'acked');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(store.compactions).toBe(0);
    await eventually(() => store.compactions === 1, 'compaction after the pause');
    const b = muxClient(relay, agent());
    const db = b.open(conv);
    await b.until(() => db.ydoc.getText('t').toString() === 'x'.repeat(20), 'content intact');
  });

  it('compacts a log that grew to 4x the threshold without waiting for a pause', async () => {
    const store = countingStore();
    const relay = startRelay({ store, limits: { compactAfterUpdates: 10, compactQuietMs: 60_000 } });
    const a = muxClient(relay, customer());
    const d = a.open(conv);
    await a.until(() => d.synced, 'synced');
    for (let i = 0; i < 45; i++) {
      d.ydoc.getText('t').insert(0, 'y');
      await a.until(() => a.allAcked(conv), 'acked');
    }
    await eventually(() => store.compactions === 1, 'compaction of an overdue log');
    expect((await store.load(conv))!.updates.length).toBeLessThan(45);
  });
});
