import { describe, expect, it } from 'vitest';
import { watchStorage, type StorageAlert } from './storage-watch.js';

/** A watcher over hand-driven error and change events; no IndexedDB in Node, so no sentinel. */
function harness(initialUnsent = 0) {
  let onError: (e: { code?: string }) => void = () => undefined;
  let onChange: () => void = () => undefined;
  const state = { unsent: initialUnsent };
  const watch = watchStorage({
    errors: (l) => ((onError = l), () => (onError = () => undefined)),
    changes: (l) => ((onChange = l), () => (onChange = () => undefined)),
    unsent: () => state.unsent,
  });
  const seen: (StorageAlert | null)[] = [];
  watch.subscribe(() => seen.push(watch.get()));
  return { watch, state, seen, error: (code: string) => onError({ code }), change: () => onChange() };
}

describe('watchStorage', () => {
  it('says the storage is full on a quota_exceeded error, and only on that', () => {
    const h = harness();
    h.error('storage');
    h.error('unauthorised');
    expect(h.watch.get()).toBeNull();
    h.error('quota_exceeded');
    expect(h.watch.get()).toEqual({ kind: 'full' });
  });

  it('stops listening once stopped', () => {
    const h = harness();
    h.watch.stop();
    h.error('quota_exceeded');
    expect(h.watch.get()).toBeNull();
    expect(h.seen).toEqual([]);
  });
});
