import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { codeOf } from '../test-kit.js';
import { readProfile, updateProfile } from '../settings/profile.js';
import { isAvatarUrl, MAX_AVATAR_URL_LENGTH } from './avatar.js';
import { Conversation } from './conversation.js';
import { messagesOf } from './read.js';
import type { Me } from './types.js';

const AVATAR = 'https://cdn.example.com/agents/aino.png';
const agent: Me = { role: 'agent', id: 'agt-1', name: 'Aino', avatar: AVATAR };
const customer: Me = { role: 'customer', id: 'cus-1', name: 'Ada' };

function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

describe('avatar URLs', () => {
  it.each<[string, unknown, boolean]>([
    ['https', AVATAR, true],
    ['http on loopback (development)', 'http://127.0.0.1:5173/a.png', true],
    ['http elsewhere (mixed content, trackable in transit)', 'http://cdn.example.com/a.png', false],
    ['javascript:', 'javascript:alert(1)', false],
    ['data: (repeated in every message)', 'data:image/png;base64,iVBORw0KGgo=', false],
    ['a blob hash (unreadable outside its conversation)', 'a'.repeat(64), false],
    ['a relative path', '/avatars/a.png', false],
    ['credentials in the URL', 'https://user:pw@cdn.example.com/a.png', false],
    ['an overlong URL', `https://cdn.example.com/${'x'.repeat(MAX_AVATAR_URL_LENGTH)}`, false],
    ['not a string', 42, false],
  ])('%s → %s', (_name, value, ok) => expect(isAvatarUrl(value)).toBe(ok));
});

describe('author avatar', () => {
  it("reaches the customer's replica with the agent's messages and typing", () => {
    const agentDoc = new Y.Doc();
    const customerDoc = new Y.Doc();
    const mine = Conversation.create({ doc: customerDoc, me: customer, deviceId: 'phone' }, { id: 'k1', customer: { id: customer.id, name: customer.name } });
    sync(customerDoc, agentDoc);
    const agentAwareness = new awarenessProtocol.Awareness(agentDoc);
    const customerAwareness = new awarenessProtocol.Awareness(customerDoc);
    const theirs = Conversation.open({ doc: agentDoc, me: agent, deviceId: 'desk', awareness: agentAwareness });
    const view = Conversation.open({ doc: customerDoc, me: customer, deviceId: 'phone', awareness: customerAwareness });
    theirs.send({ text: 'Hi, Aino here' });
    theirs.setTyping(true);
    sync(agentDoc, customerDoc);
    awarenessProtocol.applyAwarenessUpdate(customerAwareness, awarenessProtocol.encodeAwarenessUpdate(agentAwareness, [agentAwareness.clientID]), 'remote');

    const reply = view.messages().at(-1)!;
    expect(reply.author).toEqual({ role: 'agent', id: 'agt-1', name: 'Aino', avatar: AVATAR });
    expect(view.typing()).toEqual([{ role: 'agent', id: 'agt-1', name: 'Aino', avatar: AVATAR }]);
    // Without an avatar the author has no key at all (UIs fall back to the initial).
    expect(mine.send({ text: 'thanks' }).author).toEqual({ role: 'customer', id: 'cus-1', name: 'Ada' });
    for (const c of [mine, theirs, view]) c.destroy();
    agentAwareness.destroy();
    customerAwareness.destroy();
  });

  it('refuses to open a conversation as a principal whose avatar is not a safe URL', () => {
    expect(codeOf(() => Conversation.open({ doc: new Y.Doc(), me: { ...agent, avatar: 'javascript:alert(1)' }, deviceId: 'd' }))).toBe('invalid_argument');
  });

  it('drops an avatar another client wrote that is not a safe URL', () => {
    const doc = new Y.Doc();
    const conv = Conversation.create({ doc, me: customer, deviceId: 'phone' }, { customer: { id: customer.id, name: customer.name } });
    // A modified client writes its own message map directly, bypassing the model's checks.
    const forged = new Y.Map<unknown>();
    forged.set('id', 'forged');
    forged.set('author', { role: 'agent', id: 'agt-9', name: 'Eve', avatar: 'javascript:alert(1)' });
    forged.set('kind', 'text');
    forged.set('text', 'hello');
    messagesOf(doc).push([forged]);
    expect(conv.message('forged').author).toEqual({ role: 'agent', id: 'agt-9', name: 'Eve' });
    conv.destroy();
  });
});

describe('customer profile avatar', () => {
  it('is set, read back on another replica, and removed with an empty string', () => {
    const phone = new Y.Doc();
    const laptop = new Y.Doc();
    updateProfile(phone, { avatar: 'https://shop.example/u/ada.jpg' });
    sync(phone, laptop);
    expect(readProfile(laptop).avatar).toBe('https://shop.example/u/ada.jpg');
    updateProfile(laptop, { avatar: '' });
    expect(readProfile(laptop)).not.toHaveProperty('avatar');
  });

  it('refuses an unsafe avatar', () => {
    expect(codeOf(() => updateProfile(new Y.Doc(), { avatar: 'data:image/png;base64,AAAA' }))).toBe('invalid_argument');
  });
});
