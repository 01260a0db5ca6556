/**
 * Postgres DocStore for relays that outgrow one machine: several relay processes share it.
 * Appends are grouped: while one transaction is in flight the next batch gathers, and every append
 * resolves only after its batch committed.
 *
 * Per-document order: every writer first takes the document's row lock in `docs` (upsert or
 * SELECT ... FOR UPDATE) and only then touches `updates`, so compaction and appends to one document
 * are serialised even across processes, and `seq` order within a document is commit order.
 */
import pg from 'pg';
import * as Y from 'yjs';
import { StoreClosedError, unavailable } from './errors.js';
import type { DocStore, DocSummary, StoredDoc } from './types.js';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** schema holding Parley's tables (default `parley`); tests use one schema each */
  schema?: string;
  /** pool size (default 8) */
  poolSize?: number;
  /** most appends in one transaction (default 512) */
  maxBatch?: number;
  /**
   * Append transactions in flight at once (default 4). A document is written by one of them at a
   * time: its later appends wait for the next batch, so `seq` is call order (see nextBatch).
   */
  maxInFlight?: number;
}

interface PendingAppend {
  /** settles with the append's promise; compaction and deletion wait for those called before them */
  settled: Promise<unknown>;
  name: string;
  update: Uint8Array;
  owners: ReadonlyMap<number, string> | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Connection loss, server shutdown, disk full, read-only standby, too many connections: the
 * relay cannot commit now but may later ([P12]). Anything else is a bug and surfaces as is.
 */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return /Connection terminated|timeout|not queryable/i.test((error as Error)?.message ?? '');
  return /^(E[A-Z]+|08...|53...|57P..|58...|25006|40001|40P01)$/.test(code);
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<DocStore> {
  const schema = options.schema ?? 'parley';
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`invalid Postgres schema name ${JSON.stringify(schema)}`);
  const maxBatch = options.maxBatch ?? 512;
  const maxInFlight = options.maxInFlight ?? 4;
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 8, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection emits here; without a listener it would crash the process.
  pool.on('error', () => {});
  const t = (table: string): string => `"${schema}".${table}`;

  const where = `postgres ${schema}`;
  const wrap = (what: string, error: unknown): unknown => (isUnavailable(error) ? unavailable(`${where}: ${what}`, error) : error);

