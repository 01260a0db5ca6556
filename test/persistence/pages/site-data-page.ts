/**
 * A core client with the IndexedDB replica store in this page, offline (no relay), for
 * site-data.test.ts: it writes, the test deletes the site's data through the DevTools protocol,
 * it writes again, and a fresh store shows what the next page load would find.
 */
import * as Y from 'yjs';
import { createClient, type DocHandle } from '../../../packages/core/src/index.js';
import { createIndexedDbStore } from '../../../packages/core/src/persistence/indexeddb-store.js';

const DOC = 'ws/acme/customers/c1/conv/k1';
const prefix = `site-data-${Date.now()}:`;
const store = createIndexedDbStore({ prefix });
let lost = 0;
store.onLost?.(() => lost++);
const errors: string[] = [];
const client = createClient({ url: 'ws://127.0.0.1:9/mux', token: 'offline', store, connect: false });
client.on('error', (err) => errors.push(`${err.code}: ${err.message}`));
let handle: DocHandle | undefined;

const api = {
  async start(): Promise<void> {
    handle = client.open(DOC);
    await handle.whenLoaded;
  },
  write(text: string): void {
    handle!.doc.getArray<string>('log').push([text]);
  },
  lostEvents: () => lost,
  errors: () => errors,
  /** Lets every replica write finish (release waits for them). */
  async stop(): Promise<void> {
    await handle?.release();
    await client.close();
  },
  /** What a fresh page load would read from IndexedDB. */
  async reload(): Promise<string[]> {
    const fresh = createIndexedDbStore({ prefix });
    const replica = await fresh.load(DOC);
    await fresh.close();
    const doc = new Y.Doc();
    for (const update of replica.updates) Y.applyUpdate(doc, update);
    return doc.getArray<string>('log').toArray();
  },
};

(window as unknown as { siteData: typeof api }).siteData = api;
document.body.dataset.ready = 'true';
