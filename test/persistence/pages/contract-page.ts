/**
 * Runs core's portable ReplicaStore contract cases in this page against the browser's own
 * IndexedDB. The Playwright test calls `parleyContract.run(name)` once per case.
 */
import { replicaStoreContract } from '../../../packages/core/src/persistence/contract-suite.js';
import { createIndexedDbStore } from '../../../packages/core/src/persistence/indexeddb-store.js';

export interface CaseResult {
  ok: boolean;
  error?: string;
  ms: number;
}

let medium = 0;

const api = {
  names: replicaStoreContract.map((c) => c.name),
  async run(name: string): Promise<CaseResult> {
    const c = replicaStoreContract.find((x) => x.name === name);
    if (!c) return { ok: false, error: `no case named ${name}`, ms: 0 };
    const started = performance.now();
    try {
      // A fresh database prefix per medium: cases never see each other's data.
      await c.run(async () => {
        const prefix = `contract-${Date.now()}-${medium++}:`;
        return { open: () => createIndexedDbStore({ prefix }) };
      });
      return { ok: true, ms: performance.now() - started };
    } catch (err) {
      return { ok: false, error: `${(err as Error).name}: ${(err as Error).message}`, ms: performance.now() - started };
    }
  },
};

(window as unknown as { parleyContract: typeof api }).parleyContract = api;
document.body.dataset.ready = 'true';
