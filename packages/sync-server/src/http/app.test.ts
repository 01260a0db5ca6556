import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import WebSocket from 'ws';
import { createApp, type AppDeps } from './app.js';
import type { ConnectionRequest, RelayPort } from './relay-port.js';
import type { RelaySocket } from '../socket.js';
import { openAccountsDb, type AccountsDb } from '../accounts/db.js';
import { createAccounts } from '../accounts/accounts.js';
import { createPairing } from '../accounts/pairing.js';
import { createBlobs } from '../accounts/blobs.js';
import { createTokens } from '../auth/tokens.js';
import { silentLogger } from '../log.js';

const tokens = createTokens('s'.repeat(48));
let dir: string;
let db: AccountsDb;
let deps: AppDeps;
let ready = true;
let app: ReturnType<typeof createApp>['app'];

const relayFigures = {
  connections: { mux: 2, sync: 1 },
  updatesTotal: 7,
  commitLatencyMs: { bounds: [1, 5], counts: [3, 6], count: 7, sum: 12.5 },
  rejections: { forbidden: 4 },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-app-'));
  db = openAccountsDb(join(dir, 'accounts.sqlite'));
  const accounts = createAccounts(db);
  accounts.createWorkspace('acme');
  await accounts.add({ ws: 'acme', email: 'ann@acme.test', name: 'Ann', role: 'agent', password: 'correct horse battery' });
  mkdirSync(join(dir, 'agent', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'agent', 'index.html'), '<title>agent app</title>');
  writeFileSync(join(dir, 'agent', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'agent', 'sw.js'), 'const PRECACHE = {}');
  mkdirSync(join(dir, 'widget', 'widget-chunks'), { recursive: true });
  writeFileSync(join(dir, 'widget', 'widget-chunks', 'qr-abc.js'), 'export const qr = 1');
  deps = {
    tokens,
    accounts,
    pairing: createPairing(db),
    blobs: createBlobs(db, join(dir, 'blobs')),
    // The relay core is exercised by test/relay/ against real processes; here only its figures are read.
    relay: {
      handleConnection: () => {
        throw new Error('no sockets in process');
      },
      metrics: () => relayFigures,
      revoke: () => undefined,
    },
    log: silentLogger,
    staticDirs: { widget: join(dir, 'widget'), agent: join(dir, 'agent'), demo: join(dir, 'demo-missing') },
    ready: () => ready,
    trustProxy: true,
    api: { sessionsPerIp: { limit: 3, windowMs: 60_000 }, redeemPerIp: { limit: 4, windowMs: 60_000 }, redeemPerCode: { limit: 2, windowMs: 60_000 } },
    blobLimits: { maxBytes: 1024 },
  };
  app = createApp(deps).app;
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let ipCounter = 0;
/** Each test its own client address, so per-IP limits of one test do not leak into the next. */
const freshIp = (): string => `10.0.0.${++ipCounter}`;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIp(), ...headers } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const customerToken = (sub: string, ws = 'acme') => tokens.sign({ ws, role: 'customer', sub }, 600);

