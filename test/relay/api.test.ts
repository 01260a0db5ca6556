/**
 * The HTTP API of a real relay process, end to end with the sockets it issues tokens for:
 * anonymous sessions, pairing a second device, attachments, and the front ends it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { protocol } from '@parley/core';
import { repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { connectMux, isFrame, readServed } from './mux-client.js';

const { Frame } = protocol;
let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay?.stop();
});

interface Issued {
  token: string;
  sub: string;
  ws: string;
}

const post = async (path: string, body: unknown, token?: string): Promise<Response> =>
  fetch(`${relay.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

async function readConversation(token: string, doc: string): Promise<string[]> {
  const client = await connectMux(relay.wsUrl, token);
  const replica = await readServed(client, doc);
  client.close();
  return replica.getArray<string>('messages').toArray();
}

describe('customer sessions and device pairing', () => {
  it('a paired second device becomes the same customer and reads the history; the code works once', async () => {
    const session = await post('/v1/sessions', { ws: 'demo' });
    expect(session.status).toBe(201);
    const phone = (await session.json()) as Issued;
    const doc = `ws/demo/customers/${phone.sub}/conv/first`;

    // The phone writes one message and waits for the durable ack.
    const client = await connectMux(relay.wsUrl, phone.token);
    const ydoc = new Y.Doc();
    client.send({ type: Frame.open, doc, stateVector: Y.encodeStateVector(ydoc) });
    await client.waitFor(isFrame(Frame.synced, doc));
    ydoc.on('update', (u: Uint8Array) => client.send({ type: Frame.sync, doc, message: protocol.encodeSyncMessage(protocol.syncUpdate, u) }));
    ydoc.getArray<string>('messages').push(['sent from the phone']);
    await client.waitFor(isFrame(Frame.ack, doc));
    client.close();

    const created = await post('/v1/pairing', {}, phone.token);
    expect(created.status).toBe(201);
    const { code } = (await created.json()) as { code: string };
    const redeemed = await post('/v1/pairing/redeem', { code });
    expect(redeemed.status).toBe(201);
    const laptop = (await redeemed.json()) as Issued;
    expect(laptop.sub).toBe(phone.sub);
    expect(await readConversation(laptop.token, doc)).toEqual(['sent from the phone']);

    const again = await post('/v1/pairing/redeem', { code });
    expect(again.status).toBe(410);
  });

  it('a session for a workspace that does not exist is 404', async () => {
    expect((await post('/v1/sessions', { ws: 'nowhere' })).status).toBe(404);
  });
});

describe('attachments', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
  const put = (token: string, doc: string, body: Uint8Array<ArrayBuffer>, type = 'image/png'): Promise<Response> =>
    fetch(`${relay.url}/v1/blobs?doc=${encodeURIComponent(doc)}`, { method: 'PUT', body, headers: { 'content-type': type, authorization: `Bearer ${token}` } });

  it('are readable by the conversation participants only, and survive a restart', async () => {
    const c1 = await relay.token('customer', 'demo', 'c1');
    const res = await put(c1, 'ws/demo/customers/c1/conv/k1', png);
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    await relay.restart();
    const get = async (token: string) => fetch(`${relay.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
    const own = await get(await relay.token('customer', 'demo', 'c1'));
    expect(own.status).toBe(200);
    expect(new Uint8Array(await own.arrayBuffer())).toEqual(png);
    expect((await get(await relay.token('agent', 'demo', 'a1'))).status).toBe(200);
    expect((await get(await relay.token('customer', 'demo', 'c2'))).status).toBe(404);
  });

  it.each([
    ['over 10 MB', 'image/png', 10 * 1024 * 1024 + 1, 413],
    ['an HTML page', 'text/html', 10, 415],
  ])('refuses an upload %s', async (_label, type, size, status) => {
    const c1 = await relay.token('customer', 'demo', 'c1');
    expect((await put(c1, 'ws/demo/customers/c1/conv/k1', new Uint8Array(size), type)).status).toBe(status);
  });
});

describe('front ends', () => {
  it.each([
    ['/widget.js', join(repoRoot, 'packages/widget/dist/widget.js')],
    ['/', join(repoRoot, 'packages/widget/demo/index.html')],
    ['/agent/', join(repoRoot, 'packages/agent/dist/index.html')],
  ])('%s serves %s when it is built, else a 503 that says so', async (path, file) => {
    const res = await fetch(`${relay.url}${path}`);
    if (existsSync(file)) {
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(readFileSync(file, 'utf8'));
    } else {
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/not built yet|missing/);
    }
  });
});

describe('rate limits', () => {
  it('pairing redemption from one address is limited (429 with Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post('/v1/pairing/redeem', { code: `ABCDE-${10000 + i}` })).status);
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});
