/**
 * The SQLite store's synchronous core: schema, durability settings and the SQL for each operation.
 * It runs either on the relay's thread (`sqlite.ts`) or in a worker thread (`sqlite-worker.ts`),
 * which is why it holds no promises and no queues.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as Y from 'yjs';
import { StorageCorruptError, unavailable } from './errors.js';
import type { DocSummary, StoredDoc } from './types.js';

export interface SqliteEngineOptions {
  /**
   * Upper bound on the database size. Appends beyond it fail with StorageUnavailableError, exactly
   * as on a full disk; a quota keeps one runaway workspace from filling the machine.
   */
  maxBytes?: number;
  /**
   * integrity check on open: 'quick' reads every page once (default) unless the file is exactly the
   * one this engine left at its last clean close (see `cleanCloseMarker`); 'none' trusts the file
   */
  check?: 'quick' | 'none';
}

export interface AppendRecord {
  name: string;
  update: Uint8Array;
  /** client id → principal, as [id, principal] pairs so the record crosses threads as is */
  owners?: Array<[number, string]>;
}

export interface SqliteEngine {
  /** One transaction for the whole batch: all committed (and fsynced) or none. */
  commit(batch: readonly AppendRecord[], now: number): void;
  load(name: string): StoredDoc | null;
  compact(name: string): void;
  delete(name: string): void;
  list(prefix: string): DocSummary[];
  close(): void;
}

const SCHEMA_VERSION = 1;

/** SQLite result codes that mean "cannot write now" rather than "the data is wrong". */
const UNAVAILABLE_CODES = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|PERM)/;
const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

const sqliteCode = (error: unknown): string => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
};

/** Turns a SQLite error into the store's typed errors; anything unexpected passes through. */
export function classifySqliteError(file: string, what: string, error: unknown): unknown {
  const code = sqliteCode(error);
  if (UNAVAILABLE_CODES.test(code)) return unavailable(`${file}: ${what}`, error);
  if (CORRUPT_CODES.test(code)) return new StorageCorruptError(file, (error as Error).message);
  return error;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asUint8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

interface SummaryRow {
  name: string;
  created_at: number;
  updated_at: number;
  bytes: number;
}

export function openSqliteEngine(file: string, options: SqliteEngineOptions = {}): SqliteEngine {
  const { db, verified } = openDatabase(file, options);
  const stmt = {
    upsertDoc: db.prepare(
      `INSERT INTO docs (name, created_at, updated_at, bytes) VALUES (@name, @now, @now, @bytes)
       ON CONFLICT (name) DO UPDATE SET updated_at = max(updated_at, excluded.updated_at), bytes = bytes + excluded.bytes`,
    ),
    insertUpdate: db.prepare('INSERT INTO updates (doc, bytes, created_at) VALUES (?, ?, ?)'),
    insertOwner: db.prepare('INSERT INTO owners (doc, client, principal) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    selectUpdates: db.prepare<[string], { seq: number; bytes: Buffer }>('SELECT seq, bytes FROM updates WHERE doc = ? ORDER BY seq'),
    selectOwners: db.prepare<[string], { client: number; principal: string }>('SELECT client, principal FROM owners WHERE doc = ?'),
    selectDoc: db.prepare<[string], { updated_at: number }>('SELECT updated_at FROM docs WHERE name = ?'),
    replaceUpdate: db.prepare('UPDATE updates SET bytes = ? WHERE seq = ?'),
    deleteUpdatesBefore: db.prepare('DELETE FROM updates WHERE doc = ? AND seq < ?'),
    setDocBytes: db.prepare('UPDATE docs SET bytes = ? WHERE name = ?'),
    deleteUpdates: db.prepare('DELETE FROM updates WHERE doc = ?'),
    deleteOwners: db.prepare('DELETE FROM owners WHERE doc = ?'),
    deleteDoc: db.prepare('DELETE FROM docs WHERE name = ?'),
    listFrom: db.prepare<[string], SummaryRow>('SELECT name, created_at, updated_at, bytes FROM docs WHERE name >= ? ORDER BY name'),
  };

  const commit = db.transaction((batch: readonly AppendRecord[], now: number) => {
    for (const append of batch) {
      stmt.upsertDoc.run({ name: append.name, now, bytes: append.update.byteLength });
      stmt.insertUpdate.run(append.name, asBuffer(append.update), now);
      for (const [client, principal] of append.owners ?? []) stmt.insertOwner.run(append.name, client, principal);
    }
  });

  const compact = db.transaction((name: string) => {
    const rows = stmt.selectUpdates.all(name);
    if (rows.length < 2) return;
    const merged = Y.mergeUpdates(rows.map((r) => asUint8(r.bytes)));
    const last = rows[rows.length - 1]!.seq;
    // The merged update takes the newest row's place, so anything appended later still sorts after it.
    stmt.replaceUpdate.run(asBuffer(merged), last);
    stmt.deleteUpdatesBefore.run(name, last);
    stmt.setDocBytes.run(merged.byteLength, name);
  });

  const remove = db.transaction((name: string) => {
    stmt.deleteUpdates.run(name);
    stmt.deleteOwners.run(name);
    stmt.deleteDoc.run(name);
  });

  // A read is one implicit transaction per statement; wrapping load in one keeps its three reads consistent.
  const load = db.transaction((name: string): StoredDoc | null => {
    const doc = stmt.selectDoc.get(name);
    if (!doc) return null;
    return {
      updates: stmt.selectUpdates.all(name).map((r) => asUint8(r.bytes)),
      owners: new Map(stmt.selectOwners.all(name).map((o) => [o.client, o.principal] as const)),
      updatedAt: doc.updated_at,
    };
  });

  return {
    commit: (batch, now) => commit(batch, now),
    load: (name) => load(name),
    compact: (name) => compact(name),
    delete: (name) => remove(name),
    list(prefix) {
      const out: DocSummary[] = [];
      // A range scan on the primary key that stops at the first name past the prefix.
      for (const row of stmt.listFrom.iterate(prefix)) {
        if (!row.name.startsWith(prefix)) break;
        out.push({ name: row.name, createdAt: row.created_at, updatedAt: row.updated_at, bytes: row.bytes });
      }
      return out;
    },
    close() {
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      // Only a file that was checked (or vouched for) at open and closed without error is vouched for.
      if (verified) recordCleanClose(file);
    },
  };
}

function openDatabase(file: string, options: SqliteEngineOptions): { db: Database.Database; verified: boolean } {
  const check = options.check ?? 'quick';
  // Before the first read: opening in WAL mode creates the -wal file this looks for.
  const skipCheck = check === 'quick' && closedCleanAsIs(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw unavailable(`cannot open ${file}`, error);
  }
  try {
    // Reading the schema version is the first touch of the header: a non-database fails here.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StorageCorruptError(file, `schema version ${version} was written by a newer Parley (this one knows ${SCHEMA_VERSION})`);
    }
    if (check === 'quick' && !skipCheck) {
      const problems = db.pragma('quick_check') as Array<{ quick_check: string }>;
      if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
        throw new StorageCorruptError(file, `integrity check failed: ${problems.slice(0, 3).map((p) => p.quick_check).join('; ')}`);
      }
    }
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at each commit, which survives kill -9
    // but can lose the last commits on power loss, and those commits were already acknowledged to
    // clients ([P7]). Group commit pays for FULL with one fsync per batch rather than per update.
    db.pragma('synchronous = FULL');
    // Another process (a backup, the sqlite3 shell) may hold the lock briefly; wait instead of failing.
    db.pragma('busy_timeout = 5000');
    if (options.maxBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
    }
    if (version < SCHEMA_VERSION) createSchema(db);
    return { db, verified: check === 'quick' };
  } catch (error) {
    db.close();
    if (error instanceof StorageCorruptError) throw error;
    if (CORRUPT_CODES.test(sqliteCode(error))) throw new StorageCorruptError(file, (error as Error).message);
    throw unavailable(`cannot open ${file}`, error);
  }
}