describe('health and metrics', () => {
  it('answers /healthz 200 when ready and 503 while not', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    ready = false;
    expect((await app.request('/healthz')).status).toBe(503);
    ready = true;
  });

  it('renders relay figures as Prometheus text', async () => {
    const res = await app.request('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toContain('parley_connections{endpoint="mux"} 2');
    expect(text).toContain('# TYPE parley_updates_total counter\nparley_updates_total 7');
    expect(text).toContain('parley_commit_latency_ms_bucket{le="5"} 6');
    expect(text).toContain('parley_commit_latency_ms_bucket{le="+Inf"} 7');
    expect(text).toContain('parley_rejections{reason="forbidden"} 4');
    expect(text).toMatch(/parley_process_resident_memory_bytes \d+/);
  });

  it('reports a synchronous stall of the event loop as delay (summary and max, in seconds)', async () => {
    const loopFigure = async (series: string): Promise<number> => {
      const text = await (await app.request('/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      if (!line) throw new Error(`no ${series} in /metrics`);
      return Number(line.split(' ')[1]);
    };
    const stallMs = 150;
    // The monitor samples while the relay serves traffic: a request (any route but the probes)
    // is traffic. Its first tick only sets its baseline: let it tick before stalling.
    await app.request('/v1/no-such-route');
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    while (performance.now() - t0 < stallMs);
    // The monitor's timer records the stall when it next runs; a few of its 10 ms ticks are enough.
    await new Promise((r) => setTimeout(r, 50));
    const max = await loopFigure('parley_event_loop_delay_max_seconds');
    expect(max).toBeGreaterThanOrEqual((stallMs - 15) / 1000);
    expect(max).toBeLessThan(5);
    const p50 = await loopFigure('parley_event_loop_delay_seconds{quantile="0.5"}');
    expect(p50).toBeLessThan(max);
    expect(await loopFigure('parley_event_loop_delay_seconds_count')).toBeGreaterThan(0);
  });
});

describe('POST /v1/sessions', () => {
  it('issues a token for a fresh customer id each time', async () => {
    const ip = freshIp();
    const a = await post('/v1/sessions', { ws: 'acme', name: 'Ada' }, { 'x-forwarded-for': ip });
    const b = await post('/v1/sessions', { ws: 'acme' }, { 'x-forwarded-for': ip });
    expect(a.status).toBe(201);
    const sa = (await a.json()) as { token: string; sub: string };
    const sb = (await b.json()) as { token: string; sub: string };
    expect(sa.sub).not.toBe(sb.sub);
    expect(await tokens.verify(sa.token)).toMatchObject({ ws: 'acme', role: 'customer', sub: sa.sub, name: 'Ada' });
  });

  it.each([
    [{ ws: 'nope' }, 404],
    [{}, 400],
    [{ ws: 'acme', name: 42 }, 400],
  ])('refuses %j with %i', async (body, status) => {
    expect((await post('/v1/sessions', body)).status).toBe(status);
  });

  it('rate-limits new sessions per client address with Retry-After', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await post('/v1/sessions', { ws: 'acme' }, { 'x-forwarded-for': ip })).status).toBe(201);
    const res = await post('/v1/sessions', { ws: 'acme' }, { 'x-forwarded-for': ip });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post('/v1/sessions', { ws: 'acme' })).status).toBe(201);
  });

  it('answers malformed and oversized JSON with 400 and 413', async () => {
    expect((await app.request('/v1/sessions', { method: 'POST', body: '{nope', headers: { 'x-forwarded-for': freshIp() } })).status).toBe(400);
    expect((await post('/v1/sessions', { ws: 'acme', pad: 'x'.repeat(20_000) })).status).toBe(413);
  });

  it('allows cross-origin calls from the widget (CORS preflight)', async () => {
    const res = await app.request('/v1/sessions', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('device pairing', () => {
  it('redeems a code once into a token of the same customer', async () => {
    const created = await post('/v1/pairing', {}, bearer(await customerToken('c1')));
    expect(created.status).toBe(201);
    const { code, expiresAt } = (await created.json()) as { code: string; expiresAt: number };
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    const redeemed = await post('/v1/pairing/redeem', { code: code.toLowerCase().replace('-', ' ') });
    expect(redeemed.status).toBe(201);
    const { token } = (await redeemed.json()) as { token: string };
    expect(await tokens.verify(token)).toMatchObject({ ws: 'acme', role: 'customer', sub: 'c1' });
    const again = await post('/v1/pairing/redeem', { code });
    expect(again.status).toBe(410);
    expect(await again.json()).toMatchObject({ error: 'gone', message: 'pairing code already used' });
  });

  it.each([
    ['no token', {}, 401],
    ['an agent token', { role: 'agent' }, 403],
  ])('refuses to create a code with %s', async (_label, opt, status) => {
    const headers = 'role' in opt ? bearer(await tokens.sign({ ws: 'acme', role: 'agent', sub: 'a1' }, 60)) : {};
    expect((await post('/v1/pairing', {}, headers)).status).toBe(status);
  });

  it.each([
    ['ABCDE-FGHJK', 404, 'unknown pairing code'],
    ['not a code!', 400, 'not a pairing code'],
  ])('answers redeeming %j with %i', async (code, status, message) => {
    const res = await post('/v1/pairing/redeem', { code });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toBe(message);
  });

  it('rate-limits redemption per client address', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/v1/pairing/redeem', { code: `ABCDE-${10000 + i}` }, { 'x-forwarded-for': ip })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 429]);
  });

  it('rate-limits attempts on one code value across addresses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/v1/pairing/redeem', { code: 'ZZZZZ-ZZZZZ' })).status);
    expect(statuses).toEqual([404, 404, 429]);
  });
});

