/**
 * SQLite DocStore whose connection lives in a worker thread. Same file format, durability and
 * semantics as `sqlite.ts`; the relay's thread only queues appends and posts them.
 *
 * Group commit: at most one commit is in flight; appends arriving meanwhile wait and go together
 * into the next transaction, so the busier the relay, the more appends share each fsync.
 *
 * Commit window: back-to-back commits start at least `commitWindowMs` apart. Each commit costs a
 * fixed ~0.2 ms of CPU (test/scale/engine-cpu.ts: BEGIN/COMMIT, the WAL's fsync and its kernel work,
 * the message to the worker and its reply) against ~10 µs per append in it. Without a window a
 * fast disk finished each commit after ~3 appends at fan-out rates, so that fixed cost was most of
 * the store's CPU per message. test/scale/store-cpu.ts, 1,500 appends/s to 1,000 documents, CPU per
 * append of both threads with ~50 µs of the harness's own (load average 6-9 on 2 cores):
 * window 0: 153-191 µs, 4 ms: 139-146, 8 ms: 113-133, 16 ms: 98; p50 commit latency 4-7 ms with
 * no window, ~8 ms with 8 ms. A store that was quiet for a window commits at once, and so does a
 * queue that already holds enough appends (`WINDOW_BATCH`) to spread the fixed cost thin.
 *
 * The window is paid by every delivery (the relay forwards only what is committed), and the CPU it
 * saves only matters when CPU is short. So by default (`'auto'`) it follows how busy the relay's
 * thread is: closed below AUTO_IDLE_ELU of event-loop utilisation, fully open (AUTO_MAX_WINDOW_MS)
 * from AUTO_BUSY_ELU. Fixed 8 ms gave p99 33 ms at 1,500 msg/s where no window gave 17 ms
 * (bench/results/window-0.md), but no window sustained only 1.0× y-websocket's rate, not 1.5×.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageCorruptError, StoreClosedError } from './errors.js';
import { ownerPairs, sqliteFile, type SqliteStoreOptions } from './sqlite-options.js';
import type { AppendRecord } from './sqlite-engine.js';
import type { SqliteReplies, SqliteReply, SqliteRequest, SqliteRequests, SqliteWorkerData, WireError } from './sqlite-wire.js';
import { StorageUnavailableError, type DocStore, type DocSummary, type StoredDoc } from './types.js';

interface PendingAppend extends AppendRecord {
  resolve(): void;
  reject(error: unknown): void;
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

/** Chosen from the measurements in the header comment: most of the saving for a few ms of ack latency. */
export const AUTO_MAX_WINDOW_MS = 8;
const AUTO_IDLE_ELU = 0.35;
const AUTO_BUSY_ELU = 0.75;
/** how often the automatic window looks at the event loop again */
const AUTO_SAMPLE_MS = 100;

/** The automatic commit window for the relay thread's recent event-loop utilisation (0..1). */
export function autoCommitWindowMs(utilization: number): number {
  const open = Math.min(1, Math.max(0, (utilization - AUTO_IDLE_ELU) / (AUTO_BUSY_ELU - AUTO_IDLE_ELU)));
  return open * AUTO_MAX_WINDOW_MS;
}
/** engine-cpu.ts: at 32 appends a commit's fixed cost is ~0.2 ms / 32, below an append's own. */
const WINDOW_BATCH = 32;

export async function openSqliteThreadedStore(options: SqliteStoreOptions): Promise<DocStore & { readonly file: string }> {
  const file = sqliteFile(options);
  const maxBatch = options.maxBatch ?? 512;
  const commitWindow = options.commitWindowMs ?? 'auto';
  let commitWindowMs = commitWindow === 'auto' ? 0 : commitWindow;
  let eluMark = performance.eventLoopUtilization();
  let eluMarkAt = performance.now();
  const followLoad = (now: number): void => {
    if (commitWindow !== 'auto' || now - eluMarkAt < AUTO_SAMPLE_MS) return;
    const current = performance.eventLoopUtilization();
    commitWindowMs = autoCommitWindowMs(performance.eventLoopUtilization(current, eluMark).utilization);
    eluMark = current;
    eluMarkAt = now;
  };
  // Enough appends to make a commit's fixed cost small: no reason to wait for more. Closed-loop
  // writers (each waiting for its ack) refill the queue at once and must not wait out the window.
  const windowBatch = Math.min(maxBatch, WINDOW_BATCH);
  const { dataDir: _d, fileName: _f, maxBatch: _m, commitWindowMs: _w, ...engineOptions } = options;
  const worker = spawnWorker({ file, options: engineOptions });

  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextId = 1;
  let dead: Error | null = null;
  const queue: PendingAppend[] = [];
  let commitInFlight = false;
  let pumpScheduled = false;
  let lastCommitAt = -Infinity;
  let windowTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const fail = (error: Error): void => {
    dead ??= error;
    for (const w of waiting.values()) w.reject(dead);
    waiting.clear();
    for (const a of queue.splice(0)) a.reject(dead);
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
  const postOutbox = (): void => {
    const requests = outbox;
    outbox = [];
    if (dead || requests.length === 0) return;
    worker.postMessage(requests.length === 1 ? requests[0] : (requests satisfies SqliteRequests));
  };

  function send<T>(request: Request): Promise<T> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (outbox.push({ ...request, id } as SqliteRequest) === 1) setImmediate(postOutbox);
    });
  }

  function commit(batch: PendingAppend[]): Promise<void> {
    const records = batch.map(({ name, update, owners }): AppendRecord => ({ name, update, ...(owners ? { owners } : {}) }));
    return send<void>({ op: 'commit', batch: records, now: Date.now() }).then(
      () => batch.forEach((a) => a.resolve()),
      (error: unknown) => batch.forEach((a) => a.reject(error)),
    );
  }

  function pump(): void {
    pumpScheduled = false;
    if (commitInFlight || windowTimer || queue.length === 0) return;
    const now = performance.now();
    followLoad(now);
    const wait = lastCommitAt + commitWindowMs - now;
    if (wait >= 1 && queue.length < windowBatch) {
      windowTimer = setTimeout(() => {
        windowTimer = null;
        pump();
      }, wait);
      return;
    }
    lastCommitAt = performance.now();
    const batch = queue.splice(0, maxBatch);
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
    while (queue.length > 0) void commit(queue.splice(0, maxBatch));
  }

  const ensureOpen = (): void => {
    if (closed) throw new StoreClosedError(`${file} is closed`);
  };

  return {
    file,
    append(name, update, owners) {
      if (closed) return Promise.reject(new StoreClosedError(`${file} is closed`));
      if (dead) return Promise.reject(dead);
      return new Promise<void>((resolve, reject) => {
        const pairs = ownerPairs(owners);
        // Copied: the caller may reuse its buffer before the batch commits.
        queue.push({ name, update: update.slice(), ...(pairs ? { owners: pairs } : {}), resolve, reject });
        if (windowTimer && queue.length >= windowBatch) {
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
