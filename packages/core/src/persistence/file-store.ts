/**
 * A replica store for Node peers (bots, workers, tests): one append-only log file per document.
 *
 * Record layout: u32 LE payload length, u32 LE crc32 of (kind + payload), u8 kind, payload.
 * kind 0 is a Yjs update, kind 1 an acknowledged state vector. A crash can leave a torn record at
 * the tail; `load` keeps the valid prefix and cuts the rest, so the next append is readable.
 *
 * Appends made in the same tick share one write and one fsync (batching), and each append resolves
 * only after that fsync. Compaction rewrites the log as one merged update into a temporary file and
 * renames it over the log, so a crash leaves either the old or the new log, never half of one.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { mergeEncoded } from '../client/state-vectors.js';
import { shouldCompact, type Replica, type ReplicaStore } from './types.js';

const KIND_UPDATE = 0;
const KIND_ACKED = 1;
const HEADER = 9;
/** Entries appended after which the log is considered for compaction (then doubled if not worth it). */
const FIRST_COMPACTION_CHECK = 64;

export interface FileStoreOptions {
  /** Directory holding one `.log` file per document; created when missing. */
  dir: string;
}

interface Pending {
  records: Buffer[];
  resolve: Array<() => void>;
  reject: Array<(err: unknown) => void>;
}

interface DocFile {
  path: string;
  /** serialises every operation on the file: appends, compaction, clear, load */
  chain: Promise<void>;
  pending: Pending | null;
  entries: number;
  nextCheck: number;
}

export function createFileStore(options: FileStoreOptions): ReplicaStore {
  const files = new Map<string, DocFile>();
  let closed = false;
  // a failed mkdir shows up as the first operation's own error, typed, rather than as a hang
  const ready = fs.mkdir(options.dir, { recursive: true }).then(
    () => undefined,
    () => undefined,
  );

  const fileOf = (name: string): DocFile => {
    if (closed) throw new ParleyError('storage', 'replica store is closed');
    const known = files.get(name);
    if (known) return known;
    const f: DocFile = { path: join(options.dir, fileName(name)), chain: ready, pending: null, entries: 0, nextCheck: FIRST_COMPACTION_CHECK };
    files.set(name, f);
    return f;
  };

  /** Runs `op` after everything queued on this file; a failed op does not poison later ones. */
  const enqueue = <T>(f: DocFile, op: () => Promise<T>): Promise<T> => {
    const result = f.chain.then(op);
    f.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  const write = (f: DocFile, record: Buffer): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (!f.pending) {
        const batch: Pending = (f.pending = { records: [], resolve: [], reject: [] });
        void enqueue(f, async () => {
          f.pending = null;
          try {
            await appendDurably(f.path, Buffer.concat(batch.records));
            f.entries += batch.records.length;
            batch.resolve.forEach((r) => r());
          } catch (err) {
            const e = toStoreError(err);
            batch.reject.forEach((r) => r(e));
            return;
          }
          if (f.entries >= f.nextCheck) await compact(f, await readLog(f.path), false).catch(() => undefined);
        });
      }
      f.pending.records.push(record);
      f.pending.resolve.push(resolve);
      f.pending.reject.push(reject);
    });

  /** Rewrites the log as one merged update (and one acked vector); returns the log as it now is. */
  const compact = async (f: DocFile, log: Log, onLoad: boolean): Promise<Log> => {
    const merged = log.updates.length > 0 ? Y.mergeUpdates(log.updates) : null;
    if (log.entries <= 1 || (!onLoad && !shouldCompact(log.entries, log.bytes, merged?.length ?? 0))) {
      f.entries = log.entries;
      f.nextCheck = Math.max(FIRST_COMPACTION_CHECK, log.entries * 2);
      return log;
    }
    const acked = log.acked.length > 0 ? mergeEncoded(log.acked) : null;
    const records = [];
    if (merged) records.push(encodeRecord(KIND_UPDATE, merged));
    if (acked) records.push(encodeRecord(KIND_ACKED, acked));
    const tmp = `${f.path}.tmp`;
    await writeDurably(tmp, Buffer.concat(records));
    await fs.rename(tmp, f.path);
    await syncDir(options.dir);
    f.entries = records.length;
    f.nextCheck = FIRST_COMPACTION_CHECK;
    const bytes = merged?.length ?? 0;
    return { updates: merged ? [merged] : [], acked: acked ? [acked] : [], entries: records.length, bytes, validBytes: bytes, fileBytes: bytes };
  };

  return {
    async load(name): Promise<Replica> {
      const f = fileOf(name);
      return enqueue(f, async () => {
        let log = await readLog(f.path);
        if (log.validBytes < log.fileBytes) await fs.truncate(f.path, log.validBytes);
        f.entries = log.entries;
        // a failed compaction leaves the old log in place, which is still whole
        log = await compact(f, log, true).catch(() => log);
        return { updates: log.updates, acked: log.acked.length > 0 ? mergeEncoded(log.acked) : null };
      });
    },
    append(name, update) {
      return write(fileOf(name), encodeRecord(KIND_UPDATE, update));
    },
    saveAcked(name, stateVector) {
      return write(fileOf(name), encodeRecord(KIND_ACKED, stateVector));
    },
    async clear(name) {
      const f = fileOf(name);
      await enqueue(f, async () => {
        await fs.rm(f.path, { force: true });
        await fs.rm(`${f.path}.tmp`, { force: true });
        f.entries = 0;
        f.nextCheck = FIRST_COMPACTION_CHECK;
      });
    },
    async close() {
      closed = true;
      await Promise.all([...files.values()].map((f) => f.chain));
      files.clear();
    },
  };
}

