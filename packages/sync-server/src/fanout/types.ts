/**
 * Fan-out between relay processes. One process uses the local implementation; several processes
 * share documents through Redis. Every implementation passes `contract.ts`.
 * A process never receives its own publications back (no echo between nodes).
 */
export interface FanOut {
  publish(channel: string, message: Uint8Array): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(channel: string, onMessage: (message: Uint8Array) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
