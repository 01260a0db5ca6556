/**
 * What both SQLite stores share without loading SQLite or yjs: the threaded store's module stays
 * light, so the relay spawns the worker before its own thread has loaded either (cold start, issue 6).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteEngineOptions } from './sqlite-engine.js';

export interface SqliteStoreOptions extends SqliteEngineOptions {
  /** folder holding the database file; created if missing */
  dataDir: string;
  /** file name inside `dataDir` (default `parley.sqlite`) */
  fileName?: string;
  /** most appends committed in one transaction (default 512) */
  maxBatch?: number;
  /**
   * Worker-thread store only: back-to-back commits start at least this many ms apart, so that
   * appends arriving meanwhile share one (0 commits as soon as the last one is done). Default 20
   * (sqlite-threaded.ts: the window delays acknowledgements, not deliveries).
   */
  commitWindowMs?: number;
}

export function sqliteFile(options: Pick<SqliteStoreOptions, 'dataDir' | 'fileName'>): string {
  mkdirSync(options.dataDir, { recursive: true });
  return join(options.dataDir, options.fileName ?? 'parley.sqlite');
}

export const ownerPairs = (owners: ReadonlyMap<number, string> | undefined): Array<[number, string]> | undefined =>
  owners && owners.size > 0 ? [...owners] : undefined;
