/**
 * The settings the routing worker needs beyond `WorkspaceSettings`: who is in which team, how many
 * open conversations an agent may hold, and the off-hours auto-reply. They live as extra keys of
 * the same `settings` map (so admins edit them with the rest), read with their own accessor so
 * that `WorkspaceSettings` and every reader of it stay as they are.
 */
import type * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { isWithinBusinessHours, settingsMap, type BusinessHours } from './workspace-settings.js';

/** A team named by routing rules, and the agent ids that answer for it. */
export interface Team {
  name: string;
  members: string[];
}

export interface RoutingSettings {
  teams: Team[];
  /** Open conversations an agent may hold before auto-assignment skips them; null: no limit. */
  defaultCapacity: number | null;
  /** Per-agent limits that replace `defaultCapacity`, by agent id. */
  agentCapacity: Record<string, number>;
  /** Sent once per conversation per closed period when a customer writes outside business hours; null: off. */
  offHoursReply: string | null;
}

export const DEFAULT_ROUTING_SETTINGS: Readonly<RoutingSettings> = Object.freeze({
  teams: [],
  defaultCapacity: null,
  agentCapacity: {},
  offHoursReply: null,
});

const isString = (v: unknown): v is string => typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCapacity = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

const checks: { [K in keyof RoutingSettings]: (v: unknown) => v is RoutingSettings[K] } = {
  teams: (v): v is Team[] => Array.isArray(v) && v.every((t) => isRecord(t) && isString(t.name) && t.name !== '' && Array.isArray(t.members) && t.members.every(isString)),
  defaultCapacity: (v): v is number | null => v === null || isCapacity(v),
  agentCapacity: (v): v is Record<string, number> => isRecord(v) && Object.values(v).every(isCapacity),
  offHoursReply: (v): v is string | null => v === null || (isString(v) && v.trim() !== ''),
};

/** Routing settings with defaults for anything missing or malformed (reading never fails). */
export function readRoutingSettings(doc: Y.Doc): RoutingSettings {
  const map = settingsMap(doc);
  const out = structuredClone(DEFAULT_ROUTING_SETTINGS) as RoutingSettings;
  for (const key of Object.keys(checks) as (keyof RoutingSettings)[]) {
    const value = map.get(key);
    if (value !== undefined && checks[key](value)) (out as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return out;
}

/** Writes the given keys in one transaction; a value of the wrong shape is `invalid_argument`. */
export function updateRoutingSettings(doc: Y.Doc, patch: Partial<RoutingSettings>): void {
  for (const [key, value] of Object.entries(patch)) {
    const check = checks[key as keyof RoutingSettings] as ((v: unknown) => boolean) | undefined;
    if (!check) throw new ParleyError('invalid_argument', `unknown routing setting ${key}`);
    if (!check(value)) throw new ParleyError('invalid_argument', `routing setting ${key} has the wrong shape`);
  }
  const map = settingsMap(doc);
  doc.transact(() => {
    for (const [key, value] of Object.entries(patch)) map.set(key, structuredClone(value));
  });
}

/** Agent ids of `team`; an unknown team has nobody (conversations routed there stay unassigned). */
export function teamMembers(settings: RoutingSettings, team: string): string[] {
  return settings.teams.find((t) => t.name === team)?.members ?? [];
}

/** How many open conversations `agentId` may hold; Infinity when nothing limits it. */
export function capacityOf(settings: RoutingSettings, agentId: string): number {
  return settings.agentCapacity[agentId] ?? settings.defaultCapacity ?? Infinity;
}

const MINUTES_PER_WEEK = 7 * 1440;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Whether the business was open at any moment in [from, to]. The off-hours auto-reply uses it to
 * tell "the same closed period" (no opening in between: reply once) from a new one. Openings are
 * found on the wall clock of the workspace's time zone, so daylight-saving shifts are respected.
 */
export function wasOpenBetween(hours: BusinessHours | null, from: number, to: number): boolean {
  if (!hours) return true;
  if (isWithinBusinessHours(hours, from) || isWithinBusinessHours(hours, to)) return true;
  if (to <= from) return false;
  const windows = hours.days.filter((d) => toMinutes(d.open) < toMinutes(d.close));
  if (windows.length === 0) return false;
  // A week (less a DST hour) always contains every weekly window.
  if (to - from >= (MINUTES_PER_WEEK - 120) * 60_000) return true;
  const start = minuteOfWeek(hours.timezone, from);
  const span = (minuteOfWeek(hours.timezone, to) - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  return windows.some((d) => {
    const delta = (d.day * 1440 + toMinutes(d.open) - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
    return delta > 0 && delta <= span;
  });
}

function minuteOfWeek(timeZone: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(t);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return WEEKDAYS.indexOf(get('weekday')) * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}
