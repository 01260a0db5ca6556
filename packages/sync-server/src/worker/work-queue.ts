/**
 * A keyed work queue with bounded concurrency and a pace: each key runs at most once at a time,
 * a key queued again while it runs runs once more afterwards (never twice in parallel), and at
 * most `perSecond` jobs start per second so a first scan of thousands of conversations stays
 * under the relay's frame rate limit ([P10]) instead of tripping 4429.
 */
export interface WorkQueue {
  push(key: string): void;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Drops what is queued and resolves when the running jobs have finished. */
  stop(): Promise<void>;
  readonly pending: number;
}

export interface WorkQueueOptions {
  concurrency: number;
  perSecond: number;
  run(key: string): Promise<void>;
  onError(key: string, err: unknown): void;
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const queued = new Set<string>();
  const running = new Set<string>();
  const again = new Set<string>();
  let idleWaiters: (() => void)[] = [];
  let stopped = false;
  let windowStart = 0;
  let startedInWindow = 0;
  let paceTimer: NodeJS.Timeout | undefined;

  const settle = (): void => {
    if (queued.size > 0 || running.size > 0) return;
    for (const done of idleWaiters.splice(0)) done();
  };

  const pump = (): void => {
    while (!stopped && running.size < options.concurrency) {
      // A queued key is never running: push() parks keys that are running in `again`.
      const key = queued.values().next().value;
      if (key === undefined) break;
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        startedInWindow = 0;
      }
      if (startedInWindow >= options.perSecond) {
        paceTimer ??= setTimeout(() => {
          paceTimer = undefined;
          pump();
        }, windowStart + 1000 - now);
        break;
      }
      startedInWindow++;
      queued.delete(key);
      running.add(key);
      void options
        .run(key)
        .catch((err: unknown) => options.onError(key, err))
        .finally(() => {
          running.delete(key);
          if (again.delete(key) && !stopped) queued.add(key);
          pump();
          settle();
        });
    }
    settle();
  };

  return {
    push(key) {
      if (stopped) return;
      if (running.has(key)) again.add(key);
      else queued.add(key);
      pump();
    },
    idle: () => (queued.size === 0 && running.size === 0 ? Promise.resolve() : new Promise((done) => idleWaiters.push(done))),
    async stop() {
      stopped = true;
      clearTimeout(paceTimer);
      queued.clear();
      again.clear();
      await new Promise<void>((done) => {
        idleWaiters.push(done);
        settle();
      });
      idleWaiters = [];
    },
    get pending() {
      return queued.size + running.size;
    },
  };
}