describe('POST /v1/auth/signin and /v1/tokens/refresh', () => {
  it('signs an agent in with email and password', async () => {
    const res = await post('/v1/auth/signin', { email: 'ANN@acme.test', password: 'correct horse battery' });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect(await tokens.verify(token)).toMatchObject({ ws: 'acme', role: 'agent', name: 'Ann' });
  });

  it.each([
    ['a wrong password', { email: 'ann@acme.test', password: 'wrong horse battery' }],
    ['an unknown email', { email: 'eve@acme.test', password: 'correct horse battery' }],
  ])('answers %s with the same 401', async (_label, body) => {
    const res = await post('/v1/auth/signin', body);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorised', message: 'wrong email or password' });
  });

  it('refreshes a customer token into a later-expiring one', async () => {
    const short = await tokens.sign({ ws: 'acme', role: 'customer', sub: 'c9' }, 5);
    const res = await post('/v1/tokens/refresh', {}, bearer(short));
    const { token } = (await res.json()) as { token: string };
    const p = await tokens.verify(token);
    expect(p.sub).toBe('c9');
    expect(p.expiresAt).toBeGreaterThan(Date.now() + 24 * 3600_000);
  });

  it('does not refresh a staff token whose account does not exist', async () => {
    const ghost = await tokens.sign({ ws: 'acme', role: 'agent', sub: 'ughost' }, 60);
    expect((await post('/v1/tokens/refresh', {}, bearer(ghost))).status).toBe(401);
  });
});

describe('blobs', () => {
  const doc = 'ws/acme/customers/c1/conv/k1';
  const put = async (token: string | null, body: Uint8Array<ArrayBuffer> | string, type = 'image/png', target = doc) =>
    app.request(`/v1/blobs?doc=${encodeURIComponent(target)}`, { method: 'PUT', body, headers: { 'content-type': type, ...(token ? bearer(token) : {}) } });

  it('stores by sha256 and serves to readers of a referencing document only', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const res = await put(await customerToken('c1'), bytes);
    expect(res.status).toBe(201);
    const info = (await res.json()) as { hash: string; size: number; url: string };
    expect(info.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(info.size).toBe(7);
    const get = async (token: string) => app.request(info.url, { headers: bearer(token) });
    const mine = await get(await customerToken('c1'));
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await mine.arrayBuffer())).toEqual(bytes);
    expect((await get(await tokens.sign({ ws: 'acme', role: 'agent', sub: 'a1' }, 60))).status).toBe(200);
    expect((await get(await customerToken('c2'))).status).toBe(404);
    expect((await get(await customerToken('c1', 'other'))).status).toBe(404);
    // <img src> cannot send headers: ?token= works too.
    expect((await app.request(`${info.url}?token=${await customerToken('c1')}`)).status).toBe(200);
  });

  it.each([
    ['no token', null, 'x', 'text/plain', doc, 401],
    ['another customer conversation', 'c2', 'x', 'text/plain', doc, 403],
    ['a document that is not a conversation', 'c1', 'x', 'text/plain', 'ws/acme/settings', 400],
    ['an SVG (runs script)', 'c1', '<svg/>', 'image/svg+xml', doc, 415],
    ['over the size limit', 'c1', 'x'.repeat(1025), 'text/plain', doc, 413],
    ['an empty body', 'c1', '', 'text/plain', doc, 400],
  ])('refuses an upload with %s', async (_label, sub, body, type, target, status) => {
    expect((await put(sub ? await customerToken(sub) : null, body, type, target)).status).toBe(status);
  });

  it('answers an unknown hash with 404', async () => {
    expect((await app.request(`/v1/blobs/${'0'.repeat(64)}`, { headers: bearer(await customerToken('c1')) })).status).toBe(404);
  });
});

