/**
 * Attachments: files stored once under their SHA-256 in `<data>/blobs/ab/abcdef…`, with an index of
 * which documents reference each blob. Reading a blob needs read access to one of those documents,
 * so a blob is exactly as private as the conversations that mention it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountsDb } from './db.js';

export interface BlobInfo {
  hash: string;
  type: string;
  size: number;
}

export interface Blobs {
  /** Stores the bytes (idempotent by hash) and records that `doc` references them. */
  put(bytes: Uint8Array, type: string, doc: string): Promise<BlobInfo>;
  info(hash: string): BlobInfo | null;
  /** Documents that reference the blob. */
  docs(hash: string): string[];
  read(hash: string): Promise<Uint8Array<ArrayBuffer>>;
}

export const HASH_PATTERN = /^[0-9a-f]{64}$/;

export function createBlobs(db: AccountsDb, dir: string): Blobs {
  const pathOf = (hash: string): string => join(dir, hash.slice(0, 2), hash);
  const insertBlob = db.prepare('INSERT OR IGNORE INTO blobs (hash, type, size, created_at) VALUES (?, ?, ?, ?)');
  const insertRef = db.prepare('INSERT OR IGNORE INTO blob_docs (hash, doc) VALUES (?, ?)');
  const getInfo = db.prepare<[string], BlobInfo>('SELECT hash, type, size FROM blobs WHERE hash = ?');
  const getDocs = db.prepare<[string], { doc: string }>('SELECT doc FROM blob_docs WHERE hash = ? ORDER BY doc');

  return {
    async put(bytes, type, doc) {
      const hash = createHash('sha256').update(bytes).digest('hex');
      const file = pathOf(hash);
      if (!getInfo.get(hash)) {
        await mkdir(join(dir, hash.slice(0, 2)), { recursive: true });
        // Write then rename: a crash never leaves a half file under a hash that claims to be whole.
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, bytes, { flush: true });
        await rename(tmp, file);
      }
      db.transaction(() => {
        insertBlob.run(hash, type, bytes.byteLength, Date.now());
        insertRef.run(hash, doc);
      })();
      return getInfo.get(hash)!;
    },
    info: (hash) => (HASH_PATTERN.test(hash) ? (getInfo.get(hash) ?? null) : null),
    docs: (hash) => getDocs.all(hash).map((r) => r.doc),
    read: async (hash) => new Uint8Array(await readFile(pathOf(hash))),
  };
}
