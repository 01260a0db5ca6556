import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DirectoryRoot, conversationDoc, directoryDoc } from '@parley/core';
import type { DirectoryEntry } from '@parley/core';
import { Code } from '@parley/core/protocol';
import type { Principal } from '../auth/principal.js';
import { createMemoryStore } from '../storage/memory.js';
import { agent, closeRelays, customer, muxClient, startRelay } from './test-kit.js';

const dir = directoryDoc('acme');
const conv = (c: string, k: string) => conversationDoc('acme', c, k);
afterEach(closeRelays);

const replay = (updates: Uint8Array[]): Y.Doc => {
  const d = new Y.Doc();
  for (const u of updates) Y.applyUpdate(d, u);
  return d;
};
const entries = (d: import('yjs').Doc) => d.getMap<DirectoryEntry>(DirectoryRoot).toJSON() as Record<string, DirectoryEntry>;

describe('[DESIGN: Directory] ws/{ws}/directory', () => {
  it('lists conversations live for an agent following it, with created and updated times', async () => {
    let t = 1_700_000_000_000;
    const relay = startRelay({ now: () => t, limits: { directoryThrottleMs: 200 } });
    const inbox = muxClient(relay, agent());
    const d = inbox.open(dir);
    await inbox.until(() => d.synced, 'directory synced');
    const c1 = muxClient(relay, customer('c1'));
    const k1 = c1.open(conv('c1', 'k1'));
    k1.ydoc.getArray('messages').push(['hello']);
    await inbox.until(() => entries(d.ydoc)[conv('c1', 'k1')] !== undefined, 'entry appears');
    expect(entries(d.ydoc)[conv('c1', 'k1')]).toEqual({ customerId: 'c1', conversationId: 'k1', createdAt: t, updatedAt: t });
    const c2 = muxClient(relay, customer('c2'));
    c2.open(conv('c2', 'k7')).ydoc.getArray('messages').push(['another']);
    await inbox.until(() => Object.keys(entries(d.ydoc)).length === 2, 'second conversation listed');

    // A later change, after the throttle window, moves updatedAt and keeps createdAt.
    const created = t;
    t += 5_000;
    k1.ydoc.getArray('messages').push(['again']);
    await inbox.until(() => entries(d.ydoc)[conv('c1', 'k1')]?.updatedAt === t, 'updatedAt moves');
    expect(entries(d.ydoc)[conv('c1', 'k1')]?.createdAt).toBe(created);
  });

  it('writes at most once per conversation per throttle window, the last change winning', async () => {
    const store = createMemoryStore();
    const relay = startRelay({ store, limits: { directoryThrottleMs: 100 } });
    const c1 = muxClient(relay, customer('c1'));
    const k1 = c1.open(conv('c1', 'k1'));
    for (let i = 0; i < 30; i++) k1.ydoc.getArray('messages').push([`m${i}`]);
    await c1.until(() => c1.allAcked(conv('c1', 'k1')), 'acked');
    const inbox = muxClient(relay, agent());
    const d = inbox.open(dir);
    await inbox.until(() => d.synced && entries(d.ydoc)[conv('c1', 'k1')] !== undefined, 'listed');
    const writes = (await store.load(dir))!.updates.length;
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('entries that fall due together go out as one directory update, not one per conversation', async () => {
    const store = createMemoryStore();
    const relay = startRelay({ store, limits: { directoryThrottleMs: 100 } });
    const customers = Array.from({ length: 20 }, (_, i) => muxClient(relay, customer(`c${i}`)));
    const docs = customers.map((c, i) => c.open(conv(`c${i}`, 'k')));
    await Promise.all(customers.map((c, i) => c.until(() => docs[i]!.synced, 'synced')));
    // Every customer writes in the same turn: their commits complete together, so do their entries.
    docs.forEach((d, i) => d.ydoc.getArray('messages').push([`hello from c${i}`]));
    await Promise.all(customers.map((c, i) => c.until(() => c.allAcked(conv(`c${i}`, 'k')), 'acked')));
    await relay.close();
    const stored = (await store.load(dir))!;
    expect(Object.keys(entries(replay(stored.updates)))).toHaveLength(20);
    expect(stored.updates.length).toBeLessThanOrEqual(3);
  });

  it('survives a relay restart: entries are stored like any document', async () => {
    const store = createMemoryStore();
    const first = startRelay({ store, limits: { directoryThrottleMs: 10 } });
    const c1 = muxClient(first, customer('c1'));
    c1.open(conv('c1', 'k1')).ydoc.getArray('messages').push(['hi']);
    await c1.until(() => c1.allAcked(conv('c1', 'k1')), 'acked');
    await first.close();
    const second = startRelay({ store });
    const inbox = muxClient(second, agent());
    const d = inbox.open(dir);
    await inbox.until(() => d.synced, 'synced');
    expect(Object.keys(entries(d.ydoc))).toEqual([conv('c1', 'k1')]);
  });

  it.each([
    ['a customer cannot open it (authorize says no)', customer('c1'), Code.forbidden],
  ])('%s', async (_what, who, code) => {
    const relay = startRelay();
    const c = muxClient(relay, who);
    const d = c.open(dir);
    await c.until(() => d.closed !== null, 'refused');
    expect(d.closed?.code).toBe(code);
  });

  it('refuses client writes even from a principal with read-write access to the whole workspace', async () => {
    const relay = startRelay();
    const admin: Principal = { ws: 'acme', role: 'bot', sub: 'bot1', expiresAt: Date.now() + 60_000, grants: [{ prefix: 'ws/acme/', access: 'rw' }] };
    const c = muxClient(relay, admin);
    const d = c.open(dir);
    await c.until(() => d.synced, 'synced');
    d.ydoc.getMap(DirectoryRoot).set(conv('c9', 'fake'), { customerId: 'c9', conversationId: 'fake', createdAt: 0, updatedAt: 0 });
    await c.until(() => c.errors.length > 0, 'refused');
    expect(c.errors[0]?.code).toBe(Code.forbidden);
    expect(relay.metrics().rejections['directory_write']).toBe(1);
  });
});
