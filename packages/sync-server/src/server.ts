/**
 * One relay process: opens the store (SQLite in the data folder, or Postgres), the fan-out (Redis
 * when several relays share documents), the accounts file, creates the relay core and serves the
 * HTTP shell and websockets. `close()` stops accepting, lets the relay flush, then closes storage.
 * Signals belong to the caller (cli.ts), so tests can start several servers in one process.
 */
import { createServer, type Server } from 'node:http';
import { resolve, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { StaticDirs } from './http/app.js';
import type { AccountsDb } from './accounts/db.js';
import type { Accounts } from './accounts/accounts.js';
import { createTokens } from './auth/tokens.js';
import { loadSecret } from './auth/secret.js';
import { createLogger, type Logger } from './log.js';
import { refusingWithdrawnAccess } from './accounts/withdrawn-access.js';
import type { Limits } from './relay/limits.js';
import { openStore, describeStore, type StoreSpec } from './storage/index.js';
import { openFanOut } from './fanout/index.js';
import type { DocStore } from './storage/types.js';
import type { FanOut } from './fanout/types.js';
import type { ServedWorkers } from './worker/serve.js';
import type { PushOptions, ServedNotifiers } from './push/serve.js';
import type { Notifier } from './push/notifier.js';
// The accounts (better-sqlite3), the HTTP app (Hono, ws), the relay core (yjs), the worker and Web
// Push are imported inside startServer, after the store's worker thread has been spawned: their
// loading then overlaps the thread's own start-up and the SQLite open instead of delaying both
// (cold start, issue 6). Keep the static imports above light for the same reason.

export interface StorageOptions {
  /** postgres://… : documents in Postgres instead of `<data>/parley.sqlite` */
  postgres?: string;
  /** Postgres schema for Parley's tables (default `parley`); lets several deployments or tests share a database */
  postgresSchema?: string;
  /** SQLite only: least ms between back-to-back commits (default 20: it delays acks, not deliveries) */
  commitWindowMs?: number;
  /** redis://… : share documents with other relays through Redis */
  redis?: string;
  /** prefix of Parley's Redis channels (default `parley:`) */
  redisPrefix?: string;
  /**
   * With `redis`: how often each relay compares the documents it holds with the shared store, to
   * catch updates whose fan-out was lost (default 15 s; 0 turns it off). Ignored without Redis.
   */
  reconcileIntervalMs?: number;
}

export interface ServerOptions extends StorageOptions {
  /** 0 picks a free port; the `listening` log line says which */
  port?: number;
  host?: string;
  /** SQLite file, secret, accounts and blobs live here */
  dataDir?: string;
  /** token secret; default PARLEY_SECRET or `<data>/secret` */
  secret?: string;
  /** secrets being rotated out (verify only); default PARLEY_SECRET_PREVIOUS */
  previousSecrets?: string[];
  log?: Logger;
  staticDirs?: Partial<StaticDirs>;
  limits?: Partial<Limits>;
  trustProxy?: boolean;
  /** time a client has to send its request headers (default 10 s) */
  headersTimeoutMs?: number;
  /** Start the routing / off-hours worker for each workspace after listening (`parley serve` does unless --no-worker). */
  worker?: boolean;
  /** How often to look for workspaces created since start, to give them a worker and a notifier (default 5 s). */
  workspacePollMs?: number;
  /** Web Push for customers: `/v1/push/*` and a notifier per workspace (`parley serve` does unless --no-push). */
  push?: boolean | PushOptions;
  /** permessage-deflate for websocket frames over 1 KB when the client offers it (default true; `--no-ws-deflate`) */
  wsDeflate?: boolean;
  /** ping every websocket this often and terminate those silent for a whole interval (default 30 s; `--heartbeat-ms`) */
  heartbeatMs?: number;
  /** BENCHMARK ONLY, breaks [P7]: acks before the commit (`--unsafe-ack-before-commit`; logs a warning). */
  unsafeAckBeforeCommit?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The Web Push notifier of each workspace, when `push` is on (tests await their events). */
  notifiers?: ReadonlyMap<string, Notifier>;
  /** Graceful: stop accepting, close sockets with 1001 after the relay flushed, close storage. */
  close(): Promise<void>;
}

/** Where the built front ends are, relative to this package (src/ or dist/, both one level down). */
export function defaultStaticDirs(): StaticDirs {
  const packages = resolve(import.meta.dirname, '..', '..');
  return {
    widget: join(packages, 'widget', 'dist'),
    agent: join(packages, 'agent', 'dist'),
    demo: join(packages, 'widget', 'demo'),
  };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger();
  const dataDir = resolve(options.dataDir ?? './data');
  const loaded = options.secret ? { secret: options.secret, previous: [], source: 'option' as const } : loadSecret(dataDir);
  const secret = options.previousSecrets ? { ...loaded, previous: options.previousSecrets } : loaded;
  if (secret.source === 'generated') log.info('generated a token secret', { file: join(dataDir, 'secret'), hint: 'set PARLEY_SECRET to share one secret between relays' });

  // Redis pub/sub loses what is published while a relay is disconnected: once it has resubscribed,
  // the relay reloads the documents it holds from the shared store (the relay exists by then).
  let onResubscribed = (): void => undefined;
  // Started first and awaited last: the store opens on its own thread while this one opens the
  // accounts, hashes the first admin's password and loads the HTTP modules. Settled at once so that
  // a store that fails early is not an unhandled rejection while the rest is still under way.
  const opening = openStores(options, dataDir, log, { onResubscribed: () => onResubscribed() }).then(
    (stores) => ({ ok: true as const, stores }),
    (error: unknown) => ({ ok: false as const, error }),
  );

  // Known to the failure path even when prepare() throws after opening it.
  let openedAccountsDb: AccountsDb | undefined;
  const prepare = async () => {
    const [{ openAccountsDb }, { createAccounts }, { createPairing }, { createBlobs }] = await Promise.all([
      import('./accounts/db.js'),
      import('./accounts/accounts.js'),
      import('./accounts/pairing.js'),
      import('./accounts/blobs.js'),
    ]);
    const db = (openedAccountsDb = openAccountsDb(join(dataDir, 'accounts.sqlite')));
    const accounts = createAccounts(db);
    const tokens = refusingWithdrawnAccess(createTokens(secret.secret, { previous: secret.previous }), accounts);
    const pushOptions = options.push === true ? {} : options.push || null;
    // The demo workspace exists when bootstrap() returns its promise; only the admin's scrypt hash
    // (a few hundred ms on a busy machine) is awaited after listening, and no one can sign in as that
    // admin before the password is printed after it anyway.
    const firstAdmin = bootstrap(accounts).then(
      (created) => ({ ok: true as const, created }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const [modules, push] = await Promise.all([
      Promise.all([import('@hono/node-server'), import('./http/app.js'), import('./relay/relay.js'), import('./auth/access.js')]),
      pushOptions ? import('./push/serve.js').then((module) => ({ module, setup: module.setUpPush(pushOptions, { dataDir, accountsDb: db, tokens, log }) })) : null,
    ]);
    return { accountsDb: db, accounts, tokens, firstAdmin, modules, push, pairing: createPairing(db), blobs: createBlobs(db, join(dataDir, 'blobs')) };
  };
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare();
  } catch (err) {
    const opened = await opening;
    if (opened.ok) await closeStores(opened.stores);
    openedAccountsDb?.close();
    throw err;
  }
  const { accountsDb, accounts, tokens, firstAdmin, push } = prepared;
  const opened = await opening;
  if (!opened.ok) {
    await firstAdmin;
    accountsDb.close();
    throw opened.error;
  }
  const { store, fanout, describe } = opened.stores;
  const [{ getRequestListener }, { createApp }, { createRelay }, { authorize }] = prepared.modules;

  const relayLog = log.child({ component: 'relay' });
  const relay = createRelay({
    store,
    ...(fanout ? { fanout, reconcileIntervalMs: options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS } : {}),
    authorize,
    verifyToken: (token: string) => tokens.verify(token),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.unsafeAckBeforeCommit ? { unsafeAckBeforeCommit: true } : {}),
    log: (level, msg, fields) => relayLog[level](msg, fields),
  });
  if (options.unsafeAckBeforeCommit) relayLog.warn('UNSAFE: acks are sent before the commit (benchmark only); an acked message can be lost in a crash');
  onResubscribed = () => {
    relay.reconcile().catch((err: unknown) => relayLog.warn('reconciliation after a Redis reconnect failed', { err: String(err) }));
  };

  let ready = false;
  const { app, injectWebSocket } = createApp({
    tokens,
    accounts,
    pairing: prepared.pairing,
    blobs: prepared.blobs,
    relay,
    log,
    staticDirs: { ...defaultStaticDirs(), ...options.staticDirs },
    ready: () => ready,
    ...(options.trustProxy ? { trustProxy: true } : {}),
    ...(options.wsDeflate === false ? { wsDeflate: false } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(push ? { push: push.setup.routes } : {}),
  });

  // Bytes and time allowed before a request (and so before any authentication) is complete: a
  // client that trickles headers is cut off instead of holding a socket open forever.
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server: Server = createServer(
    {
      headersTimeout,
      // Whole requests, uploads included (10 MB on a slow phone link); websockets leave this server at the upgrade.
      requestTimeout: 5 * 60_000,
      maxHeaderSize: 16 * 1024,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    getRequestListener(app.fetch),
  );
  server.maxHeadersCount = 64;
  injectWebSocket(server);
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolveListen());
    });
  } catch (err) {
    // Port taken or not permitted: release what was opened so the caller can retry or exit cleanly.
    await relay.close();
    await fanout?.close();
    await store.close();
    await firstAdmin;
    accountsDb.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${options.port} on ${options.host ?? '127.0.0.1'} is already in use; choose another with --port`);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ready = true;
  log.info('listening', { port, host, url, dataDir, storage: describe, pid: process.pid, worker: options.worker === true });
  const admin = await firstAdmin;
  if (!admin.ok) {
    log.error('first start: could not create the demo admin; add one with `parley agent add --ws demo --role admin …`', { err: String(admin.error) });
  } else if (admin.created) {
    log.info('first start: created workspace demo and its admin; this password is shown only once', {
      ...admin.created,
      signIn: `open ${url}/agent/ and sign in, or POST ${url}/v1/auth/signin`,
    });
  }

  // The worker is a peer over a real socket to this relay; 0.0.0.0 / :: are not addresses to dial.
  const dialHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  // Imported after listening: neither is needed to answer /healthz or a first sync.
  const workers: ServedWorkers | null = options.worker
    ? (await import('./worker/serve.js')).startServedWorkers({ url: `ws://${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${port}`, tokens, workspaces: accounts.listWorkspaces(), dataDir, log })
    : null;
  const pushGrace = typeof options.push === 'object' ? options.push.graceMs : undefined;
  const notifiers: ServedNotifiers | null = push
    ? push.module.startServedNotifiers({ url: `ws://${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${port}`, httpUrl: url, tokens, workspaces: accounts.listWorkspaces(), setup: push.setup, ...(pushGrace !== undefined ? { graceMs: pushGrace } : {}), log })
    : null;
  // A workspace created while the relay runs (`parley agent add --ws new` writes accounts.sqlite
  // from another process) gets its worker and notifier at the next look, not at the next restart.
  const workspaceWatch =
    workers || notifiers
      ? setInterval(() => {
          let current: string[];
          try {
            current = accounts.listWorkspaces();
          } catch (err) {
            log.warn('could not list workspaces; will look again', { err: String(err) });
            return;
          }
          for (const ws of current) {
            workers?.add(ws);
            notifiers?.add(ws);
          }
        }, options.workspacePollMs ?? WORKSPACE_POLL_MS)
      : null;
  workspaceWatch?.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    ...(notifiers ? { notifiers: notifiers.notifiers } : {}),
    close: () =>
      (closing ??= (async () => {
        if (workspaceWatch) clearInterval(workspaceWatch);
        // It only reads; stopping it first means no push leaves for a relay that is going away.
        await notifiers?.stop();
        // First, so the worker's last writes are acknowledged while the relay still takes them.
        await workers?.stop();
        ready = false;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        // The relay acknowledges only committed updates and closes its sockets with 1001.
        await relay.close();
        server.closeAllConnections();
        await stopped;
        await fanout?.close();
        await store.close();
        accountsDb.close();
        log.info('stopped', { port });
      })()),
  };
}

