/**
 * SQLite DocStore whose connection lives in a worker thread. Same file format, durability and
 * semantics as `sqlite.ts`; the relay's thread only queues appends and posts them.
 *
 * Group commit: at most one commit is in flight; appends arriving meanwhile wait and go together
 * into the next transaction, so the busier the relay, the more appends share each fsync.
 *
 * Commit window: back-to-back commits start at least `commitWindowMs` apart (default
 * DEFAULT_COMMIT_WINDOW_MS). Each commit costs a fixed ~0.2 ms of CPU (test/scale/engine-cpu.ts:
 * BEGIN/COMMIT, the WAL's fsync and its kernel work, the message to the worker and its reply)
 * against ~10 µs per append in it. Without a window a fast disk finished each commit after ~3
 * appends at fan-out rates, so that fixed cost was most of the store's CPU per message
 * (test/scale/store-cpu.ts: window 0: 153-191 µs per append, 8 ms: 113-133, 16 ms: 98).
 *
 * The window delays acknowledgements, not deliveries: the relay forwards an update from a client
 * id the store already owns before its commit to the followers that could bring it back (staff,
 * the writer's devices) and marks `awaited` what others get only after it (documents.ts), so a
 * wide window costs the sender a later "sent" tick and nobody a later message. Fan-out at
 * 1,500 msg/s (bench, workload 1) spent 257 µs of server CPU per message with the window that
 * followed load (0-8 ms, when the window delayed deliveries) and 143-170 µs with 16-32 ms, p99
 * unchanged. An update that claims a new client id is forwarded only after its commit
 * (PROTOCOL.md [P8]), so an append carrying owners does not wait out the window, nor does one the
 * relay marks `awaited` (a customer gets an agent's reply only after its commit). A store that was
 * quiet for a window commits at once, and so does a queue that already holds enough appends
 * (`WINDOW_BATCH`) to spread the fixed cost thin.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageCorruptError, StoreClosedError } from './errors.js';
import { ownerPairs, sqliteFile, type SqliteStoreOptions } from './sqlite-options.js';
import * as encoding from 'lib0/encoding';
import { packAppend, type SqliteReplies, type SqliteReply, type SqliteRequest, type SqliteRequests, type SqliteWorkerData, type WireError } from './sqlite-wire.js';
import { StorageUnavailableError, type DocStore, type DocSummary, type StoredDoc } from './types.js';

/** Up to `maxBatch` appends, packed as they arrive (sqlite-wire.ts), committed in one transaction. */
interface PendingBatch {
  readonly records: encoding.Encoder;
  readonly waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
  /** appends in it that someone waits for (they claim client ids, or are `awaited`) */
  awaited: number;
}

/** A request before it gets its id (Omit distributed over the union). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<SqliteRequest>;

function fromWire(file: string, error: WireError): Error {
  if (error.kind === 'corrupt') return new StorageCorruptError(error.file, error.detail);
  if (error.kind === 'unavailable') return new StorageUnavailableError(error.message);
  return new Error(`${file}: storage worker failed: ${error.message}`);
}

/**
 * The worker runs the built file in production. From TypeScript sources (tests, `tsx`) it first
 * registers tsx inside the worker: Node 20 does not apply `--import` hooks to a worker's entry point.
 */
