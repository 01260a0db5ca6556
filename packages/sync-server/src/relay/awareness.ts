/**
 * The y-protocols awareness update format, read and written without an Awareness instance:
 * `varUint count`, then per entry `varUint clientID, varUint clock, varString JSON state`.
 * The relay keeps the latest entry per client id (as received) and never interprets the state.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { RelayError } from './errors.js';
import { Code } from '@parley/core/protocol';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** the JSON text as sent; 'null' means the client went away */
  state: string;
}

export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  try {
    const d = decoding.createDecoder(update);
    const count = decoding.readVarUint(d);
    // Every entry takes at least 3 bytes: a count larger than the input is a lie.
    if (count > update.length) throw new Error('count exceeds input');
    const out: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const state = decoding.readVarString(d);
      // Peers JSON.parse it; refuse what would throw on their side.
      JSON.parse(state);
      out.push({ clientId, clock, state });
    }
    if (decoding.hasContent(d)) throw new Error('trailing bytes');
    return out;
  } catch (err) {
    throw new RelayError(Code.badFrame, `bad awareness update: ${(err as Error).message}`, 'bad_awareness');
  }
}

export function encodeAwareness(entries: Iterable<AwarenessEntry>): Uint8Array {
  const list = [...entries];
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, list.length);
  for (const { clientId, clock, state } of list) {
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, state);
  }
  return encoding.toUint8Array(e);
}
