/**
 * Writes the known-bad payloads beside this file. Run once when adding a case:
 *   node --conditions=source --import tsx packages/sync-server/src/relay/poison/generate.ts
 * Each file is a Yjs "update" that must be refused with 4400 in bounded time ([P1]).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';

const here = fileURLToPath(new URL('.', import.meta.url));
const write = (name: string, bytes: Uint8Array): void => writeFileSync(here + name, bytes);
const build = (f: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  f(e);
  return encoding.toUint8Array(e);
};

// A realistic document to cut up: text, a map, an array of maps.
const doc = new Y.Doc();
doc.clientID = 4242;
doc.getText('t').insert(0, 'hello world, this is a message that will be truncated');
doc.getMap('meta').set('channel', 'web');
const msg = new Y.Map<unknown>();
doc.getArray('messages').push([msg]);
msg.set('text', 'hi');
const full = Y.encodeStateAsUpdate(doc);

// Deterministic pseudo-random bytes (xorshift32), so the file never changes between runs.
let seed = 0x9e3779b9;
const random = new Uint8Array(4096).map(() => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed & 0xff;
});

write('random-bytes.bin', random);
write('truncated-half.bin', full.slice(0, Math.floor(full.length / 2)));
write('truncated-last-byte.bin', full.slice(0, full.length - 1));
write('trailing-garbage.bin', new Uint8Array([...full, 1, 2, 3]));
write('v2-update.bin', Y.encodeStateAsUpdateV2(doc));
// 2^40 clients announced, nothing behind them.
write('billion-clients.bin', build((e) => encoding.writeVarUint(e, 2 ** 40)));
// One client claiming a billion structs.
write('billion-structs.bin', build((e) => [1, 1_000_000_000, 7, 0].forEach((n) => encoding.writeVarUint(e, n))));
// No structs, then a delete set claiming a billion deletes for one client.
write('billion-deletes.bin', build((e) => [0, 1, 7, 1_000_000_000, 0, 1].forEach((n) => encoding.writeVarUint(e, n))));
// One struct: an Item with ContentAny announcing a billion values (info 8 = ContentAny, parent root 'x').
write('billion-any.bin', build((e) => {
  [1, 1, 7, 0].forEach((n) => encoding.writeVarUint(e, n));
  encoding.writeUint8(e, 8);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, 'x');
  encoding.writeVarUint(e, 1_000_000_000);
}));
// A clock near 2^53: clock + length overflows the safe integer range.
write('clock-overflow.bin', build((e) => {
  [1, 1, 7, Number.MAX_SAFE_INTEGER - 1].forEach((n) => encoding.writeVarUint(e, n));
  encoding.writeUint8(e, 4); // ContentString
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, 'x');
  encoding.writeVarString(e, 'abcdef');
  [0, 0].forEach((n) => encoding.writeVarUint(e, n));
}));
// yjs issue 687 style: a V2 header (feature flag 0) whose run-length columns promise endless
// repetitions. The V2 reader can spin on such input; [P1] means we never hand it to one.
write('v2-rle-endless.bin', build((e) => {
  encoding.writeVarUint(e, 0); // V2 feature flag
  for (let i = 0; i < 9; i++) {
    // each column: an RLE run "value 1, repeated 2^32 times"
    encoding.writeVarUint8Array(e, build((c) => { encoding.writeVarInt(c, -1); encoding.writeVarUint(c, 2 ** 32); }));
  }
  encoding.writeVarUint(e, 2 ** 32); // rest: numOfStateUpdates
}));
// A varUint that never ends (continuation bit on every byte).
write('endless-varuint.bin', new Uint8Array(64).fill(0xff));