function spawnWorker(data: SqliteWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData: data });
  const require = createRequire(import.meta.url);
  const tsxPackage = require.resolve('tsx/package.json');
  const manifest = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), manifest.exports['./esm/api']!.import.default)).href;
  const entry = new URL('./sqlite-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** Wide enough to share each fsync among many appends; short enough that a "sent" tick stays instant. */
export const DEFAULT_COMMIT_WINDOW_MS = 20;
/** engine-cpu.ts: at 32 appends a commit's fixed cost is ~0.2 ms / 32, below an append's own. */
const WINDOW_BATCH = 32;

export async function openSqliteThreadedStore(options: SqliteStoreOptions): Promise<DocStore & { readonly file: string }> {
  const file = sqliteFile(options);
  const maxBatch = options.maxBatch ?? 512;
  const commitWindowMs = options.commitWindowMs ?? DEFAULT_COMMIT_WINDOW_MS;
  // Enough appends to make a commit's fixed cost small: no reason to wait for more. Closed-loop
  // writers (each waiting for its ack) refill the queue at once and must not wait out the window.
  const windowBatch = Math.min(maxBatch, WINDOW_BATCH);
  const { dataDir: _d, fileName: _f, maxBatch: _m, commitWindowMs: _w, ...engineOptions } = options;
  const worker = spawnWorker({ file, options: engineOptions });

  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextId = 1;
  let dead: Error | null = null;
  const queue: PendingBatch[] = [];
  /** appends in `queue` */
  let queued = 0;
  let commitInFlight = false;
  let pumpScheduled = false;
  let lastCommitAt = -Infinity;
  let windowTimer: NodeJS.Timeout | null = null;
  /** queued appends the relay forwards only once committed (claims of client ids, `awaited`): no window for them */
  let awaitedQueued = 0;
  let closed = false;

  const fail = (error: Error): void => {
    dead ??= error;
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
    awaitedQueued = 0;
    queued = 0;
    for (const batch of queue.splice(0)) for (const w of batch.waiters) w.reject(dead);
  };

  const opened = new Promise<void>((resolve, reject) => waiting.set(0, { resolve: () => resolve(), reject }));
  const settle = (reply: SqliteReply): void => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(fromWire(file, reply.error));
  };
  worker.on('message', (replies: SqliteReplies) => {
    if (Array.isArray(replies)) replies.forEach(settle);
    else settle(replies);
  });
  worker.on('error', (error) => fail(new StorageUnavailableError(`${file}: storage worker crashed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => fail(new StorageUnavailableError(`${file}: storage worker exited (${code})`)));

  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  // Requests of one turn of the event loop (every socket event in it) go to the worker together
  // (sqlite-wire.ts), still in call order.
  let outbox: SqliteRequest[] = [];
  let outboxTransfer: ArrayBuffer[] = [];
  const postOutbox = (): void => {
    const requests = outbox;
    const transfer = outboxTransfer;
    outbox = [];
    outboxTransfer = [];
    if (dead || requests.length === 0) return;
    worker.postMessage(requests.length === 1 ? requests[0] : (requests satisfies SqliteRequests), transfer);
  };

  /** `transfer`: buffers of the request handed to the worker (unusable here afterwards). */
  function send<T>(request: Request, transfer?: ArrayBuffer): Promise<T> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (transfer) outboxTransfer.push(transfer);
      if (outbox.push({ ...request, id } as SqliteRequest) === 1) setImmediate(postOutbox);
    });
  }

  function commit(batch: PendingBatch): Promise<void> {
    const records = encoding.toUint8Array(batch.records);
    return send<void>({ op: 'commit', records, now: Date.now() }, records.buffer as ArrayBuffer).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  function pump(): void {
    pumpScheduled = false;
    if (commitInFlight || windowTimer || queued === 0) return;
    const wait = lastCommitAt + commitWindowMs - performance.now();
    if (wait >= 1 && queued < windowBatch && awaitedQueued === 0) {
      windowTimer = setTimeout(() => {
        windowTimer = null;
        pump();
      }, wait);
      return;
    }
    lastCommitAt = performance.now();
    const batch = takeBatch();
    commitInFlight = true;
    void commit(batch).then(() => {
      commitInFlight = false;
      pump();
    });
  }

  /** Posts every queued append now, so an operation posted next is ordered after them. */
  function postQueued(): void {
    if (windowTimer) {
      clearTimeout(windowTimer);
      windowTimer = null;
    }
    while (queue.length > 0) void commit(takeBatch());
  }

  function takeBatch(): PendingBatch {
    const batch = queue.shift()!;
    queued -= batch.waiters.length;
    awaitedQueued -= batch.awaited;
    return batch;
  }

  const ensureOpen = (): void => {
    if (closed) throw new StoreClosedError(`${file} is closed`);
  };

  return {
    file,
    append(name, update, owners, options) {
      if (closed) return Promise.reject(new StoreClosedError(`${file} is closed`));
      if (dead) return Promise.reject(dead);
      return new Promise<void>((resolve, reject) => {
        const pairs = ownerPairs(owners);
        const awaited = pairs !== undefined || options?.awaited === true;
        let batch = queue[queue.length - 1];
        if (!batch || batch.waiters.length >= maxBatch) queue.push((batch = { records: encoding.createEncoder(), waiters: [], awaited: 0 }));
        packAppend(batch.records, name, update, pairs);
        batch.waiters.push({ resolve, reject });
        queued++;
        if (awaited) {
          batch.awaited++;
          awaitedQueued++;
        }
        if (windowTimer && (queued >= windowBatch || awaited)) {
          clearTimeout(windowTimer);
          windowTimer = null;
        }
        if (!pumpScheduled && !windowTimer) {
          pumpScheduled = true;
          setImmediate(pump);
        }
      });
    },
    async load(name) {
      ensureOpen();
      return send<StoredDoc | null>({ op: 'load', name });
    },
    async compact(name) {
      ensureOpen();
      postQueued();
      await send<void>({ op: 'compact', name });
    },
    async delete(name) {
      ensureOpen();
      postQueued();
      await send<void>({ op: 'delete', name });
    },
    async list(prefix) {
      ensureOpen();
      return send<DocSummary[]>({ op: 'list', prefix });
    },
    async close() {
      if (closed) return;
      closed = true;
      postQueued();
      try {
        await send<void>({ op: 'close' });
      } finally {
        dead ??= new StoreClosedError(`${file} is closed`);
        await worker.terminate();
      }
    },
  };
}