/** First start on an empty data folder: a `demo` workspace and an admin who can sign in. */
async function bootstrap(accounts: Accounts): Promise<{ ws: string; email: string; password: string } | null> {
  if (accounts.count() > 0 || accounts.listWorkspaces().length > 0) return null;
  const email = 'admin@demo.local';
  const { password } = await accounts.add({ ws: 'demo', email, name: 'Admin', role: 'admin' });
  return { ws: 'demo', email, password };
}

/** The document store and fan-out chosen by the flags: SQLite and no fan-out unless told otherwise. */
/** A workspace added while the relay runs waits at most this long for its worker and notifier. */
export const WORKSPACE_POLL_MS = 5_000;

/** Staleness bound for an update whose relay died between commit and publish (plus one pass). */
export const DEFAULT_RECONCILE_INTERVAL_MS = 15_000;

async function closeStores(stores: { store: DocStore; fanout?: FanOut }): Promise<void> {
  await stores.fanout?.close();
  await stores.store.close();
}

export async function openStores(
  options: StorageOptions,
  dataDir: string,
  log?: Logger,
  hooks: { onResubscribed?: () => void } = {},
): Promise<{ store: DocStore; fanout?: FanOut; describe: string }> {
  const spec: StoreSpec = options.postgres
    ? { postgresUrl: options.postgres, ...(options.postgresSchema ? { schema: options.postgresSchema } : {}) }
    : { dataDir, ...(options.commitWindowMs !== undefined ? { commitWindowMs: options.commitWindowMs } : {}) };
  const store = await openStore(spec);
  const describe = describeStore(spec);
  if (!options.redis) return { store, describe };
  const fanoutLog = log?.child({ component: 'fanout' });
  try {
    const fanout = await openFanOut({
      redisUrl: options.redis,
      ...(options.redisPrefix ? { prefix: options.redisPrefix } : {}),
      onError: (err) => fanoutLog?.warn('redis trouble', { err }),
      onResubscribed: () => {
        fanoutLog?.info('redis reconnected and resubscribed');
        hooks.onResubscribed?.();
      },
    });
    return { store, fanout, describe: `${describe}, redis fan-out` };
  } catch (err) {
    await store.close();
    throw err;
  }
}