  async function inTransaction<T>(run: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await pool.connect();
    // pg-pool listens for errors only on idle clients. A server that ends this session while it is
    // checked out (restart, failover, pg_terminate_backend) emits 'error' on the client, which would
    // be an uncaught exception ending the relay; the failed query below already reports it.
    const ignoreLoss = (): void => undefined;
    client.on('error', ignoreLoss);
    try {
      await client.query(begin);
      const result = await run(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // A broken connection must not go back to the pool; a healthy one just rolls back.
      await client.query('ROLLBACK').then(
        () => client.release(),
        () => client.release(true),
      );
      throw error;
    } finally {
      client.off('error', ignoreLoss);
    }
  }

  try {
    await inTransaction(async (client) => {
      // Two relay nodes starting together would race on CREATE ... IF NOT EXISTS; serialise them.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`parley-schema:${schema}`]);
      await client.query(`
        CREATE SCHEMA IF NOT EXISTS "${schema}";
        CREATE TABLE IF NOT EXISTS ${t('docs')} (
          name text COLLATE "C" PRIMARY KEY,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          bytes bigint NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${t('updates')} (
          doc text COLLATE "C" NOT NULL,
          seq bigserial NOT NULL,
          bytes bytea NOT NULL,
          created_at bigint NOT NULL,
          PRIMARY KEY (doc, seq)
        );
        CREATE TABLE IF NOT EXISTS ${t('owners')} (
          doc text COLLATE "C" NOT NULL,
          client bigint NOT NULL,
          principal text NOT NULL,
          PRIMARY KEY (doc, client)
        );`);
    });
  } catch (error) {
    await pool.end();
    throw wrap('cannot create schema', error);
  }

  const queue: PendingAppend[] = [];
  const inFlight = new Set<Promise<void>>();
  let pumpScheduled = false;
  /** documents being written by a transaction in flight, with how many such transactions */
  const committingDocs = new Map<string, number>();
  let closed = false;

  async function commitBatch(batch: PendingAppend[]): Promise<void> {
    const now = Date.now();
    // One row per document, in name order: every transaction locks documents in the same order,
    // so two relay nodes committing batches cannot deadlock.
    const perDoc = new Map<string, number>();
    for (const a of batch) perDoc.set(a.name, (perDoc.get(a.name) ?? 0) + a.update.byteLength);
    const names = [...perDoc.keys()].sort();
    const ownerRows = batch.flatMap((a) => [...(a.owners ?? [])].map(([client, principal]) => [a.name, client, principal] as const));
    await inTransaction(async (client) => {
      await client.query(
        `INSERT INTO ${t('docs')} (name, created_at, updated_at, bytes)
         SELECT name, $2, $2, bytes FROM unnest($1::text[], $3::bigint[]) AS u(name, bytes)
         ON CONFLICT (name) DO UPDATE SET updated_at = GREATEST(${t('docs')}.updated_at, excluded.updated_at),
           bytes = ${t('docs')}.bytes + excluded.bytes`,
        [names, now, names.map((n) => perDoc.get(n))],
      );
      await client.query(
        `INSERT INTO ${t('updates')} (doc, bytes, created_at)
         SELECT doc, bytes, $3 FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS u(doc, bytes, i) ORDER BY i`,
        [batch.map((a) => a.name), batch.map((a) => Buffer.from(a.update.buffer, a.update.byteOffset, a.update.byteLength)), now],
      );
      if (ownerRows.length > 0) {
        // Row by row in call order so the first claim in the batch is the one that wins.
        await client.query(
          `INSERT INTO ${t('owners')} (doc, client, principal)
           SELECT doc, client, principal FROM unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS u(doc, client, principal, i)
           ORDER BY i ON CONFLICT DO NOTHING`,
          [ownerRows.map((r) => r[0]), ownerRows.map((r) => r[1]), ownerRows.map((r) => r[2])],
        );
      }
    });
  }

  /**
   * Starts batches while fewer than `maxInFlight` are committing. Appends arriving meanwhile queue
   * up and go together into the next free transaction: the busier, the bigger the batches.
   */
  function pump(): void {
    pumpScheduled = false;
    while (inFlight.size < maxInFlight && queue.length > 0) {
      const batch = nextBatch();
      if (batch.length === 0) return;
      for (const a of batch) committingDocs.set(a.name, (committingDocs.get(a.name) ?? 0) + 1);
      const committing: Promise<void> = commitBatch(batch).then(
        () => batch.forEach((a) => a.resolve()),
        (error: unknown) => {
          const failure = wrap('cannot commit', error);
          batch.forEach((a) => a.reject(failure));
        },
      );
      inFlight.add(committing);
      void committing.then(() => {
        inFlight.delete(committing);
        for (const a of batch) {
          const left = committingDocs.get(a.name)! - 1;
          if (left === 0) committingDocs.delete(a.name);
          else committingDocs.set(a.name, left);
        }
        pump();
      });
    }
  }

  /**
   * The queue's first appends, up to `maxBatch`, leaving in it (in order) those of documents a
   * transaction in flight is writing. Two transactions appending to one document would take its
   * row lock in whichever order their connections get there, and `seq` would not be call order;
   * the relay appends a busy conversation's updates without waiting for each other's commit.
   */
  function nextBatch(): PendingAppend[] {
    if (committingDocs.size === 0) return queue.splice(0, maxBatch);
    const batch: PendingAppend[] = [];
    const waiting: PendingAppend[] = [];
    for (const a of queue) {
      if (batch.length < maxBatch && !committingDocs.has(a.name)) batch.push(a);
      else waiting.push(a);
    }
    queue.splice(0, queue.length, ...waiting);
    return batch;
  }

  /** Settles once every append called so far has committed or failed. */
  function appendsSoFar(): Promise<unknown> {
    pump();
    return Promise.allSettled([...inFlight, ...queue.map((a) => a.settled)]);
  }

  async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreClosedError(`${where} is closed`);
    try {
      return await run();
    } catch (error) {
      throw wrap(what, error);
    }
  }