describe('static front ends', () => {
  it('says 503 and how to build when the widget bundle is missing', async () => {
    const res = await app.request('/widget.js');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/not built yet/);
  });

  it('serves the widget lazy chunks with CORS, as cross-origin module scripts need', async () => {
    const res = await app.request('/widget-chunks/qr-abc.js', { headers: { origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['/agent/', 200, 'agent app'],
    ['/agent/inbox/mine', 200, 'agent app'],
    ['/agent/assets/app.js', 200, 'console.log'],
  ])('serves %s from the agent build', async (path, status, text) => {
    const res = await app.request(path);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(text);
  });

  it('serves the agent app\'s service worker as JavaScript, scoped to /agent/ and revalidated on every check', async () => {
    const res = await app.request('/agent/sw.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('service-worker-allowed')).toBe('/agent/');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it.each(['/agent/..%2f..%2faccounts.sqlite', '/agent/%E0%A4%A', '/..%2faccounts.sqlite'])('never serves %s (outside the folder or malformed)', async (path) => {
    expect((await app.request(path)).status).toBe(404);
  });

  it('answers websocket endpoints without a token with 401 before any upgrade [P3]', async () => {
    expect((await app.request('/mux')).status).toBe(401);
    expect((await app.request('/sync/ws/acme/settings?token=bad')).status).toBe(401);
  });
});

/** A node server serving `createApp(...)` with a relay that records what it is handed and echoes frames back. */
async function serveShell(
  onMessage: (socket: RelaySocket, data: Uint8Array) => void = (socket, data) => socket.send(data),
  overrides: Partial<AppDeps> = {},
): Promise<{ url: string; handed: ConnectionRequest[]; writes: () => number; stop: () => Promise<void> }> {
  const handed: ConnectionRequest[] = [];
  const echoing: RelayPort = {
    handleConnection(socket, request) {
      handed.push(request);
      return { onMessage: (data) => onMessage(socket, data), onClose: () => undefined };
    },
    metrics: () => relayFigures,
    revoke: () => undefined,
  };
  const { app: wsApp, injectWebSocket } = createApp({ ...deps, ...overrides, relay: echoing });
  const server = createServer(getRequestListener(wsApp.fetch));
  injectWebSocket(server);
  // Each call of a socket's _write/_writev is one write syscall (libuv tries it at once).
  let writes = 0;
  server.on('connection', (socket: Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }) => {
    const write = socket._write.bind(socket);
    const writev = socket._writev.bind(socket);
    socket._write = (...a) => (writes++, write(...a));
    socket._writev = (...a) => (writes++, writev(...a));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    handed,
    writes: () => writes,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Resolves with the open socket, or with the status and body of the HTTP answer that refused it. */
function dial(url: string, headers: Record<string, string> = {}): Promise<WebSocket | { status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    socket.once('error', reject);
  });
}

describe('websocket shell', () => {
  it.each(['/mux', '/sync/ws/acme/settings'])('refuses an upgrade of %s with a bad token: HTTP 401, the JSON error, no socket [P3]', async (path) => {
    const shell = await serveShell();
    try {
      const answer = await dial(`${shell.url}${path}?token=not.a.jwt`);
      expect(answer).not.toBeInstanceOf(WebSocket);
      const refused = answer as { status: number; body: string };
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorised' });
      const bare = (await dial(`${shell.url}${path}`)) as { status: number; body: string };
      expect(bare.status).toBe(401);
      expect(JSON.parse(bare.body).message).toMatch(/token is required/);
      expect(shell.handed).toEqual([]);
    } finally {
      await shell.stop();
    }
  });

  it('hands the relay the principal and the document the path names, and frames both ways', async () => {
    const shell = await serveShell();
    try {
      const token = await customerToken('c1');
      const sync = (await dial(`${shell.url}/sync/ws/acme/customers/c1/conv/k1`, { authorization: `Bearer ${token}` })) as WebSocket;
      const mux = (await dial(`${shell.url}/mux?token=${token}`)) as WebSocket;
      expect(shell.handed).toEqual([
        { endpoint: 'sync', doc: 'ws/acme/customers/c1/conv/k1', principal: expect.objectContaining({ ws: 'acme', role: 'customer', sub: 'c1' }) },
        { endpoint: 'mux', principal: expect.objectContaining({ sub: 'c1' }) },
      ]);
      const echoed = new Promise<Buffer>((resolve) => mux.once('message', (data: Buffer) => resolve(data)));
      mux.send(new Uint8Array([1, 2, 3]));
      expect([...(await echoed)]).toEqual([1, 2, 3]);
      sync.close();
      mux.close();
    } finally {
      await shell.stop();
    }
  });

  it('sends the frames of one tick to a socket in one write, and each arrives whole and in order', async () => {
    const shell = await serveShell((socket, data) => {
      for (let i = 0; i < 50; i++) socket.send(new Uint8Array([data[0]!, i]));
    });
    try {
      const socket = (await dial(`${shell.url}/mux?token=${await customerToken('c1')}`)) as WebSocket;
      const before = shell.writes();
      const got: number[][] = [];
      const all = new Promise<void>((resolve) => socket.on('message', (data: Buffer) => got.push([...data]) === 50 && resolve()));
      socket.send(new Uint8Array([7]));
      await all;
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => [7, i]));
      expect(shell.writes() - before).toBe(1);
      socket.close();
    } finally {
      await shell.stop();
    }
  });

  it.each([
    [true, 'compressed', (read: number) => expect(read).toBeLessThan(8_000)],
    [false, 'not compressed', (read: number) => expect(read).toBeGreaterThan(64_000)],
  ])('with wsDeflate %s, a large frame to a client offering permessage-deflate is %s', async (wsDeflate, _what, check) => {
    // A first sync of a long conversation: repetitive text, far over the 1 KB threshold.
    const big = new TextEncoder().encode('Hello, my order has not arrived yet, can you help? '.repeat(1_300));
    const shell = await serveShell((socket) => socket.send(big), { wsDeflate });
    try {
      let tcp: { bytesRead: number } | null = null;
      const socket = new WebSocket(`${shell.url}/mux?token=${await customerToken('c1')}`, { perMessageDeflate: true });
      socket.once('upgrade', (res) => (tcp = res.socket));
      await new Promise((resolve) => socket.once('open', resolve));
      const got = new Promise<Buffer>((resolve) => socket.once('message', (data: Buffer) => resolve(data)));
      socket.send(new Uint8Array([1]));
      expect((await got).byteLength).toBe(big.byteLength);
      check(tcp!.bytesRead);
      socket.close();
    } finally {
      await shell.stop();
    }
  });

  it('closes a socket that sends a text frame with 4400: both protocols are binary', async () => {
    const shell = await serveShell();
    try {
      const socket = (await dial(`${shell.url}/mux?token=${await customerToken('c1')}`)) as WebSocket;
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send('hello');
      expect(await closed).toBe(4400);
    } finally {
      await shell.stop();
    }
  });

  it.each([
    ['/widget.js', 503],
    ['/healthz', 200],
  ])('answers an upgrade of %s, not a websocket path, with the status of the same GET (%i) and no socket', async (path, status) => {
    const shell = await serveShell();
    try {
      expect(((await dial(`${shell.url}${path}`)) as { status: number }).status).toBe(status);
      expect(shell.handed).toEqual([]);
    } finally {
      await shell.stop();
    }
  });

  it('closes a socket with 4500 when the relay throws while accepting it, instead of leaving it open', async () => {
    const { app: wsApp, injectWebSocket } = createApp(deps);
    const server = createServer(getRequestListener(wsApp.fetch));
    injectWebSocket(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = new WebSocket(`ws://127.0.0.1:${port}/mux?token=${await customerToken('c1')}`);
      const code = await new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
      expect(code).toBe(4500);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
