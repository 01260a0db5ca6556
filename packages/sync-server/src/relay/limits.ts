/**
 * Every bound the relay enforces ([P10] in PROTOCOL.md). Documented one by one in README.md.
 * Defaults are sized for an agent following 500 conversations on one socket.
 */
export interface Limits {
  /** Largest frame accepted on either endpoint, except a document's first sync upload. */
  maxFrameBytes: number;
  /** Largest single update (sync update message) the relay accepts. */
  maxUpdateBytes: number;
  /** Largest step 2 a socket may upload for a document it has just opened (an offline backlog). */
  maxFirstSyncBytes: number;
  /** Largest document (sum of its update log in memory); updates that would exceed it are refused. */
  maxDocumentBytes: number;
  /** Documents one /mux socket may follow at once. */
  maxDocsPerSocket: number;
  /** Sustained frames per second per socket (token bucket refill rate). */
  framesPerSecond: number;
  /** Token bucket size: frames a socket may send in a burst (e.g. opening 500 documents). */
  frameBurst: number;
  /** Bytes queued on a socket beyond which it is a slow consumer and gets closed. */
  maxBufferedBytes: number;
  /** Idle documents (no follower) stay in memory this long before being unloaded. */
  idleUnloadMs: number;
  /** At most this many idle documents stay in memory; the least recently used go first. */
  maxIdleDocs: number;
  /** Merge a document's in-memory log (its tail; the head too once the tail is half its size) once it has this many entries. */
  mergeAfterUpdates: number;
  /** Ask the store to compact a document once this many updates were appended since the last compaction. */
  compactAfterUpdates: number;
  /** ... or once this many bytes were appended since the last compaction. */
  compactAfterBytes: number;
  /**
   * A document due for compaction waits for a pause this long in its writes (0: compacts at once).
   * Compaction runs in the storage thread, where every document's commits wait behind it; in a
   * busy conversation that was a stall of ~100 ms for the customer, who gets updates after their
   * commit. A log that grows to COMPACT_OVERDUE_FACTOR times the thresholds compacts anyway.
   */
  compactQuietMs: number;
  /** The directory is written at most once per conversation per this many ms. */
  directoryThrottleMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxUpdateBytes: 1024 * 1024,
  maxFirstSyncBytes: 16 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024 * 1024,
  maxDocsPerSocket: 1_000,
  framesPerSecond: 200,
  frameBurst: 4_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  idleUnloadMs: 30_000,
  maxIdleDocs: 10_000,
  mergeAfterUpdates: 256,
  compactAfterUpdates: 500,
  compactAfterBytes: 4 * 1024 * 1024,
  compactQuietMs: 1_000,
  directoryThrottleMs: 2_000,
});
