/**
 * What only the Postgres store has: several relay processes writing one database, and a server
 * that can drop connections under it.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openPostgresStore } from './postgres.js';
import { databaseUrl, probePostgres } from './service-probe.js';
import { StorageUnavailableError, type DocStore } from './types.js';

const postgres = await probePostgres();

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgres.available)('Postgres store', () => {
  const schemas: string[] = [];
  const stores: DocStore[] = [];
  let n = 0;
  const schema = (): string => {
    const name = `parley_pg_${process.pid}_${n++}`;
    schemas.push(name);
    return name;
  };
  const open = async (name: string, applicationName?: string): Promise<DocStore> => {
    const url = applicationName ? `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}application_name=${applicationName}` : databaseUrl;
    const store = await openPostgresStore({ url, schema: name });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    await admin(async (c) => {
      for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    });
  });

  it('two stores (two relay nodes) opening at once both create and share the schema', async () => {
    const name = schema();
    const [one, two] = await Promise.all([open(name), open(name)]);
    await one!.append('d/shared', new Uint8Array([0, 0]));
    expect((await two!.list('d/')).map((s) => s.name)).toEqual(['d/shared']);
  });

  it('keeps call order for one document when its appends would fill several transactions at once', async () => {
    // One append per transaction and four in flight: without care, the four race for the
    // document's row lock and `seq` records whichever got there first.
    const store = await openPostgresStore({ url: databaseUrl, schema: schema(), maxBatch: 1, maxInFlight: 4 });
    stores.push(store);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 60; i++) doc.getArray('messages').push([`m${i}`]);
    const other = new Uint8Array([0, 0]);
    await Promise.all(updates.flatMap((u, i) => [store.append('d/busy', u), ...(i % 3 === 0 ? [store.append('d/other', other)] : [])]));
    const loaded = await store.load('d/busy');
    expect(loaded!.updates.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
    expect((await store.load('d/other'))!.updates).toHaveLength(20);
  });

  it('loses no append when two nodes append and compact one document concurrently', async () => {
    const name = schema();
    const [one, two] = await Promise.all([open(name), open(name)]);
    const writers = [1, 2].map((clientID) => {
      const doc = new Y.Doc();
      doc.clientID = clientID;
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      for (let k = 0; k < 150; k++) doc.getArray<string>('a').push([`${clientID}:${k}`]);
      return updates;
    });
    const work: Promise<void>[] = [];
    for (let k = 0; k < 150; k++) {
      work.push(one!.append('d/race', writers[0]![k]!), two!.append('d/race', writers[1]![k]!));
      if (k % 20 === 10) work.push(one!.compact('d/race'), two!.compact('d/race'));
    }
    await Promise.all(work);
    const loaded = await one!.load('d/race');
    const doc = new Y.Doc();
    for (const u of loaded!.updates) Y.applyUpdate(doc, u);
    expect(doc.getArray('a').length).toBe(300);
    const [summary] = await two!.list('d/race');
    expect(summary!.bytes).toBe(loaded!.updates.reduce((s, u) => s + u.byteLength, 0));
  });

  it('[P12] a session ended while a commit holds it fails that commit only, without an uncaught error', async () => {
    const name = schema();
    const app = `parley_held_${process.pid}`;
    const store = await open(name, app);
    await store.append('d/held', new Uint8Array([0, 0]));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const blocker = new pg.Client({ connectionString: databaseUrl });
    await blocker.connect();
    try {
      // Hold the document's row so the store's next commit waits inside its transaction, with its
      // pooled client checked out: the moment pg-pool does not watch the client for errors.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${name}".docs WHERE name = 'd/held' FOR UPDATE`);
      const held = store.append('d/held', new Uint8Array([0, 0])).then(
        () => null,
        (error: unknown) => error,
      );
      const waitingPid = async (): Promise<number> => {
        for (let tries = 0; tries < 200; tries++) {
          const { rows } = await admin((c) => c.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]));
          if (rows.length > 0) return rows[0].pid as number;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`the store's commit never waited on the held row (application_name ${app})`);
      };
      const pid = await waitingPid();
      await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
      expect(await held).toBeInstanceOf(StorageUnavailableError);
      await blocker.query('ROLLBACK');
      // Give a late 'error' event from the dead session a turn to surface before looking.
      await new Promise((r) => setTimeout(r, 50));
      expect(uncaught).toEqual([]);
      await store.append('d/held', new Uint8Array([0, 0]));
      expect((await store.load('d/held'))!.updates).toHaveLength(2);
    } finally {
      process.off('uncaughtException', onUncaught);
      await blocker.end();
    }
  });

  it('[P12] rejects with StorageUnavailableError while the server refuses connections, then recovers', async () => {
    // A role of its own, so refusing its connections disturbs no one else sharing the server.
    const role = `parley_refused_${process.pid}`;
    await admin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`GRANT CREATE ON DATABASE "${(await c.query('SELECT current_database() AS db')).rows[0].db}" TO ${role}`);
    });
    const url = new URL(databaseUrl);
    url.username = role;
    url.password = '';
    const name = schema();
    try {
      const store = await openPostgresStore({ url: url.href, schema: name });
      stores.push(store);
      await store.append('d/1', new Uint8Array([0, 0]));

      // As during a restart or failover: sessions end and new ones are refused.
      await admin(async (c) => {
        await c.query(`ALTER ROLE ${role} CONNECTION LIMIT 0`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      });
      const failed = await store.append('d/2', new Uint8Array([0, 0])).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(StorageUnavailableError);
      expect(await store.load('d/1').catch((e: unknown) => e)).toBeInstanceOf(StorageUnavailableError);

      await admin((c) => c.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`));
      await store.append('d/3', new Uint8Array([0, 0]));
      expect((await store.list('d/')).map((s) => s.name)).toEqual(['d/1', 'd/3']);
      await store.close();
    } finally {
      await admin(async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
        await c.query(`DROP OWNED BY ${role}`);
        await c.query(`DROP ROLE ${role}`);
      });
    }
  });
});
