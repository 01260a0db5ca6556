/**
 * [P1] A Yjs V1 update read for its shape only: struct ids and lengths, origins, parents, the delete
 * set. Content is skipped, never built: Y.decodeUpdate allocates an Item, a content object, and a
 * decoded string or value for every struct, which was most of the relay's per-update cost.
 *
 * It refuses everything Y.decodeUpdate refuses (so a forwarded update cannot break a client's
 * applyUpdate) and mirrors its reading exactly where lengths come from content: a string's length
 * is its UTF-16 length after the same decoding (TextDecoder, invalid bytes replaced), JSON is
 * parsed. Work is bounded by the input: every loop step consumes at least one byte, every count is
 * checked against the bytes behind it, and nesting of `any` values is bounded without recursion.
 */
import { isUtf8 } from 'node:buffer';
import * as Y from 'yjs';

export interface ScannedStruct {
  client: number;
  clock: number;
  len: number;
  /** the root type name when the struct names its parent root explicitly */
  parentRoot: string | null;
  /** items this struct is positioned against (origin, right origin): its siblings */
  refs: Y.ID[];
  /** the item of the nested type this struct lives in, when it names one */
  parentItem: Y.ID | null;
  /** a Y.Map value (it has a key): its origin is the value it overwrites, not a sibling */
  mapValue: boolean;
  /** the item it was inserted after (for a map value: the value it overwrites) */
  origin: Y.ID | null;
  /**
   * A first value under a key that names who wrote (`author`, `createdBy`; an overwrite names no
   * key, only the value it replaces): [P6] holds customers to their own name there.
   */
  authorKey: boolean;
  /** where its value's bytes are in the update when it is one lib0 `any` value (else -1): read only when checked */
  valueStart: number;
  valueEnd: number;
}

export interface ScannedUpdate {
  /** Items and GCs (Skips are gaps, not writes) */
  structs: ScannedStruct[];
  /** [client, clock, len] ranges the update deletes (empty ranges left out) */
  deletes: [number, number, number][];
  /** client id → clock just past the highest struct of that client in this update */
  ends: Map<number, number>;
  /** the scanned bytes (what `valueStart` / `valueEnd` point into) */
  bytes: Uint8Array;
}

/** Thrown for anything that is not a well-formed V1 update; the message says what. */
export class MalformedUpdate extends Error {
  override readonly name = 'MalformedUpdate';
}

/** Deeper `any` nesting than any honest client writes; Yjs would overflow its stack far below 1 MB of input. */
export const MAX_ANY_DEPTH = 1_000;

const MAX_CLIENT = 0xffffffff;
// lib0's decoder: fatal on invalid UTF-8, and a BOM is kept (it counts in a string's length)
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Struct info byte (yjs: binary.BITS5 content ref, BIT6 parentSub, BIT7 right origin, BIT8 origin).
const CONTENT_REF = 0b11111;
const HAS_PARENT_SUB = 0b100000;
const HAS_RIGHT_ORIGIN = 0b1000000;
const HAS_ORIGIN = 0b10000000;
const SKIP = 10;

const fail = (why: string): never => {
  throw new MalformedUpdate(why);
};

/**
 * Scans `update`. `exact` (untrusted input) also proves the update ends with its delete set: a V2
 * update, or V1 with trailing bytes, does not.
 */
