/**
 * Web Push end to end on the server side: a real relay (startServer, real sockets, SQLite), its
 * push notifier, customers and an agent as real core clients, and a local push service that
 * decrypts what arrives with keys only the "browser" (this test) holds. Nothing is mocked: the
 * relay encrypts with web-push exactly as it would for a real push service; only the endpoint is
 * http://127.0.0.1 (allowed by a test-only server option).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Conversation, conversationDoc, createClient, type ParleyClient, type WebSocketConstructor } from '@parley/core';
import { createTokens, silentLogger, startServer, type RunningServer } from '@parley/sync-server';
import { until } from '../helpers/until.js';
import { startPushService, verifyVapid, type PushService, type TestSubscription } from './push-service.js';

const WS = WebSocket as unknown as WebSocketConstructor;
const SECRET = 'push-test-secret-'.padEnd(48, 'x');
const GRACE_MS = 1500;
const tokens = createTokens(SECRET);

let dir: string;
let server: RunningServer;
let service: PushService;
let publicKey: string;
const clients: ParleyClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-push-'));
  service = await startPushService();
  server = await startServer({ port: 0, dataDir: join(dir, 'data'), secret: SECRET, log: silentLogger, push: { graceMs: GRACE_MS, allowLoopbackHttp: true } });
  await server.notifiers!.get('demo')!.ready;
  publicKey = ((await (await fetch(`${server.url}/v1/push/key`)).json()) as { publicKey: string }).publicKey;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An anonymous customer as the widget makes one, with the given browsers subscribed. */
