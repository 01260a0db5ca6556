/**
 * An event-driven wait for tests: no polling, no sleeps. `subscribe` hooks whatever notifies of
 * change (a conversation's `change`, a notifier's events) and returns its unsubscribe.
 */

/** Resolves with `check()`'s first truthy value, re-checked on every `subscribe` notification. */
export function until<T>(check: () => T | undefined | false, subscribe: (fn: () => void) => () => void, what: string, timeoutMs = 15_000): Promise<T> {
  const first = check();
  if (first) return Promise.resolve(first);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe(() => {
      const v = check();
      if (!v) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}
