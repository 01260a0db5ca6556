/**
 * What the conversation model needs from the sync client to tell `pending` from `sent`:
 * whether the relay has durably committed the item (client, clock) ([P7] in PROTOCOL.md).
 * The sync client implements it from the acked state vectors; tests can use a plain map.
 */
export interface AckSource {
  isAcked(client: number, clock: number): boolean;
  /** Called whenever more items become acknowledged. Returns the unsubscribe function. */
  onAck(listener: () => void): () => void;
}
