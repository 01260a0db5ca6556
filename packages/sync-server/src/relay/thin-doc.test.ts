import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { conversationDoc, parseDocName } from '@parley/core';
import { createThinDoc } from './thin-doc.js';
import { inspectUpdate } from './inspect.js';

/** A conversation written by two devices, held by the relay as a thin document. */
function heldConversation() {
  const name = conversationDoc('demo', 'c1', 'k1');
  const thin = createThinDoc(name, parseDocName(name)!, new Map());
  const phone = new Y.Doc();
  const laptop = new Y.Doc();
  const keep = (update: Uint8Array): void => thin.add(update, inspectUpdate(update));
  phone.on('update', keep);
  laptop.on('update', keep);
  for (let i = 0; i < 10; i++) phone.getArray<string>('messages').push([`phone ${i}`]);
  const earlier = Y.encodeStateVector(phone);
  const earlierUpdate = Y.encodeStateAsUpdate(phone);
  for (let i = 10; i < 20; i++) phone.getArray<string>('messages').push([`phone ${i}`]);
  Y.applyUpdate(laptop, Y.encodeStateAsUpdate(phone));
  for (let i = 0; i < 5; i++) laptop.getArray<string>('messages').push([`laptop ${i}`]);
  Y.applyUpdate(phone, Y.encodeStateAsUpdate(laptop, Y.encodeStateVector(phone)));
  phone.getArray<string>('messages').delete(0, 2);
  return { thin, phone, earlier, earlierUpdate };
}

const messagesOf = (...updates: Uint8Array[]): string[] => {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getArray<string>('messages').toArray();
};

describe('thin document diff', () => {
  it('gives a device that holds nothing the merged update itself, with everything in it', () => {
    const { thin, phone } = heldConversation();
    const diff = thin.diff(Y.encodeStateVector(new Y.Doc()));
    expect(diff).toBe(thin.merged());
    expect(messagesOf(diff)).toEqual(phone.getArray('messages').toArray());
  });

  it('treats a state vector naming only clients the relay never saw as holding nothing', () => {
    const { thin } = heldConversation();
    const stranger = new Y.Doc();
    stranger.getArray<string>('notes').push(['unrelated']);
    expect(thin.diff(Y.encodeStateVector(stranger))).toBe(thin.merged());
  });

  it('leaves out what a returning device already holds, exactly as Y.diffUpdate does', () => {
    const { thin, phone, earlier, earlierUpdate } = heldConversation();
    const diff = thin.diff(earlier);
    expect(diff).toEqual(Y.diffUpdate(thin.merged(), earlier));
    expect(diff.byteLength).toBeLessThan(thin.merged().byteLength);
    expect(messagesOf(earlierUpdate, diff)).toEqual(phone.getArray('messages').toArray());
  });
});
