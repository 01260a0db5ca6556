import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { WORKER_FIELD, isLeader, onlineAgents } from './presence.js';

/** Awareness instances that see each other, like peers on the directory document. */
function peers(count: number): Awareness[] {
  const all = Array.from({ length: count }, () => new Awareness(new Y.Doc()));
  for (const a of all) {
    a.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === 'remote') return;
      const update = encodeAwarenessUpdate(a, [...added, ...updated, ...removed]);
      for (const b of all) if (b !== a) applyAwarenessUpdate(b, update, 'remote');
    });
  }
  return all;
}

describe('presence on the directory', () => {
  it('lists agents with a device online; away, malformed and own states do not count', () => {
    const [worker, phone, laptop, away, junk] = peers(5);
    phone!.setLocalStateField('agent', { id: 'ana', name: 'Ana', presence: 'away' });
    laptop!.setLocalStateField('agent', { id: 'ana', name: 'Ana', presence: 'online' });
    away!.setLocalStateField('agent', { id: 'ben', name: 'Ben', presence: 'away' });
    junk!.setLocalStateField('agent', { name: 'no id', presence: 'online' });
    worker!.setLocalStateField('agent', { id: 'me', presence: 'online' });
    expect([...onlineAgents(worker!).values()]).toEqual([{ id: 'ana', name: 'Ana' }]);
    laptop!.setLocalState(null);
    expect(onlineAgents(worker!).size).toBe(0);
  });

  it('exactly one of several workers leads, and another takes over when it leaves', () => {
    const workers = peers(3);
    for (const w of workers) w.setLocalStateField(WORKER_FIELD, { bot: 'router' });
    expect(workers.filter(isLeader)).toHaveLength(1);
    const leader = workers.find(isLeader)!;
    leader.setLocalState(null);
    const rest = workers.filter((w) => w !== leader);
    expect(rest.filter(isLeader)).toHaveLength(1);
  });
});
