/**
 * The servers the benchmark compares, each started as its own process with the same options every
 * time. Parley appears twice: its y-websocket compatible `/sync` endpoint (same client code as the
 * peers) and its multiplexed `/mux` endpoint (what @parley/core uses).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServer, type ServerProcess } from './spawn.js';
import type { Endpoint, WireKind } from '../load/wire.js';

export type ServerId = 'parley-mux' | 'parley-sync' | 'y-websocket' | 'y-websocket-leveldb' | 'hocuspocus-sqlite' | 'raw';

export interface ServerSpec {
  id: ServerId;
  label: string;
  wire: WireKind;
  /** keeps documents across a restart */
  persistent: boolean;
  /** serves a document's history to a newcomer by itself (the raw relay only forwards) */
  keepsState: boolean;
  /** why this server cannot run here, or null */
  unavailable(): string | null;
  start(dataDir: string, options?: StartOptions): Promise<RunningServer>;
}

/** Options only some servers understand; the others ignore them. */
export interface StartOptions {
  /** Parley: `--unsafe-ack-before-commit` (workload 7's comparison; benchmark only) */
  unsafeAckBeforeCommit?: boolean;
}

export interface RunningServer extends ServerProcess {
  endpoint: Endpoint;
  /**
   * Where the customer of `ws/bench/customers/<customerId>/…` connects. For Parley a customer's
   * token ([P6]: a customer gets others' updates after their commit); servers without principals
   * have one endpoint for everyone.
   */
  customerEndpoint(customerId: string): Endpoint;
  healthUrl: string;
  httpBase: string;
}

const root = join(import.meta.dirname, '..', '..');
const node = process.execPath;
const peer = (file: string): string => join(import.meta.dirname, file);
const parleyCli = join(root, 'packages', 'sync-server', 'dist', 'cli.js');
const parleySource = join(root, 'packages', 'sync-server', 'src', 'cli.ts');
/**
 * The built CLI when there is one (what `npm run bench` builds); else its source through tsx, slower to
 * start. PARLEY_BENCH_SOURCE=1 forces the source, to compare two work trees without building either.
 */
export const parleyCommand = (): string[] =>
  existsSync(parleyCli) && process.env.PARLEY_BENCH_SOURCE !== '1' ? [parleyCli] : ['--conditions=source', '--import', 'tsx', parleySource];