export function scanUpdateV1(update: Uint8Array, exact = true): ScannedUpdate {
  const c: Cursor = { buf: update, pos: 0, end: update.length };
  const structs: ScannedStruct[] = [];
  const ends = new Map<number, number>();
  const clients = varUint(c);
  // each client section takes at least 3 bytes (count, client, clock)
  if (clients > c.end - c.pos) fail('unexpected end of update');
  for (let k = 0; k < clients; k++) {
    const count = varUint(c);
    const client = varUint(c);
    let clock = varUint(c);
    if (client > MAX_CLIENT) fail('struct id out of range');
    if (count > c.end - c.pos) fail('unexpected end of update');
    for (let i = 0; i < count; i++) {
      const info = byte(c);
      const ref = info & CONTENT_REF;
      let len: number;
      if (info === SKIP) {
        len = varUint(c);
        clock += len;
        if (!Number.isSafeInteger(clock)) fail('struct id out of range');
        continue;
      }
      const refs: Y.ID[] = [];
      let parentRoot: string | null = null;
      let parentItem: Y.ID | null = null;
      let origin: Y.ID | null = null;
      let authorKey = false;
      let valueStart = -1;
      if (ref === 0) {
        len = varUint(c); // GC
      } else {
        if (info & HAS_ORIGIN) refs.push((origin = id(c)));
        if (info & HAS_RIGHT_ORIGIN) refs.push(id(c));
        if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
          if (varUint(c) === 1) parentRoot = string(c);
          else parentItem = id(c);
          if (info & HAS_PARENT_SUB) authorKey = namesAuthor(c.buf, stringBytes(c), c.pos);
        }
        // ContentAny holding one value: a count byte of 1, then the value
        if (ref === 8 && c.pos < c.end && c.buf[c.pos] === 1) valueStart = c.pos + 1;
        len = content(c, ref);
      }
      if (len <= 0 || !Number.isSafeInteger(clock + len)) fail('struct id out of range');
      const valueEnd = valueStart === -1 ? -1 : c.pos;
      structs.push({ client, clock, len, parentRoot, refs, parentItem, mapValue: ref !== 0 && (info & HAS_PARENT_SUB) !== 0, origin, authorKey, valueStart, valueEnd });
      clock += len;
      const prev = ends.get(client);
      if (prev === undefined || prev < clock) ends.set(client, clock);
    }
  }

  const deletes: [number, number, number][] = [];
  const dsClients = varUint(c);
  if (dsClients > c.end - c.pos) fail('unexpected end of update');
  for (let k = 0; k < dsClients; k++) {
    const client = varUint(c);
    const n = varUint(c);
    if (n > c.end - c.pos) fail('unexpected end of update');
    for (let i = 0; i < n; i++) {
      const clock = varUint(c);
      const len = varUint(c);
      if (!Number.isSafeInteger(clock + len)) fail('delete range out of range');
      if (len > 0) deletes.push([client, clock, len]);
    }
  }
  if (exact && c.pos !== c.end) fail('trailing bytes (not a V1 update?)');
  return { structs, deletes, ends, bytes: update };
}

const AUTHOR_KEYS = ['author', 'createdBy'].map((k) => new TextEncoder().encode(k));

/** Whether the key in `buf[start, end)` is one of AUTHOR_KEYS, compared as bytes (no decoding per map value). */
function namesAuthor(buf: Uint8Array, start: number, end: number): boolean {
  return AUTHOR_KEYS.some((key) => key.length === end - start && key.every((b, i) => buf[start + i] === b));
}

/** Yjs parses JSON content when it decodes: text that does not parse would throw in every client. */

function parseJson(text: string): void {
  try {
    JSON.parse(text);
  } catch {
    fail('content is not JSON');
  }
}

/** Where the scan is in the update. */
interface Cursor {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
}

function varUint(c: Cursor): number {
  let num = 0;
  let mult = 1;
  while (c.pos < c.end) {
    const r = c.buf[c.pos++]!;
    num += (r & 0x7f) * mult;
    if (r < 0x80) return num;
    mult *= 128;
    if (num > Number.MAX_SAFE_INTEGER) fail('integer out of range');
  }
  return fail('unexpected end of update');
}

function byte(c: Cursor): number {
  return c.pos < c.end ? c.buf[c.pos++]! : fail('unexpected end of update');
}

function skip(c: Cursor, n: number): void {
  if (n > c.end - c.pos) fail('unexpected end of update');
  c.pos += n;
}

/** lib0 varUint8Array: skipped, returns where its bytes start */

function bytes(c: Cursor): number {
  const n = varUint(c);
  skip(c, n);
  return c.pos - n;
}

/**
 * lib0 varString, skipped but proven UTF-8: lib0 decodes with a fatal TextDecoder, so a client
 * would throw on anything else. Returns where its bytes start; ASCII (the common case) costs a loop.
 */

function stringBytes(c: Cursor): number {
  const start = bytes(c);
  for (let i = start; i < c.pos; i++) {
    if (c.buf[i]! >= 0x80) {
      if (!isUtf8(c.buf.subarray(start, c.pos))) fail('string is not UTF-8');
      break;
    }
  }
  return start;
}

