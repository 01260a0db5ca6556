/**
 * The client's side of [P7]: merges the state vectors the relay acknowledges into one, per
 * document, and answers the conversation model's "is this item sent?" (the AckSource contract).
 */
import * as Y from 'yjs';
import type { AckSource } from './ack-source.js';
import { mergeInto, type StateVector } from './state-vectors.js';

export interface AckTracker extends AckSource {
  /** Merges an acknowledged state vector; true (and listeners called) when something new is acked. */
  merge(stateVector: Uint8Array | StateVector): boolean;
  /** The merged vector, encoded, for the replica store. */
  encode(): Uint8Array;
}

export function createAckTracker(saved: Uint8Array | null = null): AckTracker {
  const acked: StateVector = saved ? Y.decodeStateVector(saved) : new Map();
  const listeners = new Set<() => void>();
  return {
    isAcked: (client, clock) => (acked.get(client) ?? 0) > clock,
    onAck(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    merge(stateVector) {
      const grew = mergeInto(acked, stateVector instanceof Uint8Array ? Y.decodeStateVector(stateVector) : stateVector);
      if (grew) for (const l of [...listeners]) l();
      return grew;
    },
    encode: () => Y.encodeStateVector(acked),
  };
}