/** Parley's tokens are HS256 JWTs (packages/sync-server/src/auth/tokens.ts); the bench signs its own agent token. */
const PARLEY_SECRET = randomBytes(32).toString('hex');
const PARLEY_BENCH_AGENT = 'bench';
/** The [P6] owner key of what the bench's agent writes (auth/principal.ts: `role:sub`), for seeding a store directly. */
export const PARLEY_BENCH_OWNER = `agent:${PARLEY_BENCH_AGENT}`;
function parleyToken(role: 'agent' | 'customer', sub: string): string {
  const b64 = (v: object | Buffer): string => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ws: 'bench', role, sub, iat: now, exp: now + 12 * 3600 })}`;
  return `${body}.${b64(createHmac('sha256', PARLEY_SECRET).update(body).digest())}`;
}

/**
 * `--profile` (bench/run.ts) sets PARLEY_BENCH_PROFILE_DIR: Parley then runs under `--cpu-prof`, and
 * Node writes one .cpuprofile per process and thread there when it exits (SIGTERM is a clean exit).
 * An environment variable because it must reach every workload's server start without new plumbing.
 */
function profileArgs(id: ServerId): string[] {
  const root = process.env.PARLEY_BENCH_PROFILE_DIR;
  if (!root) return [];
  // One folder per server start: Node names the files itself (pid, thread), so the storage worker's
  // profile lands beside the main thread's instead of overwriting it.
  const dir = join(root, `${id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** `path(token)`: the socket path carrying that token, for servers that take it in the URL. */
function local(proc: ServerProcess, wire: WireKind, path: (token: string) => string, token: string, health = '/', customerToken?: (customerId: string) => string): RunningServer {
  const httpBase = `http://127.0.0.1:${proc.port}`;
  const endpoint = (t: string): Endpoint => ({ wire, url: `ws://127.0.0.1:${proc.port}${path(t)}`, token: t });
  return Object.assign(proc, {
    endpoint: endpoint(token),
    customerEndpoint: (customerId: string) => endpoint(customerToken ? customerToken(customerId) : token),
    healthUrl: httpBase + health,
    httpBase,
  });
}

function parley(id: 'parley-mux' | 'parley-sync', wire: WireKind, path: string): ServerSpec {
  return {
    id,
    label: id === 'parley-mux' ? 'Parley (mux)' : 'Parley (/sync)',
    wire,
    persistent: true,
    keepsState: true,
    unavailable: () => (existsSync(parleyCli) || existsSync(parleySource) ? null : 'packages/sync-server has no CLI yet'),
    async start(dataDir, options) {
      const token = parleyToken('agent', PARLEY_BENCH_AGENT);
      // No routing worker and no push notifier: they are in-process peers the other servers do not
      // run, and their timers and sockets would count as the relay's CPU and memory.
      // PARLEY_SERVE_FLAGS: extra `parley serve` flags for an A/B run, e.g. `--no-ws-deflate`.
      const extra = (process.env.PARLEY_SERVE_FLAGS ?? '').split(' ').filter(Boolean);
      const flags = ['--no-worker', '--no-push', ...extra, ...(options?.unsafeAckBeforeCommit ? ['--unsafe-ack-before-commit'] : [])];
      const proc = await spawnServer(node, [...profileArgs(id), ...parleyCommand(), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...flags], { PARLEY_SECRET, PARLEY_LOG: 'info' });
      return local(proc, wire, (t) => `${path}?token=${t}`, token, '/healthz', (customerId) => parleyToken('customer', customerId));
    },
  };
}

export const servers: readonly ServerSpec[] = [
  parley('parley-mux', 'mux', '/mux'),
  parley('parley-sync', 'yws', '/sync/{doc}'),
  {
    id: 'y-websocket',
    label: 'y-websocket',
    wire: 'yws',
    persistent: false,
    keepsState: true,
    unavailable: () => null,
    async start() {
      return local(await spawnServer(node, [peer('y-websocket.mjs')], {}), 'yws', () => '/{doc}', '');
    },
  },
  {
    id: 'y-websocket-leveldb',
    label: 'y-websocket + LevelDB',
    wire: 'yws',
    persistent: true,
    keepsState: true,
    unavailable: () => null,
    async start(dataDir) {
      return local(await spawnServer(node, [peer('y-websocket.mjs')], { YPERSISTENCE: dataDir }), 'yws', () => '/{doc}', '');
    },
  },
  {
    id: 'hocuspocus-sqlite',
    label: 'Hocuspocus + SQLite',
    wire: 'hocuspocus',
    persistent: true,
    keepsState: true,
    unavailable: () => null,
    async start(dataDir) {
      return local(await spawnServer(node, [peer('hocuspocus.mjs')], { HOCUSPOCUS_SQLITE: join(dataDir, 'hocuspocus.sqlite') }), 'hocuspocus', () => '/', 'bench');
    },
  },
  {
    id: 'raw',
    label: 'raw ws relay',
    wire: 'yws',
    persistent: false,
    keepsState: false,
    unavailable: () => null,
    async start() {
      const server = local(await spawnServer(node, [peer('raw-relay.mjs')], {}), 'yws', () => '/{doc}', '');
      server.endpoint.stateless = true;
      return Object.assign(server, { customerEndpoint: () => server.endpoint });
    },
  },
];

/** Parley's document names (docs.ts): one customer per conversation, as the relay authorises them. */
export const conversationName = (i: number, tag = 'x'): string => `ws/bench/customers/c${i}/conv/${tag}`;
