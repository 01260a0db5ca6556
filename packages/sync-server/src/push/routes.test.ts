import { beforeAll, describe, expect, it } from 'vitest';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../http/app.js';
import { openAccountsDb } from '../accounts/db.js';
import { createAccounts } from '../accounts/accounts.js';
import { createPairing } from '../accounts/pairing.js';
import { createBlobs } from '../accounts/blobs.js';
import { createTokens } from '../auth/tokens.js';
import { silentLogger } from '../log.js';
import { createPushSubscriptions, type PushSubscriptions } from './subscriptions.js';

const tokens = createTokens('p'.repeat(48));
const publicKey = 'BPublicKeyOfTheRelay';
let app: ReturnType<typeof createApp>['app'];
let subscriptions: PushSubscriptions;

const body = (endpoint: string) => ({ endpoint, expirationTime: null, keys: { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') } });
const customerToken = (sub: string) => tokens.sign({ ws: 'acme', role: 'customer', sub }, 3600);
const send = async (method: string, path: string, token: string | null, json?: unknown) =>
  app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-push-routes-'));
  const db = openAccountsDb(join(dir, 'accounts.sqlite'));
  subscriptions = createPushSubscriptions(db);
  ({ app } = createApp({
    tokens,
    accounts: createAccounts(db),
    pairing: createPairing(db),
    blobs: createBlobs(db, join(dir, 'blobs')),
    relay: { handleConnection: () => ({ onMessage: () => undefined, onClose: () => undefined }), metrics: () => ({}), revoke: () => undefined },
    log: silentLogger,
    staticDirs: { widget: join(dir, 'none'), agent: join(dir, 'none'), demo: join(dir, 'none') },
    push: { tokens, subscriptions, vapidPublicKey: publicKey, log: silentLogger },
  }));
});

describe('/v1/push', () => {
  it('GET /key gives the VAPID public key without a token', async () => {
    const res = await send('GET', '/v1/push/key', null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ publicKey });
  });

  it('a customer subscribes and unsubscribes their browser', async () => {
    const token = await customerToken('ann');
    const sub = body('https://push.example/ann-phone');
    expect((await send('POST', '/v1/push/subscriptions', token, sub)).status).toBe(201);
    expect(subscriptions.list({ ws: 'acme', customerId: 'ann' }).map((s) => s.endpoint)).toEqual([sub.endpoint]);
    expect((await send('DELETE', '/v1/push/subscriptions', token, { endpoint: sub.endpoint })).status).toBe(204);
    expect(subscriptions.list({ ws: 'acme', customerId: 'ann' })).toEqual([]);
    expect((await send('DELETE', '/v1/push/subscriptions', token, { endpoint: sub.endpoint })).status).toBe(404);
  });

  it.each([
    ['no token', null, body('https://push.example/1'), 401],
    ['an agent token', 'agent', body('https://push.example/1'), 403],
    ['an http endpoint (the relay would call it)', 'customer', body('http://127.0.0.1:9/x'), 400],
    ['a body that is not a subscription', 'customer', { endpoint: 'https://push.example/1' }, 400],
  ])('POST /subscriptions refuses %s', async (_what, who, json, status) => {
    const token = who === 'agent' ? await tokens.sign({ ws: 'acme', role: 'agent', sub: 'a1' }, 3600) : who ? await customerToken('ann') : null;
    const res = await send('POST', '/v1/push/subscriptions', token, json);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('a customer cannot remove another customer\'s endpoint', async () => {
    const sub = body('https://push.example/bob-laptop');
    await send('POST', '/v1/push/subscriptions', await customerToken('bob'), sub);
    expect((await send('DELETE', '/v1/push/subscriptions', await customerToken('eve'), { endpoint: sub.endpoint })).status).toBe(404);
    expect(subscriptions.list({ ws: 'acme', customerId: 'bob' })).toHaveLength(1);
  });

  it('a cross-origin widget may DELETE (CORS preflight allows it)', async () => {
    const res = await app.request('/v1/push/subscriptions', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'DELETE' },
    });
    expect(res.headers.get('access-control-allow-methods')).toContain('DELETE');
  });
});