async function customer(subscriptions: TestSubscription[]) {
  const res = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ws: 'demo', name: 'Cem' }) });
  const { token, sub } = (await res.json()) as { token: string; sub: string };
  for (const s of subscriptions) {
    const r = await fetch(`${server.url}/v1/push/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(s.json) });
    expect(r.status).toBe(201);
  }
  const client = createClient({ url: server.url.replace('http', 'ws'), token, WebSocket: WS });
  clients.push(client);
  const doc = conversationDoc('demo', sub, `k-${sub}`);
  const handle = client.open(doc);
  await handle.whenSynced;
  const conv = Conversation.create({ doc: handle.doc, acks: handle.acks, me: { role: 'customer', id: sub, name: 'Cem' }, deviceId: 'phone' }, { id: `k-${sub}`, customer: { id: sub, name: 'Cem' }, referralPage: 'https://shop.example/boots?size=42' });
  conv.send({ text: 'Do these boots run small?' });
  return { token, sub, doc, conv };
}

/** The agent's device: replies through core like the agent app. */
async function agentReplies(doc: string, texts: string[]): Promise<Conversation> {
  const client = createClient({ url: server.url.replace('http', 'ws'), token: await tokens.sign({ ws: 'demo', role: 'agent', sub: 'ann', name: 'Ann' }, 3600), WebSocket: WS });
  clients.push(client);
  const handle = client.open(doc);
  await handle.whenSynced;
  const conv = Conversation.open({ doc: handle.doc, acks: handle.acks, me: { role: 'agent', id: 'ann', name: 'Ann' }, deviceId: 'desk' });
  await until(() => conv.snapshot().messages.length > 0, (fn) => conv.on('change', fn), 'the customer message at the agent');
  for (const text of texts) conv.send({ text });
  return conv;
}

function nextEvent(kind: 'pushed' | 'read-in-time', doc: string, timeoutMs = 20_000): Promise<void> {
  const notifier = server.notifiers!.get('demo')!;
  // Only events after this call count: `seen` starts false whatever happened before.
  let seen = false;
  const onMatch = (fn: () => void) =>
    notifier.onEvent((e) => {
      if (e.kind !== kind || e.doc !== doc) return;
      seen = true;
      fn();
    });
  return until(() => seen, onMatch, `notifier ${kind} for ${doc}`, timeoutMs).then(() => undefined);
}

describe('Web Push notifier', () => {
  it('wakes each of an away customer\'s browsers exactly once for a burst of replies, with the agent name and a preview it can decrypt', async () => {
    const phone = service.subscribe('cem-phone');
    const laptop = service.subscribe('cem-laptop');
    const cem = await customer([phone, laptop]);
    const pushed = nextEvent('pushed', cem.doc);
    const sentAt = Date.now();
    await agentReplies(cem.doc, ['Hi Cem!', 'They do run small: take one size up.\nFree returns either way.']);
    await pushed;
    const [onPhone, onLaptop] = await Promise.all([service.nth(phone.path, 1), service.nth(laptop.path, 1)]);
    // The grace period passed before anything was sent.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(GRACE_MS);
    for (const [push, browser] of [[onPhone, phone], [onLaptop, laptop]] as const) {
      expect(push.headers['content-encoding']).toBe('aes128gcm');
      const claims = verifyVapid(push.headers.authorization, publicKey);
      expect(claims.aud).toBe(service.origin);
      const payload = JSON.parse(browser.decrypt(push.body)) as Record<string, string>;
      expect(payload).toEqual({
        conversationId: `k-${cem.sub}`,
        agentName: 'Ann',
        preview: 'They do run small: take one size up. Free returns either way.',
        url: `https://shop.example/boots?size=42#parley-conversation=k-${cem.sub}`,
        tag: `parley:k-${cem.sub}`,
      });
    }

    // The customer comes back and reads; the agent's next reply is read within the grace: no push.
    cem.conv.markRead();
    const readInTime = nextEvent('read-in-time', cem.doc);
    await until(() => cem.conv.snapshot().messages.length === 3, (fn) => cem.conv.on('change', fn), 'replies at the customer');
    const agent = await agentReplies(cem.doc, []);
    cem.conv.on('change', () => {
      if (cem.conv.snapshot().messages.length === 4) cem.conv.markRead();
    });
    agent.send({ text: 'Anything else?' });
    await readInTime;
    // Still exactly one push per browser after the whole exchange.
    expect(service.received.filter((r) => r.path === phone.path)).toHaveLength(1);
    expect(service.received.filter((r) => r.path === laptop.path)).toHaveLength(1);
  });

  it('removes a subscription the push service answers 410 for, and keeps pushing to the others', async () => {
    const gone = service.subscribe('dan-old-phone', 410);
    const live = service.subscribe('dan-tablet');
    const dan = await customer([gone, live]);
    const before = server.notifiers!.get('demo')!.stats().removed;
    const pushed = nextEvent('pushed', dan.doc);
    await agentReplies(dan.doc, ['Your parcel left the warehouse.']);
    await pushed;
    await service.nth(gone.path, 1);
    expect(JSON.parse(live.decrypt((await service.nth(live.path, 1)).body))).toMatchObject({ preview: 'Your parcel left the warehouse.' });
    expect(server.notifiers!.get('demo')!.stats().removed).toBe(before + 1);
    // The customer's own view of it: that endpoint is no longer theirs to remove; the live one is.
    const remove = (endpoint: string) =>
      fetch(`${server.url}/v1/push/subscriptions`, { method: 'DELETE', headers: { 'content-type': 'application/json', authorization: `Bearer ${dan.token}` }, body: JSON.stringify({ endpoint }) });
    expect((await remove(gone.json.endpoint)).status).toBe(404);
    expect((await remove(live.json.endpoint)).status).toBe(204);
  });

  it('a restarted relay does not push a reply it already pushed', async () => {
    const phone = service.subscribe('eda-phone');
    const eda = await customer([phone]);
    const pushed = nextEvent('pushed', eda.doc);
    await agentReplies(eda.doc, ['We shipped it today.']);
    await pushed;
    await service.nth(phone.path, 1);
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
    server = await startServer({ port: 0, dataDir: join(dir, 'data'), secret: SECRET, log: silentLogger, push: { graceMs: GRACE_MS, allowLoopbackHttp: true } });
    const notifier = server.notifiers!.get('demo')!;
    await notifier.ready;
    // Every conversation changed within the hour was read again; none was pushed.
    await notifier.idle();
    expect(notifier.stats()).toMatchObject({ delivered: 0, removed: 0, failed: 0 });
    expect(service.received.filter((r) => r.path === phone.path)).toHaveLength(1);
  });
});

