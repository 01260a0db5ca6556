/**
 * Typed access to `ws/{ws}/announcements`: banners (outages, news) keyed by id in one
 * `announcements` Y.Map, each a plain value, with an audience and an active window.
 */
import type * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { matchesUrlPattern } from './url-pattern.js';

export const AnnouncementsRoot = 'announcements';

export type AnnouncementLevel = 'info' | 'warning' | 'outage';

/** Every given condition must hold; an empty audience is everyone. */
export interface Audience {
  languages?: string[];
  urlPattern?: string;
  /** Identified customers (signed in on the host site) or anonymous visitors. */
  identity?: 'identified' | 'anonymous';
}

export interface Announcement {
  id: string;
  text: string;
  level: AnnouncementLevel;
  audience: Audience;
  startsAt: number;
  /** null: until removed. */
  endsAt: number | null;
}

export interface Viewer {
  language?: string;
  url?: string;
  identified?: boolean;
}

export function announcementsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(AnnouncementsRoot);
}

export function listAnnouncements(doc: Y.Doc): Announcement[] {
  const out: Announcement[] = [];
  for (const value of announcementsMap(doc).values()) if (isAnnouncement(value)) out.push(structuredClone(value));
  return out.sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
}

/** Creates or replaces an announcement; returns it with its id. */
export function putAnnouncement(doc: Y.Doc, input: Omit<Announcement, 'id' | 'audience'> & { id?: string; audience?: Audience }): Announcement {
  const a: Announcement = { ...input, id: input.id ?? uuidv7(), audience: input.audience ?? {} };
  if (!isAnnouncement(a) || a.text.trim() === '') throw new ParleyError('invalid_argument', 'announcement needs text, a level and a valid window');
  if (a.endsAt !== null && a.endsAt <= a.startsAt) throw new ParleyError('invalid_argument', 'announcement ends before it starts');
  announcementsMap(doc).set(a.id, structuredClone(a));
  return a;
}

export function removeAnnouncement(doc: Y.Doc, id: string): void {
  const map = announcementsMap(doc);
  if (!map.has(id)) throw new ParleyError('not_found', `no announcement ${id}`);
  map.delete(id);
}

/** Announcements to show this viewer now, outages first. */
export function activeAnnouncements(list: readonly Announcement[], viewer: Viewer, now: number): Announcement[] {
  const rank: Record<AnnouncementLevel, number> = { outage: 0, warning: 1, info: 2 };
  return list
    .filter((a) => a.startsAt <= now && (a.endsAt === null || now < a.endsAt) && inAudience(a.audience, viewer))
    .sort((a, b) => rank[a.level] - rank[b.level] || b.startsAt - a.startsAt);
}

function inAudience(audience: Audience, viewer: Viewer): boolean {
  if (audience.languages?.length) {
    const lang = (viewer.language ?? '').split('-')[0]!.toLowerCase();
    if (!audience.languages.some((l) => l.split('-')[0]!.toLowerCase() === lang)) return false;
  }
  if (audience.urlPattern !== undefined && (viewer.url === undefined || !matchesUrlPattern(audience.urlPattern, viewer.url))) return false;
  if (audience.identity === 'identified' && viewer.identified !== true) return false;
  if (audience.identity === 'anonymous' && viewer.identified === true) return false;
  return true;
}

function isAnnouncement(v: unknown): v is Announcement {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return (
    typeof a.id === 'string' &&
    typeof a.text === 'string' &&
    (a.level === 'info' || a.level === 'warning' || a.level === 'outage') &&
    typeof a.audience === 'object' &&
    a.audience !== null &&
    typeof a.startsAt === 'number' &&
    Number.isFinite(a.startsAt) &&
    (a.endsAt === null || (typeof a.endsAt === 'number' && Number.isFinite(a.endsAt)))
  );
}
