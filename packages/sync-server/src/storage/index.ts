/**
 * Picks the document store from configuration: SQLite in the data folder by default, Postgres when
 * a URL is given (several relay processes then share it). The server shell calls only this.
 */
import type { PostgresStoreOptions } from './postgres.js';
import type { SqliteStoreOptions } from './sqlite-options.js';
import { openSqliteThreadedStore } from './sqlite-threaded.js';
import type { DocStore } from './types.js';

export type StoreSpec =
  | (SqliteStoreOptions & {
      /**
       * 'worker' (default) commits in a worker thread; 'main' on the event loop, which at 2,000
       * appends/s keeps the loop ~95% busy with fsyncs (storage/README.md has the numbers).
       */
      thread?: 'worker' | 'main';
    })
  | (Omit<PostgresStoreOptions, 'url'> & { postgresUrl: string });

export async function openStore(spec: StoreSpec): Promise<DocStore> {
  if ('postgresUrl' in spec) {
    const { postgresUrl, ...rest } = spec;
    // Loaded only when configured: `pg` is ~165 ms of a cold start that does not use it.
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore({ ...rest, url: postgresUrl });
  }
  const { thread, ...options } = spec;
  // The store on this thread loads better-sqlite3 and yjs here; the default only spawns its worker.
  return thread === 'main' ? (await import('./sqlite.js')).openSqliteStore(options) : openSqliteThreadedStore(options);
}

/** For logs: where the documents live, without a password. */
export function describeStore(spec: StoreSpec): string {
  if ('postgresUrl' in spec) return `postgres ${spec.postgresUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}${spec.schema ? ` schema ${spec.schema}` : ''}`;
  return `sqlite ${spec.dataDir}/${spec.fileName ?? 'parley.sqlite'}`;
}

export { StorageUnavailableError } from './types.js';
export type { DocStore, DocSummary, StoredDoc } from './types.js';
export { StorageCorruptError, StoreClosedError } from './errors.js';
