/**
 * The three ways the compared servers frame Yjs sync on a websocket, behind one small interface so
 * that every server gets the same load from the same client code:
 * - `yws`: y-websocket, one document per socket (y-websocket server, the raw relay, Parley `/sync`);
 * - `hocuspocus`: every message starts with the document name; a document opens with an auth message;
 * - `mux`: Parley's multiplexed frames (PROTOCOL.md), with `synced` and durable `ack` frames.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { protocol } from '@parley/core';

export type WireKind = 'yws' | 'hocuspocus' | 'mux';

/** Where and how a load client reaches a server. `url` may contain `{doc}`, replaced per socket. */
export interface Endpoint {
  wire: WireKind;
  url: string;
  token: string;
  /** the server keeps no document state (the raw relay): a document counts as synced once followed */
  stateless?: boolean;
}

/** What a received frame means to a load client. */
export type Incoming =
  | { kind: 'sync'; doc: string; message: Uint8Array }
  | { kind: 'synced'; doc: string }
  /** [P7]: per client id, the clock below which the relay holds everything committed */
  | { kind: 'ack'; doc: string; stateVector: Uint8Array }
  | { kind: 'other' };

export interface Wire {
  /** Whether one socket may carry several documents. */
  readonly multiplexed: boolean;
  socketUrl(doc: string): string;
  /** Frames that start following `doc` on an open socket, given the client's state vector. */
  open(doc: string, stateVector: Uint8Array): Uint8Array[];
  /** Wraps a y-protocols sync message (step 1, step 2 or update) for `doc`. */
  sync(doc: string, message: Uint8Array): Uint8Array;
  decode(data: Uint8Array, socketDoc: string): Incoming;
  /** Whether the server marks the end of its first sync itself (else: the first step 2 does). */
  readonly signalsSynced: boolean;
}

const HOCUSPOCUS_SYNC = 0;
const HOCUSPOCUS_AUTH = 2;
const HOCUSPOCUS_SYNC_REPLY = 4;
const HOCUSPOCUS_AUTH_TOKEN = 0;

export function syncStep1(stateVector: Uint8Array): Uint8Array {
  return protocol.encodeSyncMessage(protocol.syncStep1, stateVector);
}

export function createWire(endpoint: Endpoint): Wire {
  const socketUrl = (doc: string): string => endpoint.url.replace('{doc}', doc);
  switch (endpoint.wire) {
    case 'yws':
      return {
        multiplexed: false,
        signalsSynced: false,
        socketUrl,
        open: (_doc, sv) => [ywsFrame(syncStep1(sv))],
        sync: (_doc, message) => ywsFrame(message),
        decode(data, socketDoc) {
          const d = decoding.createDecoder(data);
          if (decoding.readVarUint(d) !== protocol.messageSync) return { kind: 'other' };
          return { kind: 'sync', doc: socketDoc, message: decoding.readTailAsUint8Array(d) };
        },
      };
    case 'hocuspocus':
      return {
        multiplexed: true,
        signalsSynced: false,
        socketUrl,
        open(doc, sv) {
          const auth = encoding.createEncoder();
          encoding.writeVarString(auth, doc);
          encoding.writeVarUint(auth, HOCUSPOCUS_AUTH);
          encoding.writeVarUint(auth, HOCUSPOCUS_AUTH_TOKEN);
          encoding.writeVarString(auth, endpoint.token);
          return [encoding.toUint8Array(auth), hocuspocusFrame(doc, syncStep1(sv))];
        },
        sync: hocuspocusFrame,
        decode(data) {
          const d = decoding.createDecoder(data);
          const doc = decoding.readVarString(d);
          const type = decoding.readVarUint(d);
          if (type !== HOCUSPOCUS_SYNC && type !== HOCUSPOCUS_SYNC_REPLY) return { kind: 'other' };
          return { kind: 'sync', doc, message: decoding.readTailAsUint8Array(d) };
        },
      };
    case 'mux':
      return {
        multiplexed: true,
        signalsSynced: true,
        socketUrl,
        open: (doc, stateVector) => [protocol.encodeFrame({ type: protocol.Frame.open, doc, stateVector })],
        sync: (doc, message) => protocol.encodeFrame({ type: protocol.Frame.sync, doc, message }),
        decode(data) {
          const frame = protocol.decodeFrame(data);
          switch (frame.type) {
            case protocol.Frame.sync:
              return { kind: 'sync', doc: frame.doc, message: frame.message };
            case protocol.Frame.synced:
              return { kind: 'synced', doc: frame.doc };
            case protocol.Frame.ack:
              return { kind: 'ack', doc: frame.doc, stateVector: frame.stateVector };
            case protocol.Frame.error:
            case protocol.Frame.close:
              throw new Error(`relay refused ${frame.doc || 'the socket'}: ${frame.code} ${frame.reason}`);
            default:
              return { kind: 'other' };
          }
        },
      };
  }
}

function ywsFrame(message: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, protocol.messageSync);
  encoding.writeUint8Array(e, message);
  return encoding.toUint8Array(e);
}

function hocuspocusFrame(doc: string, message: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, HOCUSPOCUS_SYNC);
  encoding.writeUint8Array(e, message);
  return encoding.toUint8Array(e);
}
