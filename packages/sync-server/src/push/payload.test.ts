import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Conversation, readConversation } from '@parley/core';
import { previewOf } from './sender.js';
import { latestReply, withConversationHash } from './notifier.js';

describe('push payload pieces', () => {
  it.each([
    ['short text stays', 'Hi Cem!', 'Hi Cem!'],
    ['line breaks become spaces', 'Take one size up.\n\nFree returns.', 'Take one size up. Free returns.'],
    ['long text is cut at a word with an ellipsis', `${'word '.repeat(40)}end`, `${'word '.repeat(23).trim()}…`],
    ['an emoji is never cut in half', '🙂'.repeat(130), `${'🙂'.repeat(119)}…`],
  ])('previewOf: %s', (_what, text, expected) => {
    expect(previewOf(text)).toBe(expected);
  });

  it.each([
    ['https://shop.example/boots?size=42', 'https://shop.example/boots?size=42#parley-conversation=k1'],
    ['https://shop.example/boots#reviews', 'https://shop.example/boots#parley-conversation=k1'],
    ['/', '/#parley-conversation=k1'],
  ])('withConversationHash(%s)', (base, expected) => {
    expect(withConversationHash(base, 'k1')).toBe(expected);
  });

  it('latestReply is the newest agent or bot message, skipping events, deleted ones and the customer', () => {
    const doc = new Y.Doc();
    const customer = Conversation.create({ doc, me: { role: 'customer', id: 'c1', name: 'Cem' }, deviceId: 'phone' }, { id: 'k1', customer: { id: 'c1', name: 'Cem' } });
    customer.send({ text: 'Hello?' });
    expect(latestReply(readConversation(doc))).toBeNull();
    const agent = Conversation.open({ doc, me: { role: 'agent', id: 'ann', name: 'Ann' }, deviceId: 'desk' });
    agent.send({ text: 'Hi!' });
    const oops = agent.send({ text: 'wrong chat' });
    agent.delete(oops.id);
    agent.resolve();
    customer.send({ text: 'Thanks' });
    expect(latestReply(readConversation(doc))).toMatchObject({ text: 'Hi!', author: { role: 'agent', name: 'Ann' } });
  });
});
