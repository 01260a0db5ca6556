/**
 * Seeded random edits by three replicas (customer phone, customer tablet, agent) with random
 * partial syncs; at the end every replica, and a doc rebuilt from all merged updates, must show
 * the same conversation. Replay a failure with `SEED=<seed> npx vitest run packages/core/src/conversation/fuzz`.
 */
import { describe, expect, it } from 'vitest';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import { isParleyError } from '../errors.js';
import { Conversation } from './conversation.js';
import { readConversation } from './read.js';
import type { Me } from './types.js';

const customer: Me = { role: 'customer', id: 'cus', name: 'C' };
const agent: Me = { role: 'agent', id: 'agt', name: 'A' };

function run(seed: number, steps: number): void {
  const gen = prng.create(seed);
  const phone = Conversation.create({ doc: new Y.Doc(), me: customer, deviceId: 'phone' }, { id: 'c', customer: { id: 'cus', name: 'C' } });
  const peers = [phone, Conversation.open({ doc: new Y.Doc(), me: customer, deviceId: 'tablet' }), Conversation.open({ doc: new Y.Doc(), me: agent, deviceId: 'desk' })];
  const sync = (a: Conversation, b: Conversation) => {
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)));
  };
  sync(peers[0]!, peers[2]!);
  sync(peers[0]!, peers[1]!);

  for (let step = 0; step < steps; step++) {
    const p = prng.oneOf(gen, peers);
    const own = p.messages().filter((m) => m.author.id === p.me.id && m.kind !== 'event' && !m.deleted);
    const op = prng.int32(gen, 0, 9);
    try {
      if (op <= 3) p.send({ text: `${p.deviceId}-${step}` });
      else if (op === 4 && own.length) p.edit(prng.oneOf(gen, own).id, `edited-${step}`);
      else if (op === 5 && own.length) p.delete(prng.oneOf(gen, own).id);
      else if (op === 6) p.markRead();
      else if (op === 7 && p.me.role === 'agent') p.setStatus(prng.oneOf(gen, ['pending', 'resolved', 'reopened', 'open'] as const));
      else if (op === 8 && p.me.role === 'agent') p.addLabel(prng.oneOf(gen, ['a', 'b', 'c']));
      else sync(p, prng.oneOf(gen, peers.filter((x) => x !== p)));
    } catch (err) {
      // Refusals are part of the game (a transition not allowed from here); anything else is a bug.
      if (!isParleyError(err, 'invalid_transition')) throw err;
    }
  }
  for (let i = 0; i < 2; i++) for (const a of peers) for (const b of peers) if (a !== b) sync(a, b);

  const rebuilt = new Y.Doc();
  Y.applyUpdate(rebuilt, Y.mergeUpdates(peers.map((p) => Y.encodeStateAsUpdate(p.doc))));
  const view = (doc: Y.Doc) => {
    const s = readConversation(doc);
    return { messages: s.messages.map((m) => [m.id, m.text, m.deleted, m.author.id, m.event]), state: s.state, receipts: s.receipts, status: s.status };
  };
  const expected = view(rebuilt);
  for (const p of peers) expect(view(p.doc), `replica ${p.deviceId}, SEED=${seed}`).toEqual(expected);
  const ids = expected.messages.map((m) => m[0]);
  expect(new Set(ids).size, `duplicate messages, SEED=${seed}`).toBe(ids.length);
  for (const p of peers) p.destroy();
}

describe('fuzz: replicas converge', () => {
  const fromEnv = process.env.SEED ? [Number(process.env.SEED)] : [];
  const seeds = fromEnv.length ? fromEnv : Array.from({ length: 10 }, (_, i) => 1000 + i);
  it.each(seeds)('seed %i', (seed) => run(seed, 200));
});
