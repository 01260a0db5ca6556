/**
 * Where a device keeps its replica of each document, so that the document opens offline and
 * nothing pending is lost when the tab or process goes away. One small interface, one contract
 * suite (`contract.test.ts`) run against every implementation: memory, file (Node), IndexedDB.
 *
 * Stores hold opaque Yjs V1 updates. They compact themselves (merging the log into one update)
 * when the log has grown large relative to its merged size, so callers never schedule compaction.
 */
export interface Replica {
  /** The document's update log, oldest first; applying all of them rebuilds the replica. */
  updates: Uint8Array[];
  /** Merged state vector of everything the relay acknowledged ([P7]); null when never saved. */
  acked: Uint8Array | null;
}

export interface ReplicaStore {
  /** Reads the replica; an unknown document is `{ updates: [], acked: null }`. Never writes data. */
  load(name: string): Promise<Replica>;
  /**
   * Appends one update. Durable (as far as the medium allows) when the promise resolves.
   * Rejects with a ParleyError: `quota_exceeded` when the medium is full, `storage` otherwise.
   */
  append(name: string, update: Uint8Array): Promise<void>;
  /** Replaces the saved acknowledged state vector (callers pass the merged one). */
  saveAcked(name: string, stateVector: Uint8Array): Promise<void>;
  /** Removes the document's replica; resolves only once it is gone. */
  clear(name: string): Promise<void>;
  /** Finishes pending writes and releases handles; the store is unusable afterwards. */
  close(): Promise<void>;
  /**
   * For media that can lose replicas behind the store's back: a browser deleting the site's data
   * closes IndexedDB connections and deletes the databases while the page keeps running. The
   * listener hears each document whose replica went that way; whoever holds the document in memory
   * appends its whole state again, or the next page load finds only what was written afterwards.
   * Returns the unsubscribe. Stores whose medium cannot vanish leave it out.
   */
  onLost?(listener: (name: string) => void): () => void;
}

/**
 * While appending, a log is worth compacting when it has many entries or is much larger than its
 * merged form. On load every store compacts a log of more than one entry: it was read whole anyway.
 */
export function shouldCompact(entries: number, logBytes: number, mergedBytes: number): boolean {
  if (entries <= 1) return false;
  return entries >= 64 || logBytes > 2 * mergedBytes + 4096;
}
