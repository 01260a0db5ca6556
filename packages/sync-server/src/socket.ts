/**
 * The only thing the relay's logic needs from a websocket. Hono upgrades the request and adapts
 * its socket to this; tests pass an in-memory object and need no network.
 */
export interface RelaySocket {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  /** bytes queued but not yet written; used to drop slow consumers */
  readonly bufferedAmount: number;
}
