/**
 * Parley's wire protocol: pure encode/decode, no I/O. Both the relay and the clients use it.
 * See PROTOCOL.md beside this file for the frame layout and the numbered rules.
 *
 * Two socket modes share these definitions:
 * - `/sync/<doc>`: the y-websocket protocol, one document per socket (messageSync, messageAwareness).
 * - `/mux`: many documents per socket; every frame starts with a frame type and the document name.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

/** Outer message types of the y-websocket protocol (one document per socket). */
export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;

/** y-protocols sync sub-messages, as written by `y-protocols/sync`. */
export const syncStep1 = 0;
export const syncStep2 = 1;
export const syncUpdate = 2;

/** Frame types of the multiplexed `/mux` protocol. */
export const Frame = {
  /** both ways: doc, then a y-protocols sync message (step 1, step 2 or update, V1 updates only) */
  sync: 0,
  /** both ways: doc, then a y-protocols awareness update */
  awareness: 1,
  /** client → relay: doc, then the client's state vector; the relay answers step 2 and its own step 1 */
  open: 2,
  /** client → relay: stop following doc. relay → client: doc closed, with code and reason */
  close: 3,
  /** relay → client: doc, then per client id the clock up to which the relay holds its items committed ([P7]) */
  ack: 4,
  /** relay → client: doc ('' for the socket), code and reason; the socket stays open */
  error: 5,
  /** client → relay: a fresh token for this socket (refresh without reconnecting) */
  auth: 6,
  /** relay → client: doc, the relay's sync of this doc is complete (after step 2 was sent) */
  synced: 7,
} as const;
export type FrameType = (typeof Frame)[keyof typeof Frame];

/**
 * Close and error codes shared by relay and clients. 4xxx mirror HTTP statuses so that logs read
 * naturally; a socket closed with one of these should not reconnect with the same token except
 * where `isRetryable` says so.
 */
export const Code = {
  normal: 1000,
  goingAway: 1001,
  badFrame: 4400,
  unauthorised: 4401,
  forbidden: 4403,
  notFound: 4404,
  authTimeout: 4408,
  conflict: 4409,
  tooLarge: 4413,
  rateLimited: 4429,
  internal: 4500,
  storageUnavailable: 4503,
} as const;
export type CodeValue = (typeof Code)[keyof typeof Code];

/** Codes after which a client may reconnect (with backoff) using the same credentials. */
export function isRetryable(code: number): boolean {
  return (
    code === Code.goingAway ||
    code === Code.rateLimited ||
    code === Code.internal ||
    code === Code.storageUnavailable ||
    code === Code.authTimeout ||
    code === 1006 ||
    code === 1011 ||
    code === 1012 ||
    code === 1013
  );
}

/** Thrown by decoders on malformed input; the relay turns it into `Code.badFrame`. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    message: string,
    readonly code: number = Code.badFrame,
  ) {
    super(message);
  }
}

/** Document names are paths; see PROTOCOL.md [P2]. */
export const MAX_DOC_NAME_LENGTH = 256;
const DOC_NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9._-]+)*$/;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;

export function isValidDocName(name: string): boolean {
  // Checked on every frame the relay reads, so the dot-segment test runs only when there is a dot.
  return name.length > 0 && name.length <= MAX_DOC_NAME_LENGTH && DOC_NAME.test(name) && !(name.includes('.') && DOT_SEGMENT.test(name));
}

export type MuxFrame =
  | { type: typeof Frame.sync; doc: string; message: Uint8Array }
  | { type: typeof Frame.awareness; doc: string; update: Uint8Array }
  | { type: typeof Frame.open; doc: string; stateVector: Uint8Array }
  | { type: typeof Frame.close; doc: string; code: number; reason: string }
  | { type: typeof Frame.ack; doc: string; stateVector: Uint8Array }
  | { type: typeof Frame.error; doc: string; code: number; reason: string }
  | { type: typeof Frame.auth; token: string }
  | { type: typeof Frame.synced; doc: string };

