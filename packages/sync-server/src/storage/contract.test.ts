/**
 * Runs the DocStore contract against every implementation: SQLite in a temp dir (on the relay's thread and in a worker), Postgres in a
 * schema of its own per test (DATABASE_URL), and memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docStoreContract } from './contract.js';
import { createMemoryStore } from './memory.js';
import { openPostgresStore } from './postgres.js';
import { databaseUrl, dropSchema, probePostgres } from './service-probe.js';
import { openSqliteStore } from './sqlite.js';
import { openSqliteThreadedStore } from './sqlite-threaded.js';

docStoreContract(
  'memory',
  async () => ({ open: async () => createMemoryStore(), destroy: async () => {} }),
  { persistent: false },
);

docStoreContract(
  'sqlite',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
    return {
      open: async () => openSqliteStore({ dataDir }),
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
  { persistent: true },
);

docStoreContract(
  'sqlite in a worker thread',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
    return {
      open: () => openSqliteThreadedStore({ dataDir }),
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
  { persistent: true },
);

const postgres = await probePostgres();

if (postgres.available) {
  let n = 0;
  docStoreContract(
    'postgres',
    async () => {
      const schema = `parley_contract_${process.pid}_${n++}`;
      return {
        open: () => openPostgresStore({ url: databaseUrl, schema }),
        destroy: async () => {
          await dropSchema(schema);
        },
      };
    },
    { persistent: true },
  );
}
