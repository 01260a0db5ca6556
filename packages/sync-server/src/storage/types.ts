/**
 * The relay's storage interface. Every implementation (memory, SQLite, Postgres) passes the same
 * contract suite (`contract.ts`). Updates are opaque Yjs V1 updates; the store may merge them with
 * `Y.mergeUpdates` but never builds a Y.Doc.
 */
export interface StoredDoc {
  /** The document's update log, oldest first (one entry after compaction). */
  updates: Uint8Array[];
  /** Yjs client id → principal that first wrote under it ([P6] in PROTOCOL.md). */
  owners: Map<number, string>;
  /** ms since epoch of the last append */
  updatedAt: number;
}

export interface DocSummary {
  name: string;
  updatedAt: number;
  createdAt: number;
  /** total stored bytes of the update log */
  bytes: number;
}

export interface AppendOptions {
  /**
   * Someone sees the update only once it is committed (the relay forwards it to them afterwards): a
   * store that holds commits back to group more appends into them commits this one without waiting.
   */
  awaited?: boolean;
}

export interface DocStore {
  /**
   * Appends one update. Durable when the promise resolves: the relay acknowledges only then.
   * `owners` are client ids this update writes under for the first time, with their principal;
   * an id already owned keeps its first owner.
   */
  append(name: string, update: Uint8Array, owners?: ReadonlyMap<number, string>, options?: AppendOptions): Promise<void>;
  /** The stored log and owners, or null when the document was never written. */
  load(name: string): Promise<StoredDoc | null>;
  /** Replaces the log with one merged update; concurrent appends are never lost. */
  compact(name: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Documents whose name starts with `prefix`, ordered by name. */
  list(prefix: string): Promise<DocSummary[]>;
  close(): Promise<void>;
}

/** Raised when the store cannot commit (disk full, read-only file, database down): [P12]. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}
