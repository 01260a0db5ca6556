/**
 * Worker-thread side of the threaded SQLite store: owns the database connection and answers one
 * request at a time (a posted batch in order), so commits (fsync) and compaction (Y.mergeUpdates) never block the relay's
 * event loop. Requests are processed in the order posted, which keeps the store's call order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StorageCorruptError } from './errors.js';
import { classifySqliteError, openSqliteEngine, type SqliteEngine } from './sqlite-engine.js';
import { StorageUnavailableError } from './types.js';
import { unpackAppends, type SqliteReplies, type SqliteReply, type SqliteRequest, type SqliteRequests, type SqliteWorkerData, type WireError } from './sqlite-wire.js';

const { file, options } = workerData as SqliteWorkerData;
const port = parentPort!;

function toWire(error: unknown): WireError {
  if (error instanceof StorageCorruptError) return { kind: 'corrupt', file: error.file, detail: error.detail };
  if (error instanceof StorageUnavailableError) return { kind: 'unavailable', message: error.message };
  return { kind: 'other', message: (error as Error)?.stack ?? String(error) };
}

let engine: SqliteEngine;
try {
  engine = openSqliteEngine(file, options);
  port.postMessage({ id: 0, ok: true, value: null } satisfies SqliteReply);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: toWire(error) } satisfies SqliteReply);
  process.exit(0);
}

/** Copies each update into a buffer of its own and lists it for transfer: no whole-page clones. */
function detach(updates: Uint8Array[], transfer: ArrayBuffer[]): Uint8Array[] {
  return updates.map((u) => {
    const own = u.slice();
    transfer.push(own.buffer as ArrayBuffer);
    return own;
  });
}

port.on('message', (requests: SqliteRequests) => {
  const transfer: ArrayBuffer[] = [];
  if (!Array.isArray(requests)) return port.postMessage(answer(requests, transfer), transfer);
  const replies = requests.map((request) => answer(request, transfer));
  port.postMessage(replies satisfies SqliteReplies, transfer);
});

function answer(request: SqliteRequest, transfer: ArrayBuffer[]): SqliteReply {
  let value: unknown = null;
  try {
    switch (request.op) {
      case 'commit':
        engine.commit(unpackAppends(request.records), request.now);
        break;
      case 'load': {
        const doc = engine.load(request.name);
        value = doc && { ...doc, updates: detach(doc.updates, transfer) };
        break;
      }
      case 'compact':
        engine.compact(request.name);
        break;
      case 'delete':
        engine.delete(request.name);
        break;
      case 'list':
        value = engine.list(request.prefix);
        break;
      case 'close':
        engine.close();
        break;
    }
  } catch (error) {
    const what = request.op === 'commit' ? 'cannot commit' : `cannot ${request.op}`;
    return { id: request.id, ok: false, error: toWire(classifySqliteError(file, what, error)) };
  }
  return { id: request.id, ok: true, value };
}
