/**
 * The real relay logic (`createRelay`, the memory DocStore, the real access rules and JWT tokens)
 * wired to the in-memory network: what client tests and the fuzz run against. No fake relay.
 */
import type { Principal } from '../../packages/sync-server/src/auth/principal.js';
import { authorize } from '../../packages/sync-server/src/auth/access.js';
import { createTokens, type TokenRequest } from '../../packages/sync-server/src/auth/tokens.js';
import { createRelay, type Relay } from '../../packages/sync-server/src/relay/relay.js';
import { createMemoryStore } from '../../packages/sync-server/src/storage/memory.js';
import type { DocStore } from '../../packages/sync-server/src/storage/types.js';
import { createNetwork, type Network } from './network.js';

export interface InMemoryRelay {
  relay: Relay;
  store: DocStore;
  network: Network;
  /** Signs a token and verifies it once, so later upgrades with it need no async crypto (replays stay exact). */
  token(request: TokenRequest, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export function startInMemoryRelay(mode: 'auto' | 'manual', store: DocStore = createMemoryStore()): InMemoryRelay {
  const tokens = createTokens('in-memory relay secret, tests only, 32+ chars');
  const verify = (token: string): Promise<Principal> => tokens.verify(token);
  // WebCrypto finishes on a thread pool at no fixed point of the event loop; the seeded run must
  // not depend on it, so upgrades with a known token resolve from this cache
  const verified = new Map<string, Principal>();
  const authenticate = async (token: string): Promise<Principal | null> => verified.get(token) ?? verify(token).catch(() => null);
  const relay = createRelay({ store, authorize, verifyToken: verify });
  const network = createNetwork({ relay, mode, authenticate });
  return {
    relay,
    store,
    network,
    async token(request, ttlSeconds = 3600) {
      const token = await tokens.sign(request, ttlSeconds);
      verified.set(token, await verify(token));
      return token;
    },
    async close() {
      await relay.close();
      await store.close();
    },
  };
}
