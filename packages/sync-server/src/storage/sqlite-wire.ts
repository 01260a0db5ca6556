/** Messages between the threaded SQLite store and its worker. */
import type { AppendRecord, SqliteEngineOptions } from './sqlite-engine.js';

export interface SqliteWorkerData {
  file: string;
  options: SqliteEngineOptions;
}

export type SqliteRequest =
  | { id: number; op: 'commit'; batch: AppendRecord[]; now: number }
  | { id: number; op: 'load'; name: string }
  | { id: number; op: 'compact'; name: string }
  | { id: number; op: 'delete'; name: string }
  | { id: number; op: 'list'; prefix: string }
  | { id: number; op: 'close' };

/** Errors cross the thread boundary as data; the store turns them back into typed errors. */
export type WireError = { kind: 'unavailable' | 'other'; message: string } | { kind: 'corrupt'; file: string; detail: string };

export type SqliteReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/**
 * Requests posted in one turn of the relay's event loop travel as one message, and their replies as
 * one: a burst of sockets opening documents cost a postMessage each way per document (~8 % of the
 * relay thread's CPU while accepting 5,000 connections, bench workload 8).
 */
export type SqliteRequests = SqliteRequest | SqliteRequest[];
export type SqliteReplies = SqliteReply | SqliteReply[];
