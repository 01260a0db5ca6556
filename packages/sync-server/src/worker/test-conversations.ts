/**
 * Real conversation documents for the worker's unit tests: core's Conversation over a Y.Doc, the
 * customer and the bot each on their own replica, exchanged like two devices would.
 */
import * as Y from 'yjs';
import { Conversation, type Me } from '@parley/core';

export const customerMe: Me = { role: 'customer', id: 'c1', name: 'Cem' };
export const botMe: Me = { role: 'bot', id: 'router', name: 'Parley' };

export interface TestConversation {
  customer: Conversation;
  bot: Conversation;
  /** the customer writes; the bot's replica receives it */
  say(text: string): void;
}

export function testConversation(init: { referralPage?: string; language?: string } = {}): TestConversation {
  const customerDoc = new Y.Doc();
  const botDoc = new Y.Doc();
  const sync = (): void => {
    Y.applyUpdate(botDoc, Y.encodeStateAsUpdate(customerDoc, Y.encodeStateVector(botDoc)));
    Y.applyUpdate(customerDoc, Y.encodeStateAsUpdate(botDoc, Y.encodeStateVector(customerDoc)));
  };
  const customer = Conversation.create({ doc: customerDoc, me: customerMe, deviceId: 'phone' }, { customer: { id: customerMe.id, name: customerMe.name }, ...init });
  const bot = Conversation.open({ doc: botDoc, me: botMe, deviceId: 'worker' });
  sync();
  return {
    customer,
    bot,
    say(text) {
      customer.send({ text });
      sync();
    },
  };
}
