/**
 * The benchmark-only `unsafeAckBeforeCommit` option ([P7] is what it gives up): with it the writer
 * is told `sent` while the store still holds the append; without it (the default) nothing is acked
 * until the commit. Followers get this update (the writer's first, under a new client id) only
 * after the commit either way; later updates are forwarded before it (relay.test.ts [P7]).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { conversationDoc } from '@parley/core';
import { WS, closeRelays, customerAndAgent, holdableStore, startRelay } from './test-kit.js';

const conv = conversationDoc(WS, 'c1', 'unsafe');
afterEach(closeRelays);

describe('relay ack timing', () => {
  it.each([
    { mode: 'unsafeAckBeforeCommit acks while the append is held', unsafe: true },
    { mode: '[P7] the default acks nothing while the append is held', unsafe: false },
  ])('$mode', async ({ unsafe }) => {
    const store = holdableStore();
    const relay = startRelay({ store, ...(unsafe ? { unsafeAckBeforeCommit: true } : {}) });
    const { writer, follower, w, f } = await customerAndAgent(relay, conv);

    store.hold();
    const framesBefore = writer.socket.received.length;
    w.ydoc.getText('t').insert(0, 'hello');
    if (unsafe) {
      await writer.until(() => writer.allAcked(conv), 'ack before the commit');
    } else {
      // The relay answers nothing for an update until it commits; let every queued turn run, then look.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 0));
      expect(writer.socket.received.length).toBe(framesBefore);
      expect(writer.allAcked(conv)).toBe(false);
    }
    expect(store.appends).toBe(0);
    // A first write under a new client id reaches no other device before the store has it, in either mode.
    expect(f.ydoc.getText('t').toString()).toBe('');

    store.release();
    await follower.until(() => f.ydoc.getText('t').toString() === 'hello', 'forward after the commit');
    await writer.until(() => writer.allAcked(conv), 'acked');
    expect(store.appends).toBe(1);
  });
});