export function encodeFrame(frame: MuxFrame): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, frame.type);
  switch (frame.type) {
    case Frame.sync:
      encoding.writeVarString(e, frame.doc);
      encoding.writeUint8Array(e, frame.message);
      break;
    case Frame.awareness:
      encoding.writeVarString(e, frame.doc);
      encoding.writeVarUint8Array(e, frame.update);
      break;
    case Frame.open:
    case Frame.ack:
      encoding.writeVarString(e, frame.doc);
      encoding.writeVarUint8Array(e, frame.stateVector);
      break;
    case Frame.close:
    case Frame.error:
      encoding.writeVarString(e, frame.doc);
      encoding.writeVarUint(e, frame.code);
      encoding.writeVarString(e, frame.reason);
      break;
    case Frame.auth:
      encoding.writeVarString(e, frame.token);
      break;
    case Frame.synced:
      encoding.writeVarString(e, frame.doc);
      break;
  }
  return encoding.toUint8Array(e);
}

/** Decodes one mux frame. Throws ProtocolError on anything malformed; never loops on input size. */
export function decodeFrame(data: Uint8Array): MuxFrame {
  try {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    switch (type) {
      case Frame.sync: {
        const doc = readDocName(d);
        const message = decoding.readTailAsUint8Array(d);
        if (message.length === 0) throw new ProtocolError('empty sync message');
        return { type, doc, message };
      }
      case Frame.awareness:
        return finish(d, { type, doc: readDocName(d), update: decoding.readVarUint8Array(d) });
      case Frame.open:
      case Frame.ack:
        return finish(d, { type, doc: readDocName(d), stateVector: decoding.readVarUint8Array(d) });
      case Frame.close:
      case Frame.error: {
        const doc = readDocName(d, true);
        const code = decoding.readVarUint(d);
        return finish(d, { type, doc, code, reason: decoding.readVarString(d) });
      }
      case Frame.auth:
        return finish(d, { type, token: decoding.readVarString(d) });
      case Frame.synced:
        return finish(d, { type, doc: readDocName(d) });
      default:
        throw new ProtocolError(`unknown frame type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed frame: ${(err as Error).message}`);
  }
}

function readDocName(d: decoding.Decoder, allowEmpty = false): string {
  const name = decoding.readVarString(d);
  if (allowEmpty && name === '') return name;
  if (!isValidDocName(name)) throw new ProtocolError(`invalid document name`);
  return name;
}

function finish<T>(d: decoding.Decoder, frame: T): T {
  if (decoding.hasContent(d)) throw new ProtocolError('trailing bytes after frame');
  return frame;
}

/** The sub-type of a y-protocols sync message (step 1, step 2, update) and its payload. */
export function decodeSyncMessage(message: Uint8Array): { kind: number; payload: Uint8Array } {
  try {
    const d = decoding.createDecoder(message);
    const kind = decoding.readVarUint(d);
    if (kind !== syncStep1 && kind !== syncStep2 && kind !== syncUpdate) throw new ProtocolError(`unknown sync message ${kind}`);
    const payload = decoding.readVarUint8Array(d);
    if (decoding.hasContent(d)) throw new ProtocolError('trailing bytes after sync message');
    return { kind, payload };
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed sync message: ${(err as Error).message}`);
  }
}

export function encodeSyncMessage(kind: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kind);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/** y-websocket framing (one document per socket): outer type, then the sync or awareness body. */
export function encodeYwsSync(kind: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, messageSync);
  encoding.writeVarUint(e, kind);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export function encodeYwsAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, messageAwareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export type YwsMessage =
  | { type: typeof messageSync; kind: number; payload: Uint8Array }
  | { type: typeof messageAwareness; update: Uint8Array }
  | { type: typeof messageAuth | typeof messageQueryAwareness };

export function decodeYwsMessage(data: Uint8Array): YwsMessage {
  try {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    switch (type) {
      case messageSync: {
        const { kind, payload } = decodeSyncMessage(decoding.readTailAsUint8Array(d));
        return { type, kind, payload };
      }
      case messageAwareness:
        return finish(d, { type, update: decoding.readVarUint8Array(d) });
      case messageAuth:
      case messageQueryAwareness:
        return { type };
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed message: ${(err as Error).message}`);
  }
}
