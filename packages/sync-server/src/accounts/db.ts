/**
 * The relay's own small records (workspaces, agent accounts, pairing codes, the blob index) live in
 * one SQLite file beside the document store: `<data>/accounts.sqlite`. They are tiny and written
 * rarely, so a separate file keeps them out of the hot update log and lets Postgres deployments
 * keep documents elsewhere.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type AccountsDb = Database.Database;

const schema = `
CREATE TABLE IF NOT EXISTS workspaces (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY,
  ws TEXT NOT NULL REFERENCES workspaces(id),
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
  salt BLOB NOT NULL,
  hash BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS account_teams (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  team TEXT NOT NULL,
  PRIMARY KEY (account_id, team)
);
-- Tokens are not stored, so revoking a principal voids every token it was issued up to a moment.
CREATE TABLE IF NOT EXISTS revoked_tokens (
  ws TEXT NOT NULL,
  role TEXT NOT NULL,
  sub TEXT NOT NULL,
  issued_up_to INTEGER NOT NULL,
  PRIMARY KEY (ws, role, sub)
);
CREATE TABLE IF NOT EXISTS pairing_codes (
  code_hash TEXT PRIMARY KEY,
  ws TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  name TEXT,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS blobs (
  hash TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_docs (
  hash TEXT NOT NULL REFERENCES blobs(hash),
  doc TEXT NOT NULL,
  PRIMARY KEY (hash, doc)
);
`;

/** Opens (and creates) the file; `:memory:` for tests that need no persistence. */
export function openAccountsDb(file: string): AccountsDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Several relay processes may share a data folder in tests; wait for the writer instead of failing.
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  migrate(db);
  return db;
}

/**
 * Columns added after files already existed in the field. `CREATE TABLE IF NOT EXISTS` covers new
 * tables; a new column on an old table needs `ALTER TABLE`, once, which this checks by name.
 */
function migrate(db: AccountsDb): void {
  const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(accounts)').all().map((c) => c.name));
  const add = (column: string, type: string): void => {
    if (columns.has(column)) return;
    try {
      db.exec(`ALTER TABLE accounts ADD COLUMN ${column} ${type}`);
    } catch (err) {
      // Another relay process on the same data folder migrated first.
      if (!/duplicate column/i.test((err as Error).message)) throw err;
    }
  };
  // null: active; otherwise when an admin disabled the account (sign-in and refresh refused).
  add('disabled_at', 'INTEGER');
  // null: no picture; the agent app shows the initial.
  add('avatar', 'TEXT');
}