  return {
    append(name, update, owners) {
      if (closed) return Promise.reject(new StoreClosedError(`${where} is closed`));
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Copied: the caller may reuse its buffer before the batch commits.
      queue.push({ name, update: update.slice(), owners, resolve, reject, settled: done.catch(() => {}) });
      // setImmediate: the appends of this loop turn (one per socket message) join one batch.
      if (!pumpScheduled) {
        pumpScheduled = true;
        setImmediate(pump);
      }
      return done;
    },

    load(name) {
      return guarded('cannot read', () =>
        inTransaction(async (client): Promise<StoredDoc | null> => {
          const doc = await client.query<{ updated_at: string }>(`SELECT updated_at FROM ${t('docs')} WHERE name = $1`, [name]);
          if (doc.rowCount === 0) return null;
          const updates = await client.query<{ bytes: Buffer }>(`SELECT bytes FROM ${t('updates')} WHERE doc = $1 ORDER BY seq`, [name]);
          const owners = await client.query<{ client: string; principal: string }>(
            `SELECT client, principal FROM ${t('owners')} WHERE doc = $1`,
            [name],
          );
          return {
            updates: updates.rows.map((r) => new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength)),
            owners: new Map(owners.rows.map((o) => [Number(o.client), o.principal] as const)),
            updatedAt: Number(doc.rows[0]!.updated_at),
          };
        }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'),
      );
    },

    compact(name) {
      return guarded('cannot compact', async () => {
        // Appends already called come first, as in the SQLite store.
        await appendsSoFar();
        await inTransaction(async (client) => {
          const locked = await client.query(`SELECT 1 FROM ${t('docs')} WHERE name = $1 FOR UPDATE`, [name]);
          if (locked.rowCount === 0) return;
          const rows = await client.query<{ seq: string; bytes: Buffer }>(
            `SELECT seq, bytes FROM ${t('updates')} WHERE doc = $1 ORDER BY seq`,
            [name],
          );
          if (rows.rows.length < 2) return;
          const merged = Y.mergeUpdates(rows.rows.map((r) => new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength)));
          const last = rows.rows[rows.rows.length - 1]!.seq;
          await client.query(`UPDATE ${t('updates')} SET bytes = $3 WHERE doc = $1 AND seq = $2`, [name, last, Buffer.from(merged)]);
          await client.query(`DELETE FROM ${t('updates')} WHERE doc = $1 AND seq < $2`, [name, last]);
          await client.query(`UPDATE ${t('docs')} SET bytes = $2 WHERE name = $1`, [name, merged.byteLength]);
        });
      });
    },

    delete(name) {
      return guarded('cannot delete', async () => {
        await appendsSoFar();
        await inTransaction(async (client) => {
          await client.query(`SELECT 1 FROM ${t('docs')} WHERE name = $1 FOR UPDATE`, [name]);
          await client.query(`DELETE FROM ${t('updates')} WHERE doc = $1`, [name]);
          await client.query(`DELETE FROM ${t('owners')} WHERE doc = $1`, [name]);
          await client.query(`DELETE FROM ${t('docs')} WHERE name = $1`, [name]);
        });
      });
    },

    list(prefix) {
      return guarded('cannot list', async () => {
        // A range on the "C"-collated primary key: byte order, index-backed, no LIKE escaping.
        const rows = await pool.query<{ name: string; created_at: string; updated_at: string; bytes: string }>(
          `SELECT name, created_at, updated_at, bytes FROM ${t('docs')}
           WHERE name >= $1 AND ($2::text IS NULL OR name < $2) ORDER BY name`,
          [prefix, prefixEnd(prefix)],
        );
        return rows.rows
          .filter((r) => r.name.startsWith(prefix))
          .map((r): DocSummary => ({ name: r.name, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), bytes: Number(r.bytes) }));
      });
    },

    async close() {
      if (closed) return;
      // Closed first, so nothing new slips in while the accepted appends commit.
      closed = true;
      await appendsSoFar();
      await pool.end();
    },
  };
}

/**
 * The smallest string greater than every string starting with `prefix` (null: no upper bound).
 * Increments the last character below U+FFFF; the caller's startsWith filter covers the rest.
 */
function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xd7ff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return null;
}
