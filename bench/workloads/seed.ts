/**
 * Fills a Parley data folder without a relay: the same documents a client would have written,
 * appended through the relay's own store (`openStore`, the SQLite file `parley serve --data` opens).
 * 10,000 conversations take seconds this way instead of minutes of socket round trips, which keeps
 * workload 4 about starting, not about seeding.
 */
import * as Y from 'yjs';
import { appendMessage } from '../load/messages.js';
import { chunk } from '../load/pool.js';

/** Appends in flight at once: the SQLite store commits concurrent appends in one transaction. */
const SEED_BATCH = 500;

export async function seedParleyStore(dataDir: string, docs: readonly string[], messages: number, owner: string): Promise<{ ms: number; bytesPerDoc: number }> {
  const t0 = performance.now();
  // Imported here: the relay's storage (better-sqlite3, its worker) is only needed by this workload.
  const { openStore } = await import('@parley/sync-server');
  const store = await openStore({ dataDir });
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < messages; i++) appendMessage(doc, i, 'c', 1_700_000_000_000 + i * 1000);
  });
  // One writer for every conversation: the documents are independent, so the same bytes are fair.
  const update = Y.encodeStateAsUpdate(doc);
  const owners = new Map([[doc.clientID, owner]]);
  try {
    for (const batch of chunk(docs, SEED_BATCH)) await Promise.all(batch.map((name) => store.append(name, update, owners)));
  } finally {
    await store.close();
  }
  return { ms: performance.now() - t0, bytesPerDoc: update.byteLength };
}