/** Document names contain '/', and a file name is at most 255 bytes: encode, hash the long ones. */
function fileName(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded.length <= 200 ? `${encoded}.log` : `${createHash('sha256').update(name).digest('hex')}.log`;
}

function encodeRecord(kind: number, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt8(kind, 8);
  record.set(payload, HEADER);
  record.writeUInt32LE(crc32(record.subarray(8)), 4);
  return record;
}

interface Log {
  updates: Uint8Array[];
  acked: Uint8Array[];
  entries: number;
  /** bytes of update payloads */
  bytes: number;
  validBytes: number;
  fileBytes: number;
}

async function readLog(path: string): Promise<Log> {
  let data: Buffer;
  try {
    data = await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { updates: [], acked: [], entries: 0, bytes: 0, validBytes: 0, fileBytes: 0 };
    throw toStoreError(err);
  }
  const log: Log = { updates: [], acked: [], entries: 0, bytes: 0, validBytes: 0, fileBytes: data.length };
  let at = 0;
  while (at + HEADER <= data.length) {
    const length = data.readUInt32LE(at);
    const end = at + HEADER + length;
    // a torn or corrupt record ends the readable log: everything after it was never acknowledged as written
    if (end > data.length || crc32(data.subarray(at + 8, end)) !== data.readUInt32LE(at + 4)) break;
    const payload = new Uint8Array(data.subarray(at + HEADER, end));
    if (data.readUInt8(at + 8) === KIND_UPDATE) {
      log.updates.push(payload);
      log.bytes += length;
    } else {
      log.acked.push(payload);
    }
    log.entries++;
    at = end;
  }
  log.validBytes = at;
  return log;
}

async function appendDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(path, 'a');
  try {
    await handle.write(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(path, 'w');
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable on Linux; platforms that cannot open a directory simply skip it. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here (Windows); the rename itself is still atomic
  }
}

function toStoreError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ParleyError('quota_exceeded', 'no space left for the replica', { cause: err });
  return new ParleyError('storage', `replica store failed: ${(err as Error).message}`, { cause: err });
}