function string(c: Cursor): string {
  const start = bytes(c);
  try {
    return utf8.decode(c.buf.subarray(start, c.pos));
  } catch {
    return fail('string is not UTF-8');
  }
}

/** The length Yjs gives a ContentString: UTF-16 code units of the decoded text. */

function stringLength(c: Cursor): number {
  const start = stringBytes(c);
  for (let i = start; i < c.pos; i++) if (c.buf[i]! >= 0x80) return utf8.decode(c.buf.subarray(start, c.pos)).length;
  return c.pos - start;
}

function json(c: Cursor): void {
  parseJson(string(c));
}

/** Skips one lib0 `any` value, nested containers on an explicit stack rather than by recursion. */

function anyValue(c: Cursor): void {
  // per open array or object: values still to read, and whether each is preceded by a key
  const remaining: number[] = [];
  const keyed: boolean[] = [];
  let first = true;
  while (first || remaining.length > 0) {
    if (!first) {
      const top = remaining.length - 1;
      if (remaining[top] === 0) {
        remaining.pop();
        keyed.pop();
        continue;
      }
      remaining[top]!--;
      if (keyed[top]) stringBytes(c);
    }
    first = false;
    const type = byte(c);
    switch (type) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        break;
      case 125: // varInt
        skipVarInt(c);
        break;
      case 124: // float32
        skip(c, 4);
        break;
      case 123: // float64
      case 122: // bigint64
        skip(c, 8);
        break;
      case 119: // string
        stringBytes(c);
        break;
      case 116: // Uint8Array
        bytes(c);
        break;
      case 118: // object
      case 117: {
        // array
        const n = varUint(c);
        if (n > c.end - c.pos) fail('unexpected end of update');
        if (n === 0) break;
        if (remaining.length >= MAX_ANY_DEPTH) fail('value nested too deeply');
        remaining.push(n);
        keyed.push(type === 118);
        break;
      }
      default:
        fail(`unknown value type ${type}`);
    }
  }
}

/** lib0 varInt: 6 bits and a sign in the first byte, then 7 bits a byte, refused past 2^53 as lib0 does */

function skipVarInt(c: Cursor): void {
  let r = byte(c);
  let num = r & 0x3f;
  let mult = 64;
  while (r >= 0x80) {
    r = byte(c);
    num += (r & 0x7f) * mult;
    mult *= 128;
    if (r >= 0x80 && num > Number.MAX_SAFE_INTEGER) fail('integer out of range');
  }
}

function id(c: Cursor): Y.ID {
  return Y.createID(varUint(c), varUint(c));
}

/** Reads an item's content and returns the item's length (its clock span). */

function content(c: Cursor, ref: number): number {
  switch (ref) {
    case 1: // ContentDeleted
      return varUint(c);
    case 2: {
      // ContentJSON: `len` JSON texts, or the text 'undefined'
      const n = varUint(c);
      if (n > c.end - c.pos) fail('unexpected end of update');
      for (let i = 0; i < n; i++) {
        const text = string(c);
        if (text !== 'undefined') parseJson(text);
      }
      return n;
    }
    case 3: // ContentBinary
      bytes(c);
      return 1;
    case 4: // ContentString
      return stringLength(c);
    case 5: // ContentEmbed
      json(c);
      return 1;
    case 6: // ContentFormat: key, JSON value
      stringBytes(c);
      json(c);
      return 1;
    case 7: {
      // ContentType: type ref; XmlElement (3) and XmlHook (5) carry a name
      const typeRef = varUint(c);
      if (typeRef > 6) fail(`unknown type ref ${typeRef}`);
      if (typeRef === 3 || typeRef === 5) stringBytes(c);
      return 1;
    }
    case 8: {
      // ContentAny: `len` values
      const n = varUint(c);
      if (n > c.end - c.pos) fail('unexpected end of update');
      for (let i = 0; i < n; i++) anyValue(c);
      return n;
    }
    case 9: {
      // ContentDoc: guid, options object (Yjs reads options' fields: anything else throws there)
      stringBytes(c);
      if (c.pos >= c.end || c.buf[c.pos] !== 118) fail('subdocument options are not an object');
      anyValue(c);
      return 1;
    }
    default:
      return fail(`unknown content ref ${ref}`);
  }
}
