/**
 * The frames the relay sends for every accepted update (the forward to followers, the [P7] ack),
 * written in one allocation. protocol.ts's encoders build a sync message and then copy it into a
 * frame (two encoders, two concatenations, the document name re-encoded each time); on the hot
 * path the name's bytes are encoded once per document and the payload is copied once.
 * The layout is PROTOCOL.md's; frames.test.ts proves the bytes equal protocol.ts's.
 */
import { Frame, messageSync, syncUpdate } from '@parley/core/protocol';

const utf8 = new TextEncoder();

/** Bytes lib0 writes for `n` as a varUint. */
export function varUintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarUint(out: Uint8Array, at: number, n: number): number {
  while (n > 0x7f) {
    out[at++] = 0x80 | (n & 0x7f);
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** A document name as lib0 writes a varString: encoded once, reused in every frame for it. */
export function wireName(name: string): Uint8Array {
  const text = utf8.encode(name);
  const out = new Uint8Array(varUintSize(text.length) + text.length);
  out.set(text, writeVarUint(out, 0, text.length));
  return out;
}

/** `type`, the name, then `kind` (if any) and a varUint8Array: the shape of sync and ack frames. */
function frame(type: number, name: Uint8Array | null, kind: number | null, payload: Uint8Array): Uint8Array {
  const size = 1 + (name?.length ?? 0) + (kind === null ? 0 : 1) + varUintSize(payload.length) + payload.length;
  const out = new Uint8Array(size);
  out[0] = type;
  let at = 1;
  if (name) {
    out.set(name, at);
    at += name.length;
  }
  if (kind !== null) out[at++] = kind;
  at = writeVarUint(out, at, payload.length);
  out.set(payload, at);
  return out;
}

/** /mux: `sync` frame carrying a y-protocols update message. */
export const muxUpdate = (name: Uint8Array, update: Uint8Array): Uint8Array => frame(Frame.sync, name, syncUpdate, update);

/** /sync: the y-websocket sync update message. */
export const ywsUpdate = (update: Uint8Array): Uint8Array => frame(messageSync, null, syncUpdate, update);

/** /mux: `ack` frame; `stateVector` is the encoded (count, client, clock...) list. */
export const muxAck = (name: Uint8Array, stateVector: Uint8Array): Uint8Array => frame(Frame.ack, name, null, stateVector);

/**
 * /mux: `ack` frame whose state vector is `clocks` ([client, clock, client, clock, ...]), written
 * straight into the frame: the relay sends one per accepted update, and an encoder plus two copies
 * for a few bytes was garbage on every message.
 */
export function muxAckClocks(name: Uint8Array, clocks: readonly number[]): Uint8Array {
  let payload = varUintSize(clocks.length / 2);
  for (const n of clocks) payload += varUintSize(n);
  const out = new Uint8Array(1 + name.length + varUintSize(payload) + payload);
  out[0] = Frame.ack;
  out.set(name, 1);
  let at = writeVarUint(out, 1 + name.length, payload);
  at = writeVarUint(out, at, clocks.length / 2);
  for (const n of clocks) at = writeVarUint(out, at, n);
  return out;
}
