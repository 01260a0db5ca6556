/**
 * SQLite DocStore on the relay's own thread: one file, WAL, group commit. Appends that arrive in
 * the same event-loop turn share one transaction (one fsync), and each append resolves only after
 * that transaction committed, so durability does not cost throughput.
 *
 * Commits (fsync) block the event loop while they run; `sqlite-threaded.ts` moves them to a worker
 * thread behind the same interface. storage/README.md has the measurements that choose between them.
 */
import { StoreClosedError } from './errors.js';
import { classifySqliteError, openSqliteEngine, type AppendRecord } from './sqlite-engine.js';
import { ownerPairs, sqliteFile, type SqliteStoreOptions } from './sqlite-options.js';
import type { DocStore } from './types.js';

export { ownerPairs, sqliteFile, type SqliteStoreOptions };

interface PendingAppend extends AppendRecord {
  resolve(): void;
  reject(error: unknown): void;
}

export function openSqliteStore(options: SqliteStoreOptions): DocStore & { readonly file: string } {
  const file = sqliteFile(options);
  const maxBatch = options.maxBatch ?? 512;
  const engine = openSqliteEngine(file, options);

  let queue: PendingAppend[] = [];
  let flushScheduled = false;
  let closed = false;

  /** Commits everything queued, in call order, a batch per transaction. */
  function flush(): void {
    flushScheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        engine.commit(batch, Date.now());
      } catch (error) {
        const failure = classifySqliteError(file, 'cannot commit', error);
        for (const append of batch) append.reject(failure);
        continue;
      }
      for (const append of batch) append.resolve();
    }
  }

  function run<T>(what: string, op: () => T): Promise<T> {
    if (closed) return Promise.reject(new StoreClosedError(`${file} is closed`));
    try {
      return Promise.resolve(op());
    } catch (error) {
      return Promise.reject(classifySqliteError(file, what, error));
    }
  }

  return {
    file,
    append(name, update, owners) {
      if (closed) return Promise.reject(new StoreClosedError(`${file} is closed`));
      return new Promise<void>((resolve, reject) => {
        const pairs = ownerPairs(owners);
        // Copied: the caller may reuse its buffer before the batch commits.
        queue.push({ name, update: update.slice(), ...(pairs ? { owners: pairs } : {}), resolve, reject });
        // setImmediate runs after the I/O callbacks of this loop turn: every append that arrived
        // in the same turn (one per socket message) shares the next commit.
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    load: (name) => run('cannot read', () => engine.load(name)),
    // Queued appends were called first: commit them so compaction and deletion come after them.
    compact: (name) =>
      run('cannot compact', () => {
        flush();
        engine.compact(name);
      }),
    delete: (name) =>
      run('cannot delete', () => {
        flush();
        engine.delete(name);
      }),
    list: (prefix) => run('cannot list', () => engine.list(prefix)),
    async close() {
      if (closed) return;
      flush();
      closed = true;
      engine.close();
    },
  };
}
