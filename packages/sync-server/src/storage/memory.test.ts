/** The in-memory store passes the same contract as the durable ones (minus persistence across reopen). */
import { docStoreContract } from './contract.js';
import { createMemoryStore } from './memory.js';

docStoreContract(
  'memory',
  async () => ({ open: async () => createMemoryStore(), destroy: async () => undefined }),
  { persistent: false },
);
