import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isParleyError, type ParleyErrorCode } from '../errors.js';
import { exchange } from '../test-kit.js';
import { InternalNotes, mentionsOf } from './internal-notes.js';
import type { Me } from './types.js';

const grace: Me = { role: 'agent', id: 'agt-1', name: 'Grace' };
const linus: Me = { role: 'agent', id: 'agt-2', name: 'Linus' };

function expectCode(fn: () => unknown, code: ParleyErrorCode): void {
  try {
    fn();
  } catch (err) {
    expect(isParleyError(err, code), String(err)).toBe(true);
    return;
  }
  throw new Error(`expected ParleyError ${code}`);
}

describe('mentionsOf', () => {
  it.each<[string, string[]]>([
    ['@linus can you check?', ['linus']],
    ['cc @Linus and @grace.h, again @linus', ['linus', 'grace.h']],
    ['mail ada@example.com', []],
    ['end of sentence @tier1-lead.', ['tier1-lead']],
  ])('%s → %j', (text, expected) => expect(mentionsOf(text)).toEqual(expected));
});

describe('InternalNotes', () => {
  it('shares notes with mentions between agents and lists an agent’s mentions', () => {
    const a = new InternalNotes({ doc: new Y.Doc(), me: grace });
    const b = new InternalNotes({ doc: new Y.Doc(), me: linus });
    let changes = 0;
    b.on('change', () => changes++);
    const note = a.addNote('@linus refund approved?');
    exchange(a.doc, b.doc);
    expect(changes).toBe(1);
    expect(b.notes()).toEqual([expect.objectContaining({ id: note.id, text: '@linus refund approved?', mentions: ['linus'], author: { role: 'agent', id: 'agt-1', name: 'Grace' } })]);
    expect(b.notesMentioning('Linus')).toHaveLength(1);
    a.editNote(note.id, 'handled');
    exchange(a.doc, b.doc);
    expect(b.notesMentioning('linus')).toHaveLength(0);
    a.deleteNote(note.id);
    exchange(a.doc, b.doc);
    expect(b.notes()[0]).toMatchObject({ deleted: true, text: '' });
  });

  it.each<[string, (a: InternalNotes, b: InternalNotes, id: string) => unknown, ParleyErrorCode]>([
    ['editing another agent’s note', (_a, b, id) => b.editNote(id, 'x'), 'forbidden'],
    ['deleting another agent’s note', (_a, b, id) => b.deleteNote(id), 'forbidden'],
    ['editing a deleted note', (a, _b, id) => (a.deleteNote(id), a.editNote(id, 'x')), 'deleted'],
    ['an unknown note', (a) => a.editNote('nope', 'x'), 'not_found'],
    ['an empty note', (a) => a.addNote(' '), 'invalid_argument'],
    ['a note over the limit', (a) => a.addNote('x'.repeat(10_001)), 'too_large'],
    ['an empty tag', (a) => a.addTag(''), 'invalid_argument'],
  ])('refuses %s', (_name, fn, code) => {
    const a = new InternalNotes({ doc: new Y.Doc(), me: grace });
    const b = new InternalNotes({ doc: new Y.Doc(), me: linus });
    const note = a.addNote('private');
    exchange(a.doc, b.doc);
    expectCode(() => fn(a, b, note.id), code);
  });

  it('refuses customers', () => {
    expectCode(() => new InternalNotes({ doc: new Y.Doc(), me: { role: 'customer', id: 'c', name: '' } }), 'forbidden');
  });

  it('keeps the assignment history and tags from both agents', () => {
    const a = new InternalNotes({ doc: new Y.Doc(), me: grace });
    const b = new InternalNotes({ doc: new Y.Doc(), me: linus });
    a.recordAssignment({ agent: { id: 'agt-1', name: 'Grace' }, team: 'tier1' });
    b.recordAssignment({ agent: null, team: 'senior' });
    a.addTag('refund');
    b.addTag('escalated');
    exchange(a.doc, b.doc);
    expect(a.assignments().map((r) => r.team).sort()).toEqual(['senior', 'tier1']);
    expect(b.assignments()).toEqual(a.assignments());
    expect(a.tags()).toEqual(['escalated', 'refund']);
    a.removeTag('refund');
    expect(a.tags()).toEqual(['escalated']);
  });
});
