/**
 * Child process for sqlite-kill.test.ts: appends numbered updates to one document through
 * `openStore` for as long as it lives, and prints `acked <n>` once update n is durable.
 *
 *   node --conditions=source --import tsx test/scale/append-until-killed.ts <dataDir> <worker|main>
 */
import * as Y from 'yjs';
import { openStore } from '../../packages/sync-server/src/storage/index.js';

const [dataDir, thread] = process.argv.slice(2) as [string, 'worker' | 'main'];
const store = await openStore({ dataDir, thread });
const doc = new Y.Doc();
doc.clientID = 77;
const list = doc.getArray<number>('acked');
const updates: Uint8Array[] = [];
doc.on('update', (u: Uint8Array) => updates.push(u));

// Several writers at once, as sockets would: each waits for its ack before its next update.
let n = 0;
const writer = async (): Promise<never> => {
  for (;;) {
    const mine = n++;
    list.push([mine]);
    await store.append('ws/kill/settings', updates.shift()!);
    process.stdout.write(`acked ${mine}\n`);
  }
};
console.log('ready');
await Promise.all(Array.from({ length: 8 }, writer));
