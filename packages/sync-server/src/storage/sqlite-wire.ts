/** Messages between the threaded SQLite store and its worker. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { AppendRecord, SqliteEngineOptions } from './sqlite-engine.js';

export interface SqliteWorkerData {
  file: string;
  options: SqliteEngineOptions;
}

export type SqliteRequest =
  | { id: number; op: 'commit'; records: Uint8Array; now: number }
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

/**
 * A commit's appends travel packed in one buffer that is transferred, not cloned: a structured
 * clone of a few hundred small records (an object and a Uint8Array each) cost ~0.5 ms of the
 * relay's thread per commit at fan-out rates, 6 % of its CPU (bench workload 1, --profile).
 * Packed as each append arrives, so the caller's buffer is read at once and never kept.
 */
export function packAppend(enc: encoding.Encoder, name: string, update: Uint8Array, owners: ReadonlyArray<[number, string]> | undefined): void {
  encoding.writeVarString(enc, name);
  encoding.writeVarUint8Array(enc, update);
  encoding.writeVarUint(enc, owners?.length ?? 0);
  for (const [client, principal] of owners ?? []) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarString(enc, principal);
  }
}

/** The records `packAppend` wrote; updates are views into `packed` (which the worker owns once transferred). */
export function unpackAppends(packed: Uint8Array): AppendRecord[] {
  const d = decoding.createDecoder(packed);
  const records: AppendRecord[] = [];
  while (decoding.hasContent(d)) {
    const name = decoding.readVarString(d);
    const update = decoding.readVarUint8Array(d);
    const count = decoding.readVarUint(d);
    const owners: Array<[number, string]> = [];
    for (let i = 0; i < count; i++) owners.push([decoding.readVarUint(d), decoding.readVarString(d)]);
    records.push(count > 0 ? { name, update, owners } : { name, update });
  }
  return records;
}