/**
 * `PRAGMA quick_check` reads every page, so it grows with the stored documents (about 0.2 s for
 * 10,000 conversations) and delayed every start (issue 6). A clean close therefore leaves this file
 * beside the database, naming the exact file it left: device, inode, size, and modification and
 * change times to the nanosecond. The next open skips the check only when all of them still match
 * and no WAL is left over, and removes the marker before its first write, so that a crash never
 * leaves one behind. A file that was copied, restored, truncated, edited by any tool (touch and
 * `cp -p` still move the change time) or written by a process that died is checked in full as
 * before. What is given up: damage that changes none of these (the disk flipping bits under an
 * unchanged inode) is found when the damaged page is read (SQLITE_CORRUPT → StorageCorruptError)
 * instead of at start.
 */
export const cleanCloseMarker = (file: string): string => `${file}.clean`;

/** What the marker records; null where the file system's times are too coarse to rely on. */
export function fileIdentity(file: string): string | null {
  const s = statSync(file, { bigint: true });
  // Whole-second timestamps (FAT, some network file systems) cannot tell a later edit from our own.
  if (s.mtimeNs % 1_000_000_000n === 0n) return null;
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

function closedCleanAsIs(file: string): boolean {
  const marker = cleanCloseMarker(file);
  try {
    if (!existsSync(marker)) return false;
    const recorded = readFileSync(marker, 'utf8');
    // A marker that cannot be removed could outlive the writes that follow: then check, as before.
    rmSync(marker);
    return !existsSync(`${file}-wal`) && recorded === fileIdentity(file);
  } catch {
    return false;
  }
}

/** The file system's clock ticks coarsely (a few ms); the marker is written only once it has moved on. */
const TIMESTAMP_SETTLE_MS = 20;

function recordCleanClose(file: string): void {
  try {
    if (existsSync(`${file}-wal`)) return;
    // Otherwise an edit in the same clock tick as our last write could keep the recorded times.
    const wait = Number(statSync(file, { bigint: true }).mtimeNs / 1_000_000n) + TIMESTAMP_SETTLE_MS - Date.now();
    if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(wait, TIMESTAMP_SETTLE_MS));
    const id = fileIdentity(file);
    if (id !== null) writeFileSync(cleanCloseMarker(file), id);
  } catch {
    // Without a marker the next start runs the full check: slower, never less safe.
  }
}

function createSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS docs (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- seq is the rowid: one increasing sequence for all documents keeps each log in append order.
      CREATE TABLE IF NOT EXISTS updates (
        seq INTEGER PRIMARY KEY,
        doc TEXT NOT NULL,
        bytes BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc, seq);
      CREATE TABLE IF NOT EXISTS owners (
        doc TEXT NOT NULL,
        client INTEGER NOT NULL,
        principal TEXT NOT NULL,
        PRIMARY KEY (doc, client)
      ) WITHOUT ROWID;
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
