/**
 * The relay's own bot peers (routing worker, push notifier) wait on documents syncing through a
 * socket that may never answer; this bounds such a wait and says what it was waiting for.
 */

/** Settles as `promise` does, or rejects with "`what` took longer than `ms` ms"; the timer never outlives it. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
