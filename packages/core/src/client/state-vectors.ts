/**
 * State vectors as maps (client id → next clock). Acknowledgements arrive as encoded state
 * vectors ([P7]); merging takes the maximum per client because acks can arrive in any order and
 * a later ack never takes back an earlier one.
 */
import * as Y from 'yjs';

export type StateVector = Map<number, number>;

/** Merges `from` into `into` in place; true when `into` grew. */
export function mergeInto(into: StateVector, from: StateVector): boolean {
  let grew = false;
  for (const [client, clock] of from) {
    if ((into.get(client) ?? 0) < clock) {
      into.set(client, clock);
      grew = true;
    }
  }
  return grew;
}

export function mergeEncoded(vectors: Iterable<Uint8Array>): Uint8Array {
  const merged: StateVector = new Map();
  for (const v of vectors) mergeInto(merged, Y.decodeStateVector(v));
  return Y.encodeStateVector(merged);
}

/** An update with no structs and no deletions: what `Y.encodeStateAsUpdate` gives for "nothing new". */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length <= 2 && update.every((b) => b === 0);
}
