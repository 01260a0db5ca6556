import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc } from '@parley/core';
import { Code, Frame, encodeSyncMessage, syncStep2, syncUpdate } from '@parley/core/protocol';
import { DEFAULT_LIMITS } from './limits.js';
import { agent, closeRelays, customer, muxClient, startRelay } from './test-kit.js';

const conv = conversationDoc('acme', 'c1', 'k1');
afterEach(closeRelays);

/** A valid V1 update of roughly `bytes` bytes. */
function updateOf(bytes: number): Uint8Array {
  const d = new Y.Doc();
  d.getText('t').insert(0, 'x'.repeat(bytes));
  return Y.encodeStateAsUpdate(d);
}

describe('[P10] limits', () => {
  it('defaults let an agent follow 500 conversations on one socket and upload a 16 MiB backlog', () => {
    expect(DEFAULT_LIMITS.maxDocsPerSocket).toBeGreaterThanOrEqual(1_000);
    expect(DEFAULT_LIMITS.frameBurst).toBeGreaterThanOrEqual(2 * 500);
    expect(DEFAULT_LIMITS.maxFirstSyncBytes).toBe(16 * 1024 * 1024);
    expect(DEFAULT_LIMITS.maxFrameBytes).toBe(1024 * 1024);
  });

  it('[P10] an update over maxUpdateBytes gets error 4413; the socket carries on', async () => {
    const relay = startRelay({ limits: { maxUpdateBytes: 1_000, maxFrameBytes: 10_000 } });
    const c = muxClient(relay, customer());
    const d = c.open(conv);
    await c.until(() => d.synced, 'synced');
    c.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncUpdate, updateOf(2_000)) });
    await c.until(() => c.errors.length > 0, 'error');
    expect(c.errors[0]).toMatchObject({ doc: conv, code: Code.tooLarge });
    d.ydoc.getText('t').insert(0, 'small');
    await c.until(() => c.allAcked(conv), 'small update acked');
    expect(relay.metrics().rejections['too_large']).toBe(1);
  });

  it('[P10] the first step 2 after open may exceed maxFrameBytes up to maxFirstSyncBytes; a second one may not', async () => {
    const relay = startRelay({ limits: { maxFrameBytes: 1_000, maxUpdateBytes: 1_000, maxFirstSyncBytes: 100_000 } });
    const c = muxClient(relay, customer());
    const offline = new Y.Doc();
    offline.getText('t').insert(0, 'y'.repeat(20_000));
    const d = c.open(conv, offline);
    await c.until(() => d.synced && c.allAcked(conv), 'backlog acked');
    expect(c.errors).toEqual([]);
    c.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncStep2, updateOf(5_000)) });
    await c.until(() => c.errors.length > 0, 'error');
    expect(c.errors[0]?.code).toBe(Code.tooLarge);
  });

  it('[P10] a frame over every size limit closes the socket with 4413', async () => {
    const relay = startRelay({ limits: { maxFrameBytes: 1_000, maxFirstSyncBytes: 2_000 } });
    const c = muxClient(relay, customer());
    c.open(conv);
    c.sendRaw({ type: Frame.sync, doc: conv, message: encodeSyncMessage(syncStep2, updateOf(5_000)) });
    await c.until(() => c.socket.closed !== null, 'closed');
    expect(c.socket.closed?.code).toBe(Code.tooLarge);
  });

  it('[P10] opening more than maxDocsPerSocket documents gets a close frame 4429 for the extra one', async () => {
    const relay = startRelay({ limits: { maxDocsPerSocket: 3 } });
    const c = muxClient(relay, agent());
    const docs = [1, 2, 3, 4].map((i) => c.open(conversationDoc('acme', 'c1', `k${i}`)));
    await c.until(() => docs.slice(0, 3).every((d) => d.synced) && docs[3]!.closed !== null, 'three open, one refused');
    expect(docs[3]!.closed?.code).toBe(Code.rateLimited);
    expect(relay.metrics().rejections['docs_per_socket']).toBe(1);
  });

  it('[P10] more frames than the token bucket allows closes the socket with 4429; other sockets carry on', async () => {
    let t = 1_000_000;
    const relay = startRelay({ now: () => t, limits: { framesPerSecond: 10, frameBurst: 20 } });
    const flood = muxClient(relay, customer());
    const calm = muxClient(relay, agent());
    const dc = calm.open(conv);
    for (let i = 0; i < 30; i++) flood.sendRaw({ type: Frame.open, doc: conv, stateVector: new Uint8Array([0]) });
    await flood.until(() => flood.socket.closed !== null, 'flood closed');
    expect(flood.socket.closed?.code).toBe(Code.rateLimited);
    t += 5_000;
    await calm.until(() => dc.synced, 'calm synced');
    dc.ydoc.getText('t').insert(0, 'fine');
    await calm.until(() => calm.allAcked(conv), 'calm acked');
    expect(relay.metrics().rejections['rate']).toBe(1);
  });

  it('[P10] a slow consumer (bufferedAmount over the ceiling) is closed with 4429', async () => {
    const relay = startRelay({ limits: { maxBufferedBytes: 1_000 } });
    const slow = muxClient(relay, agent());
    const ds = slow.open(conv);
    await slow.until(() => ds.synced, 'synced');
    slow.socket.bufferedAmount = 10_000;
    const writer = muxClient(relay, customer());
    const dw = writer.open(conv);
    await writer.until(() => dw.synced, 'writer synced');
    dw.ydoc.getText('t').insert(0, 'hello');
    await slow.until(() => slow.socket.closed !== null, 'slow closed');
    expect(slow.socket.closed?.code).toBe(Code.rateLimited);
    await writer.until(() => writer.allAcked(conv), 'writer unaffected');
    expect(relay.metrics().rejections['slow_consumer']).toBe(1);
  });

  it('[P10] an update that would grow a document past maxDocumentBytes gets error 4413', async () => {
    const relay = startRelay({ limits: { maxDocumentBytes: 3_000 } });
    const c = muxClient(relay, customer());
    const d = c.open(conv);
    await c.until(() => d.synced, 'synced');
    d.ydoc.getText('t').insert(0, 'z'.repeat(2_000));
    await c.until(() => c.allAcked(conv), 'first acked');
    d.ydoc.getText('t').insert(0, 'z'.repeat(2_000));
    await c.until(() => c.errors.length > 0, 'error');
    expect(c.errors[0]?.code).toBe(Code.tooLarge);
    expect(relay.metrics().rejections['document_too_large']).toBe(1);
  });
});
