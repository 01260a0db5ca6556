/**
 * The agents-only twin of a conversation (`internalDoc` in docs.ts): private notes with
 * @mentions, the assignment history and internal tags. The customer's token never covers this
 * document, so nothing here can leak into the widget.
 */
import * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { MAX_TEXT_LENGTH } from './conversation.js';
import type { AgentRef, Author, Me } from './types.js';

export const InternalRoot = { notes: 'notes', assignments: 'assignments', tags: 'tags' } as const;

export interface Note {
  id: string;
  author: Author;
  text: string;
  /** Handles mentioned as `@handle`, lower-cased, without the `@`, in order of first use. */
  mentions: readonly string[];
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
}

export interface AssignmentRecord {
  at: number;
  by: AgentRef;
  agent: AgentRef | null;
  team: string | null;
}

export interface InternalNotesOptions {
  doc: Y.Doc;
  me: Me;
}

const MENTION = /(^|[^\w@])@([A-Za-z0-9][A-Za-z0-9._-]*)/g;

/** `@handles` in a note, lower-cased, deduplicated; e-mail addresses are not mentions. */
export function mentionsOf(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(MENTION)) found.add(m[2]!.replace(/[._-]+$/, '').toLowerCase());
  return [...found];
}

export class InternalNotes {
  readonly doc: Y.Doc;
  readonly me: Me;
  private readonly notesArray: Y.Array<Y.Map<unknown>>;
  private readonly history: Y.Array<AssignmentRecord>;
  private readonly tagMap: Y.Map<boolean>;
  private cachedNotes: readonly Note[] | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly onTransaction: (tr: Y.Transaction) => void;

  constructor(options: InternalNotesOptions) {
    if (options.me.role === 'customer') throw new ParleyError('forbidden', 'internal notes are for agents only');
    this.doc = options.doc;
    this.me = options.me;
    this.notesArray = this.doc.getArray(InternalRoot.notes);
    this.history = this.doc.getArray(InternalRoot.assignments);
    this.tagMap = this.doc.getMap(InternalRoot.tags);
    this.onTransaction = (tr) => {
      if (tr.changed.size === 0 && tr.deleteSet.clients.size === 0) return;
      this.cachedNotes = null;
      for (const l of [...this.listeners]) l();
    };
    this.doc.on('afterTransaction', this.onTransaction);
  }

  destroy(): void {
    this.doc.off('afterTransaction', this.onTransaction);
    this.listeners.clear();
  }

  on(_event: 'change', listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notes(): readonly Note[] {
    if (!this.cachedNotes) {
      const out: Note[] = [];
      for (const map of this.notesArray) {
        const note = map instanceof Y.Map ? readNote(map) : null;
        if (note) out.push(note);
      }
      this.cachedNotes = Object.freeze(out);
    }
    return this.cachedNotes;
  }

  /** Notes that mention `handle` (case-insensitive), for an agent's mentions list. */
  notesMentioning(handle: string): readonly Note[] {
    const h = handle.toLowerCase();
    return this.notes().filter((n) => !n.deleted && n.mentions.includes(h));
  }

  addNote(text: string): Note {
    const checked = checkNoteText(text);
    const id = uuidv7();
    const map = new Y.Map<unknown>();
    map.set('id', id);
    map.set('author', this.author());
    map.set('text', checked);
    map.set('mentions', mentionsOf(checked));
    map.set('createdAt', Date.now());
    this.notesArray.push([map]);
    return this.notes().find((n) => n.id === id)!;
  }

  editNote(id: string, text: string): Note {
    const map = this.ownNote(id, 'edit');
    const checked = checkNoteText(text);
    this.doc.transact(() => {
      map.set('text', checked);
      map.set('mentions', mentionsOf(checked));
      map.set('editedAt', Date.now());
    });
    return this.notes().find((n) => n.id === id)!;
  }

  deleteNote(id: string): void {
    const map = this.ownNote(id, 'delete');
    this.doc.transact(() => {
      map.set('deleted', true);
      map.set('text', '');
      map.set('mentions', []);
    });
  }

  /** Appends to the assignment history; call beside `Conversation.assign`. */
  recordAssignment(change: { agent: AgentRef | null; team: string | null }): void {
    this.history.push([{ at: Date.now(), by: { id: this.me.id, name: this.me.name }, agent: change.agent, team: change.team }]);
  }

  assignments(): readonly AssignmentRecord[] {
    return this.history.toArray();
  }

  addTag(tag: string): void {
    this.tagMap.set(checkTag(tag), true);
  }
  removeTag(tag: string): void {
    this.tagMap.set(checkTag(tag), false);
  }
  tags(): readonly string[] {
    return [...this.tagMap.entries()].filter(([, on]) => on === true).map(([t]) => t).sort();
  }

  private author(): Author {
    return { role: this.me.role === 'bot' ? 'bot' : 'agent', id: this.me.id, name: this.me.name };
  }

  private ownNote(id: string, verb: string): Y.Map<unknown> {
    for (const map of this.notesArray) {
      if (!(map instanceof Y.Map) || map.get('id') !== id) continue;
      if ((map.get('author') as Partial<Author> | undefined)?.id !== this.me.id) throw new ParleyError('forbidden', `cannot ${verb} another agent's note`);
      if (map.get('deleted') === true) throw new ParleyError('deleted', `note ${id} was deleted`);
      return map;
    }
    throw new ParleyError('not_found', `no note ${id}`);
  }
}

function checkNoteText(text: string): string {
  if (typeof text !== 'string' || text.trim() === '') throw new ParleyError('invalid_argument', 'a note needs text');
  if (text.length > MAX_TEXT_LENGTH) throw new ParleyError('too_large', `note over ${MAX_TEXT_LENGTH} characters`);
  return text;
}

function checkTag(tag: string): string {
  const t = typeof tag === 'string' ? tag.trim() : '';
  if (!t || t.length > 64) throw new ParleyError('invalid_argument', 'a tag is 1-64 characters');
  return t;
}

function readNote(map: Y.Map<unknown>): Note | null {
  const id = map.get('id');
  const author = map.get('author') as Partial<Author> | undefined;
  if (typeof id !== 'string' || !author || typeof author.id !== 'string') return null;
  const deleted = map.get('deleted') === true;
  const mentions = map.get('mentions');
  const editedAt = map.get('editedAt');
  return Object.freeze({
    id,
    author: { role: author.role ?? 'agent', id: author.id, name: typeof author.name === 'string' ? author.name : '' },
    text: deleted ? '' : String(map.get('text') ?? ''),
    mentions: Object.freeze(Array.isArray(mentions) ? mentions.filter((m): m is string => typeof m === 'string') : []),
    createdAt: typeof map.get('createdAt') === 'number' ? (map.get('createdAt') as number) : 0,
    editedAt: typeof editedAt === 'number' ? editedAt : null,
    deleted,
  });
}
