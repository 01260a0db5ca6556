/**
 * The websocket endpoints. The token is verified BEFORE the upgrade ([P3]: a bad token gets HTTP
 * 401 and no socket); then the socket is adapted to `RelaySocket` and handed to the relay core,
 * which checks every document against the principal ([P4]) and speaks the protocols.
 *
 * Upgrades are served by `ws` straight from the node server's 'upgrade' event, not through Hono:
 * going through the app cost a Request and an AbortSignal per upgrade and a MessageEvent and an
 * ArrayBuffer copy per incoming frame, a quarter of the relay's CPU per connection. Hono keeps the
 * same paths for plain HTTP requests, which get their usual JSON errors.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { WebSocketServer, type WebSocket } from 'ws';
import { Code } from '@parley/core/protocol';
import type { AppDeps, AppEnv } from './app.js';
import { authenticate } from './authenticate.js';
import { tokenFrom } from '../auth/tokens.js';
import type { Principal } from '../auth/principal.js';
import type { RelaySocket } from '../socket.js';
import type { ConnectionHandlers, ConnectionRequest } from './relay-port.js';
import { HttpError, unauthorised } from './errors.js';
import { noteActivity } from './metrics.js';
import { createHeartbeat, type Heartbeat } from './heartbeat.js';

/** What `ws` accepts by default; the relay applies its own, finer frame limits. */
const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

/** Plain HTTP requests to the websocket paths: 401 without a valid token, else 400. */
export function socketRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const upgradeRequired = (): never => {
    throw new HttpError('bad_request', 'this endpoint speaks websocket only');
  };
  app.get('/mux', authenticate(deps.tokens), upgradeRequired);
  app.get('/sync/*', authenticate(deps.tokens), upgradeRequired);
}

/**
 * permessage-deflate for large frames only: a device's first sync of a long conversation is text
 * that shrinks several times, while a chat update of a few hundred bytes would cost more CPU than
 * it saves. No context takeover and small windows bound zlib's memory per socket (it is allocated
 * only once a socket compresses or inflates something, so idle chat sockets pay nothing).
 */
const DEFLATE = {
  threshold: 1024,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 12,
  clientMaxWindowBits: 12,
  zlibDeflateOptions: { memLevel: 6, level: 6 },
} as const;

type Endpoint = (principal: Principal) => ConnectionRequest;

/**
 * The endpoint a request path names, or null for any other path. Paths are resolved the way Hono
 * resolved them when it served these upgrades (WHATWG URL, then Hono's percent decoding), so a
 * document name reaches the relay exactly as before.
 */
function endpointOf(url: URL): Endpoint | null {
  if (url.pathname === '/mux') return (principal) => ({ endpoint: 'mux', principal });
  if (url.pathname !== '/sync' && !url.pathname.startsWith('/sync/')) return null;
  // y-websocket puts the room name in the path: /sync/ws/acme/customers/c1/conv/k1. Document names
  // never contain '%', so a name that still has one after decoding is simply not one ([P2], 4404).
  const path = url.pathname.includes('%') ? getPath({ url: url.href } as Request) : url.pathname;
  const doc = path.slice('/sync/'.length);
  return (principal) => ({ endpoint: 'sync', doc, principal });
}

/**
 * Attaches the websocket upgrade handler to the node server serving `app`. The heartbeat that
 * terminates unresponsive sockets runs until the server closes.
 */
