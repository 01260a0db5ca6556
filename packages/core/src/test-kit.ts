/**
 * Helpers for core's own unit tests (not in dist: the test project type-checks it through them).
 */
import * as Y from 'yjs';
import { isParleyError } from './errors.js';

/** Brings two replicas to the same state by sending each what it lacks, as two devices syncing would. */
export function exchange(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

/** The ParleyError code `fn` throws, undefined when it returns, or a sentence when it throws something else. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isParleyError(err) ? err.code : `not a ParleyError: ${String(err)}`;
  }
  return undefined;
}
