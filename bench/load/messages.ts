/**
 * Conversation content as Parley writes it (a `messages` Y.Array of Y.Map, see core's docs.ts),
 * with a marker in each text so that a reader can time a delivery by scanning the update bytes
 * (Yjs V1 stores strings as UTF-8) without building a document.
 */
import * as Y from 'yjs';

const MARK_OPEN = '~#';
const MARK_CLOSE = 0x7e; // '~'

export function appendMessage(doc: Y.Doc, seq: number, authorId: string, now = Date.now()): void {
  const message = new Y.Map<unknown>();
  message.set('id', `m${now.toString(36)}-${seq}`);
  message.set('author', { role: 'customer', id: authorId, name: 'Bench customer' });
  message.set('kind', 'text');
  message.set('text', `Hello, my order has not arrived yet, can you help? ${MARK_OPEN}${seq}~`);
  message.set('clientTime', now);
  message.set('device', 'bench');
  doc.getArray('messages').push([message]);
}

/** A document of `count` messages, as one encoded update. */
export function conversationUpdate(count: number, authorId = 'c'): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < count; i++) appendMessage(doc, i, authorId, 1_700_000_000_000 + i * 1000);
  });
  return Y.encodeStateAsUpdate(doc);
}

/** Calls `found` with every message sequence number whose marker appears in `bytes`. */
export function scanMarkers(bytes: Uint8Array, found: (seq: number) => void): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = buf.indexOf(MARK_OPEN);
  while (at !== -1) {
    let seq = 0;
    let i = at + 2;
    let digits = 0;
    for (; i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++, digits++) seq = seq * 10 + (buf[i]! - 0x30);
    if (digits > 0 && buf[i] === MARK_CLOSE) found(seq);
    at = buf.indexOf(MARK_OPEN, i);
  }
}