export function injectWebSocket(server: Server, app: Hono<AppEnv>, deps: AppDeps): Heartbeat {
  const log = deps.log.child({ component: 'ws' });
  const httpLog = deps.log.child({ component: 'http' });
  // No client tracking: the relay core holds its connections and closes them on shutdown.
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: deps.maxWsPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: deps.wsDeflate === false ? false : DEFLATE,
  });

  const corker = createCorker();
  const heartbeat = createHeartbeat(deps.heartbeatMs);
  server.on('close', () => heartbeat.stop());

  const accept = (ws: WebSocket, socket: Duplex, request: ConnectionRequest): void => {
    let handlers: ConnectionHandlers | null = null;
    const heard = heartbeat.watch(ws);
    // Attached before the relay sees the socket, so no frame can arrive unheard.
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      noteActivity();
      heard();
      if (!isBinary) {
        // Both protocols are binary; a text frame means the peer speaks something else.
        ws.close(Code.badFrame, 'binary frames only');
        return;
      }
      // The relay keeps updates it receives; a view into the socket's read chunk would pin the
      // whole chunk, so a frame that shares its memory is copied to exactly its own size.
      handlers?.onMessage(data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data));
    });
    ws.on('close', () => {
      const h = handlers;
      handlers = null;
      try {
        h?.onClose();
      } catch (err) {
        log.error('relay failed closing a connection', { endpoint: request.endpoint, err });
      }
    });
    ws.on('error', (err) => log.warn('socket error', { endpoint: request.endpoint, err }));
    try {
      handlers = deps.relay.handleConnection(toRelaySocket(ws, socket, corker), request);
    } catch (err) {
      // A socket nobody handles would stay open forever; close it so the client retries.
      log.error('relay refused a connection', { endpoint: request.endpoint, err });
      ws.close(Code.internal, 'relay error');
    }
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, endpoint: Endpoint): Promise<void> => {
    const start = performance.now();
    let status = 101;
    // The http server no longer listens for errors on an upgraded socket, and `ws` only does once
    // handleUpgrade runs: a reset while the token is checked must not be an uncaught 'error'.
    const ignore = (): void => undefined;
    socket.on('error', ignore);
    try {
      const token = tokenFrom(req.headers.authorization, url.searchParams.get('token') ?? undefined);
      if (!token) throw unauthorised('a token is required (Authorization: Bearer … or ?token=)');
      const request = endpoint(await deps.tokens.verify(token));
      socket.off('error', ignore);
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, request));
    } catch (err) {
      socket.off('error', ignore);
      status = refuse(socket, err, httpLog, url.pathname);
    } finally {
      // The path only: query strings may carry tokens.
      httpLog.debug('request', { method: req.method, path: url.pathname, status, ms: Math.round(performance.now() - start) });
    }
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    noteActivity();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const endpoint = endpointOf(url);
    if (endpoint) {
      void upgrade(req, socket, head, url, endpoint);
      return;
    }
    // Not a websocket path: answer with the status the app gives the same GET, and no socket.
    void statusOf(app, req, url).then(
      (status) => socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`),
      () => socket.destroy(),
    );
  });
  return heartbeat;
}

/** Writes the refusal as the JSON error the HTTP routes give ({"error", "message"}) and ends the socket. */
function refuse(socket: Duplex, err: unknown, log: AppDeps['log'], path: string): number {
  let status = 500;
  let headers: Record<string, string> = {};
  let body: string;
  if (err instanceof HttpError) {
    status = err.status;
    headers = err.headers;
    body = JSON.stringify({ error: err.code, message: err.message });
  } else {
    log.error('unhandled error', { path, err });
    body = JSON.stringify({ error: 'internal', message: 'internal error' });
  }
  if (socket.destroyed) return status;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  return status;
}

async function statusOf(app: Hono<AppEnv>, req: IncomingMessage, url: URL): Promise<number> {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) if (value) headers.append(key, Array.isArray(value) ? value[0]! : value);
  const res = await app.request(url, { headers }, { incoming: req });
  return res.status;
}

type Corker = (socket: Duplex) => void;

/**
 * Holds a socket's writes until the end of the current tick. The relay often sends several frames
 * to one socket in one turn (a fan-out burst, a sync reply and its ack); `ws` writes each frame
 * with its own cork/uncork, which is one `writev` syscall per frame. Corked once per tick, they
 * leave in one. One nextTick serves every socket corked in that tick.
 */
function createCorker(): Corker {
  const corked: Duplex[] = [];
  const flush = (): void => {
    // uncork on an ended or destroyed socket does nothing harmful; end() already flushed it.
    for (const socket of corked) socket.uncork();
    corked.length = 0;
  };
  return (socket) => {
    if (corked.length === 0) process.nextTick(flush);
    socket.cork();
    corked.push(socket);
  };
}

function toRelaySocket(raw: WebSocket, socket: Duplex, cork: Corker): RelaySocket {
  return {
    send(data) {
      // A socket closing under us is not an error for the relay: the close handler follows.
      if (raw.readyState !== raw.OPEN) return;
      // writableCorked is 0 outside our own cork: ws's per-frame cork is undone within its send.
      if (socket.writableCorked === 0) cork(socket);
      raw.send(data);
    },
    close(code, reason) {
      // The websocket protocol caps close reasons at 123 bytes.
      raw.close(code, Buffer.from(reason).subarray(0, 123).toString());
    },
    // Counts what waits in the corked socket too (ws adds the socket's writableLength), so the
    // relay's slow-consumer check sees frames held for this tick.
    get bufferedAmount() {
      return raw.bufferedAmount;
    },
  };
}
