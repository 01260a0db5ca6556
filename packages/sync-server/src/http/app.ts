/**
 * The relay's HTTP shell: a Hono app with the JSON API, the websocket routes that hand
 * authenticated sockets to the relay core, health and metrics, and the static front ends.
 * `createApp` builds it from its parts so tests can call `app.request(...)` in process.
 */
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { HttpBindings } from '@hono/node-server';
import type { Server } from 'node:http';
import type { Accounts } from '../accounts/accounts.js';
import type { Blobs } from '../accounts/blobs.js';
import type { Pairing } from '../accounts/pairing.js';
import type { Principal } from '../auth/principal.js';
import type { Tokens } from '../auth/tokens.js';
import type { Logger } from '../log.js';
import { HttpError } from './errors.js';
import { noteActivity, renderMetrics, watchEventLoop } from './metrics.js';
import type { RelayPort } from './relay-port.js';
import { serveFile } from './static.js';
import { apiRoutes, type ApiLimits } from './api.js';
import { blobRoutes, type BlobLimits } from './blob-routes.js';
import { injectWebSocket, socketRoutes } from './socket-routes.js';
import type { Heartbeat } from './heartbeat.js';
import { pushRoutes, type PushRoutesDeps } from '../push/routes.js';

export type AppEnv = { Bindings: Partial<HttpBindings>; Variables: { principal: Principal } };

export interface StaticDirs {
  /** folder holding widget.js (packages/widget/dist) */
  widget: string;
  /** the agent app's built folder (packages/agent/dist) */
  agent: string;
  /** the demo shop page's folder (packages/widget/demo) */
  demo: string;
}

export interface AppDeps {
  tokens: Tokens;
  accounts: Accounts;
  pairing: Pairing;
  blobs: Blobs;
  relay: RelayPort;
  log: Logger;
  staticDirs: StaticDirs;
  /** false while starting or shutting down: /healthz answers 503 */
  ready?: () => boolean;
  api?: Partial<ApiLimits>;
  blobLimits?: Partial<BlobLimits>;
  /** largest websocket message accepted at all (the relay applies finer limits) */
  maxWsPayloadBytes?: number;
  /** permessage-deflate for websocket frames over 1 KB, when the client offers it (default on) */
  wsDeflate?: boolean;
  /** ping every socket this often; one silent for a whole interval is terminated (default 30 s) */
  heartbeatMs?: number;
  /** take the client address from X-Forwarded-For (only behind a proxy you trust) */
  trustProxy?: boolean;
  /** Web Push: `/v1/push/*` (VAPID key, customer subscriptions); absent = no push routes */
  push?: PushRoutesDeps;
}

export interface ParleyApp {
  app: Hono<AppEnv>;
  /** attaches the websocket upgrade handler to the node server serving `app` */
  injectWebSocket(server: Server): void;
}

export function createApp(deps: AppDeps): ParleyApp {
  const app = new Hono<AppEnv>();
  const log = deps.log.child({ component: 'http' });
  watchEventLoop();

  app.onError(function toResponse(err, c) {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json({ error: err.code, message: err.message }, err.status);
    }
    log.error('unhandled error', { path: c.req.path, err });
    return c.json({ error: 'internal', message: 'internal error' }, 500);
  });
  app.use(async function logRequest(c, next) {
    const start = performance.now();
    // Scrapes and health probes arrive forever, traffic or not: they must not keep the loop
    // monitor's 10 ms timer running on an idle relay (metrics.ts).
    if (c.req.path !== '/metrics' && c.req.path !== '/healthz') noteActivity();
    await next();
    // The path only: query strings may carry tokens.
    log.debug('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - start) });
  });
  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404));

  // Tokens travel in the Authorization header, never in cookies, so any origin may call the API.
  const corsAll = cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'], maxAge: 600 });
  app.use('/v1/*', corsAll);
  // The widget is a cross-origin module script: it and its lazy chunks need CORS to load at all.
  app.use('/widget.js', corsAll);
  app.use('/widget-chunks/*', corsAll);

  app.get('/healthz', (c) => ((deps.ready?.() ?? true) ? c.json({ status: 'ok' }) : c.json({ status: 'unavailable' }, 503)));
  // Set when the node server is attached (injectWebSocket below); until then nothing was terminated.
  let heartbeat: Heartbeat | null = null;
  const figures = (): Record<string, unknown> => ({ ...(deps.relay.metrics() as Record<string, unknown>), unresponsiveSocketsTerminatedTotal: heartbeat?.terminated ?? 0 });
  app.get('/metrics', (c) => c.text(renderMetrics(figures()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));

  app.route('/v1', apiRoutes(deps));
  app.route('/v1/blobs', blobRoutes(deps));
  if (deps.push) app.route('/v1/push', pushRoutes(deps.push));
  socketRoutes(app, deps);

  const build = 'build it with `npm run build`';
  app.get('/widget.js', (c) => serveFile(c, deps.staticDirs.widget, 'widget.js', { missing: `the widget bundle is not built yet; ${build}` }));
  app.get('/widget.js.map', (c) => serveFile(c, deps.staticDirs.widget, 'widget.js.map', { missing: `the widget bundle is not built yet; ${build}` }));
  // Code the widget loads on demand (core + Yjs, attachments, QR), fetched relative to widget.js.
  app.get('/widget-chunks/*', (c) => serveFile(c, deps.staticDirs.widget, c.req.path.slice(1), { missing: `the widget bundle is not built yet; ${build}` }));
  // The Web Push service worker: a page can register it only from its own origin, so the relay serves
  // it at its root for the demo page, and host sites copy it from here (see the widget README).
  app.use('/parley-sw.js', corsAll);
  app.get('/parley-sw.js', (c) => serveFile(c, deps.staticDirs.widget, 'parley-sw.js', { missing: `the widget bundle is not built yet; ${build}` }));
  app.get('/agent', (c) => c.redirect('/agent/', 301));
  // The agent app's service worker: its scope is /agent/ (said explicitly), and browsers must
  // revalidate it (serveFile's no-cache) so a deploy installs the new app shell.
  app.get('/agent/sw.js', async (c) => {
    const res = await serveFile(c, deps.staticDirs.agent, 'sw.js', { missing: `the agent app is not built yet; ${build}` });
    if (res.ok) res.headers.set('Service-Worker-Allowed', '/agent/');
    return res;
  });
  app.get('/agent/*', (c) => serveFile(c, deps.staticDirs.agent, c.req.path.slice('/agent/'.length), { missing: `the agent app is not built yet; ${build}`, fallback: 'index.html' }));
  app.get('/*', (c: Context<AppEnv>) => serveFile(c, deps.staticDirs.demo, c.req.path, { missing: 'the demo page (packages/widget/demo/index.html) is missing' }));

  return {
    app,
    injectWebSocket: (server) => {
      heartbeat = injectWebSocket(server, app, deps);
    },
  };
}

/** The caller's address for rate limits: the socket's peer, or X-Forwarded-For's first hop behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>, trustProxy: boolean | undefined): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
