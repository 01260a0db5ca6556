import { describe, expect, it } from 'vitest';
import { Frame, encodeFrame, encodeSyncMessage, encodeYwsSync, syncUpdate } from '@parley/core/protocol';
import * as encoding from 'lib0/encoding';
import { muxAck, muxAckClocks, muxUpdate, varUintSize, wireName, ywsUpdate } from './frames.js';

// Payload sizes either side of each varUint length boundary, names ASCII and not.
const payloads = [0, 1, 127, 128, 16_383, 16_384, 70_000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff));
const names = ['ws/acme/customers/c1/conv/k1', `ws/${'x'.repeat(200)}/settings`, 'ws/ü/settings'];
const cases = names.flatMap((name) => payloads.map((p) => [name, p.length, p] as const));

describe('hot-path frames are byte for byte what protocol.ts encodes', () => {
  it.each(cases)('update on %s, %i bytes', (name, _n, payload) => {
    expect(muxUpdate(wireName(name), payload)).toEqual(encodeFrame({ type: Frame.sync, doc: name, message: encodeSyncMessage(syncUpdate, payload) }));
    expect(ywsUpdate(payload)).toEqual(encodeYwsSync(syncUpdate, payload));
  });

  it.each(cases)('ack on %s, %i bytes', (name, _n, payload) => {
    expect(muxAck(wireName(name), payload)).toEqual(encodeFrame({ type: Frame.ack, doc: name, stateVector: payload }));
  });

  // Clients and clocks either side of each varUint boundary, up to Yjs's 32-bit client ids.
  const clockSets = [[], [1, 1], [127, 128, 128, 16_384], [2 ** 32 - 1, 2 ** 21, 7, 0, 99, 2 ** 40]];
  it.each(names.flatMap((name) => clockSets.map((clocks) => [name, clocks] as const)))('ack clocks on %s: %j', (name, clocks) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, clocks.length / 2);
    for (const n of clocks) encoding.writeVarUint(e, n);
    expect(muxAckClocks(wireName(name), clocks)).toEqual(encodeFrame({ type: Frame.ack, doc: name, stateVector: encoding.toUint8Array(e) }));
  });

  it.each([
    [0, 1],
    [127, 1],
    [128, 2],
    [2 ** 21 - 1, 3],
    [2 ** 21, 4],
    [2 ** 32, 5],
  ])('varUint %i takes %i bytes', (n, size) => expect(varUintSize(n)).toBe(size));
});
