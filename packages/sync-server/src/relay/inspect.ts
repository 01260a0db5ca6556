/**
 * [P1] Bounded decoding of untrusted updates. Only V1 is ever decoded (scan-v1.ts): every struct,
 * delete range and value consumes at least one byte, so the work is bounded by the input's length,
 * and any length or count larger than the bytes behind it is refused rather than looped on (V2's
 * run-length decoders can spin without consuming input: yjs issue 687).
 *
 * The result is a flat summary of what the update writes: enough for [P6] checks and the relay's
 * state-vector and delete bookkeeping, without building a Y.Doc or any content.
 */
import { MalformedUpdate, scanUpdateV1 } from './scan-v1.js';
import type { ScannedStruct, ScannedUpdate } from './scan-v1.js';
import { badUpdate } from './errors.js';

export type StructSummary = ScannedStruct;
export type UpdateSummary = ScannedUpdate;

/** `trusted` (our own store, another relay process) skips the trailing-bytes proof, never the bounds. */
export function inspectUpdate(update: Uint8Array, trusted = false): UpdateSummary {
  try {
    return scanUpdateV1(update, !trusted);
  } catch (err) {
    if (err instanceof MalformedUpdate) throw badUpdate(err.message === 'trailing bytes (not a V1 update?)' ? err.message : `not a V1 update (${err.message})`);
    throw err;
  }
}
