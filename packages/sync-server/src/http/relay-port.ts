/**
 * What the HTTP shell needs from the relay core (src/relay/relay.ts): hand it an authenticated
 * socket, read its figures. Kept as a structural type so the shell is testable with any relay.
 */
import type { Principal } from '../auth/principal.js';
import type { RelaySocket } from '../socket.js';

export type ConnectionRequest = { endpoint: 'mux'; principal: Principal } | { endpoint: 'sync'; doc: string; principal: Principal };

export interface ConnectionHandlers {
  onMessage(data: Uint8Array): void;
  onClose(): void;
}

export interface RelayPort {
  handleConnection(socket: RelaySocket, request: ConnectionRequest): ConnectionHandlers;
  metrics(): object;
  /** Closes, live, what principals matching `match` hold open (an agent's account was disabled). */
  revoke(match: (p: Principal) => boolean): void;
}
