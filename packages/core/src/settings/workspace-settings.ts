/**
 * Typed access to `ws/{ws}/settings`: one `settings` Y.Map whose keys each hold one plain JSON
 * value. Admins write; everyone reads. Reading never fails: a missing or malformed key reads as
 * its default, so a widget on a fresh workspace still renders.
 */
import type * as Y from 'yjs';
import { ParleyError } from '../errors.js';
import { matchesUrlPattern } from './url-pattern.js';
import { MAX_ATTACHMENT_SIZE } from '../conversation/conversation.js';

export const SettingsRoot = 'settings';

export type LauncherPosition = 'bottom-right' | 'bottom-left';

export interface PreChatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'select';
  required: boolean;
  options?: string[];
}

/** Opening hours per weekday (0 = Sunday) in the workspace's IANA time zone, 'HH:MM' 24h. */
export interface BusinessHours {
  timezone: string;
  days: { day: 0 | 1 | 2 | 3 | 4 | 5 | 6; open: string; close: string }[];
}

export interface CannedReply {
  shortcut: string;
  /** May hold `{{customer.name}}`-style variables; see `renderTemplate`. */
  text: string;
}

/** First matching rule routes a new conversation to `team`; every given condition must hold. */
export interface RoutingRule {
  keywords?: string[];
  urlPattern?: string;
  language?: string;
  team: string;
}

export interface ProactiveTrigger {
  id: string;
  afterSeconds?: number;
  urlPattern?: string;
  message: string;
}

export interface WorkspaceSettings {
  name: string;
  greeting: string;
  colors: { primary: string; background: string; text: string };
  launcherText: string;
  position: LauncherPosition;
  preChatFields: PreChatField[];
  languages: string[];
  defaultLanguage: string;
  businessHours: BusinessHours | null;
  cannedReplies: CannedReply[];
  routingRules: RoutingRule[];
  proactiveTriggers: ProactiveTrigger[];
  /** VAPID public key for Web Push, set by whoever deploys the relay; null when push is off. */
  webPushPublicKey: string | null;
  /**
   * One-tap openers the widget offers before the first message (e.g. "Where is my order?"); sent
   * as the customer's first message. At most MAX_QUICK_ACTIONS, each 1..MAX_QUICK_ACTION_LENGTH.
   */
  quickActions: string[];
  /** Largest attachment customers may send, in bytes; shown before an upload starts. */
  maxAttachmentBytes: number;
}

/** More buttons than this crowd a phone-sized panel. */
export const MAX_QUICK_ACTIONS = 6;
export const MAX_QUICK_ACTION_LENGTH = 80;

export const DEFAULT_SETTINGS: Readonly<WorkspaceSettings> = Object.freeze({
  name: 'Parley',
  greeting: 'Hi! How can we help?',
  colors: { primary: '#2457d6', background: '#ffffff', text: '#1b1f24' },
  launcherText: 'Chat with us',
  position: 'bottom-right',
  preChatFields: [],
  languages: ['en'],
  defaultLanguage: 'en',
  businessHours: null,
  cannedReplies: [],
  routingRules: [],
  proactiveTriggers: [],
  webPushPublicKey: null,
  quickActions: [],
  maxAttachmentBytes: 10 * 1024 * 1024,
});

type Check<K extends keyof WorkspaceSettings> = (v: unknown) => v is WorkspaceSettings[K];

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const checks: { [K in keyof WorkspaceSettings]: Check<K> } = {
  name: isString,
  greeting: isString,
  colors: (v): v is WorkspaceSettings['colors'] => isRecord(v) && isString(v.primary) && isString(v.background) && isString(v.text),
  launcherText: isString,
  position: (v): v is LauncherPosition => v === 'bottom-right' || v === 'bottom-left',
  preChatFields: (v): v is PreChatField[] =>
    Array.isArray(v) &&
    v.every((f) => isRecord(f) && isString(f.name) && isString(f.label) && ['text', 'email', 'tel', 'select'].includes(f.type as string) && typeof f.required === 'boolean' && (f.options === undefined || isStringArray(f.options))),
  languages: (v): v is string[] => isStringArray(v) && v.length > 0,
  defaultLanguage: isString,
  businessHours: (v): v is BusinessHours | null =>
    v === null ||
    (isRecord(v) &&
      isString(v.timezone) &&
      isValidTimeZone(v.timezone) &&
      Array.isArray(v.days) &&
      v.days.every((d) => isRecord(d) && Number.isInteger(d.day) && (d.day as number) >= 0 && (d.day as number) <= 6 && isString(d.open) && HHMM.test(d.open) && isString(d.close) && HHMM.test(d.close))),
  cannedReplies: (v): v is CannedReply[] => Array.isArray(v) && v.every((c) => isRecord(c) && isString(c.shortcut) && c.shortcut !== '' && isString(c.text)),
  routingRules: (v): v is RoutingRule[] =>
    Array.isArray(v) &&
    v.every((r) => isRecord(r) && isString(r.team) && r.team !== '' && (r.keywords === undefined || isStringArray(r.keywords)) && (r.urlPattern === undefined || isString(r.urlPattern)) && (r.language === undefined || isString(r.language))),
  proactiveTriggers: (v): v is ProactiveTrigger[] =>
    Array.isArray(v) &&
    v.every((t) => isRecord(t) && isString(t.id) && isString(t.message) && (t.afterSeconds === undefined || (typeof t.afterSeconds === 'number' && t.afterSeconds >= 0)) && (t.urlPattern === undefined || isString(t.urlPattern))),
  webPushPublicKey: (v): v is string | null => v === null || isString(v),
  quickActions: (v): v is string[] => quickActionsProblem(v) === null,
  maxAttachmentBytes: (v): v is number => attachmentLimitProblem(v) === null,
};

/**
 * Why `value` cannot be the quick actions, in a sentence an admin screen shows beside the field;
 * null when it can. The same rule `updateSettings` and `readSettings` apply.
 */
export function quickActionsProblem(value: unknown): string | null {
  if (!isStringArray(value)) return 'Quick actions are a list of texts.';
  if (value.length > MAX_QUICK_ACTIONS) return `At most ${MAX_QUICK_ACTIONS} quick actions fit the widget; remove ${value.length - MAX_QUICK_ACTIONS}.`;
  const blank = value.findIndex((q) => q.trim() === '');
  if (blank >= 0) return `Quick action ${blank + 1} is empty.`;
  const long = value.findIndex((q) => q.length > MAX_QUICK_ACTION_LENGTH);
  if (long >= 0) return `Quick action ${long + 1} is over ${MAX_QUICK_ACTION_LENGTH} characters.`;
  return null;
}

/**
 * Why `value` cannot be the attachment limit (bytes), or null. Above the message model's own
 * ceiling the setting would promise uploads that a message then refuses.
 */
export function attachmentLimitProblem(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_ATTACHMENT_SIZE) {
    return `The attachment limit is more than 0 and at most ${MAX_ATTACHMENT_SIZE / (1024 * 1024)} MB.`;
  }
  return null;
}

/** The reasons a setting's value is refused, where core words one; others say the shape is wrong. */
const problems: Partial<{ [K in keyof WorkspaceSettings]: (v: unknown) => string | null }> = {
  quickActions: quickActionsProblem,
  maxAttachmentBytes: attachmentLimitProblem,
};

export function settingsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(SettingsRoot);
}

/** The workspace's settings with defaults for anything missing or malformed. */
export function readSettings(doc: Y.Doc): WorkspaceSettings {
  const map = settingsMap(doc);
  const out = structuredClone(DEFAULT_SETTINGS) as WorkspaceSettings;
  for (const key of Object.keys(checks) as (keyof WorkspaceSettings)[]) {
    const value = map.get(key);
    if (value !== undefined && checks[key](value)) (out as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return out;
}

/** Writes the given keys in one transaction; a value of the wrong shape is `invalid_argument`. */
export function updateSettings(doc: Y.Doc, patch: Partial<WorkspaceSettings>): void {
  for (const [key, value] of Object.entries(patch)) {
    const check = checks[key as keyof WorkspaceSettings] as ((v: unknown) => boolean) | undefined;
    if (!check) throw new ParleyError('invalid_argument', `unknown setting ${key}`);
    if (!check(value)) throw new ParleyError('invalid_argument', problems[key as keyof WorkspaceSettings]?.(value) ?? `setting ${key} has the wrong shape`);
  }
  const map = settingsMap(doc);
  doc.transact(() => {
    for (const [key, value] of Object.entries(patch)) map.set(key, structuredClone(value));
  });
}

/**
 * Fills `{{path.to.value}}` from `vars`; unknown variables become '' so a customer never sees
 * template syntax. Used for canned replies and greetings.
 */
export function renderTemplate(text: string, vars: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_m, path: string) => {
    let v: unknown = vars;
    for (const part of path.split('.')) v = isRecord(v) ? v[part] : undefined;
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  });
}

/** Canned replies whose shortcut starts with `prefix` (without the leading '/'), for the composer. */
export function findCannedReplies(replies: readonly CannedReply[], prefix: string): CannedReply[] {
  const p = prefix.replace(/^\//, '').toLowerCase();
  return replies.filter((r) => r.shortcut.replace(/^\//, '').toLowerCase().startsWith(p));
}

/** The team the first matching routing rule names, or null. */
export function routeConversation(rules: readonly RoutingRule[], input: { text?: string; url?: string; language?: string }): string | null {
  const text = (input.text ?? '').toLowerCase();
  for (const rule of rules) {
    if (rule.keywords && rule.keywords.length > 0 && !rule.keywords.some((k) => text.includes(k.toLowerCase()))) continue;
    if (rule.urlPattern !== undefined && (input.url === undefined || !matchesUrlPattern(rule.urlPattern, input.url))) continue;
    if (rule.language !== undefined && primaryLanguage(rule.language) !== primaryLanguage(input.language ?? '')) continue;
    return rule.team;
  }
  return null;
}

/** Proactive triggers due for a visitor who has been on `url` for `secondsOnPage`. */
export function dueTriggers(triggers: readonly ProactiveTrigger[], input: { url: string; secondsOnPage: number }): ProactiveTrigger[] {
  return triggers.filter(
    (t) => (t.urlPattern === undefined || matchesUrlPattern(t.urlPattern, input.url)) && input.secondsOnPage >= (t.afterSeconds ?? 0),
  );
}

/** Whether `now` falls in the opening hours; no hours configured means always open. */
export function isWithinBusinessHours(hours: BusinessHours | null, now: number): boolean {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  return hours.days.some((d) => d.day === day && minutes >= toMinutes(d.open) && minutes < toMinutes(d.close));
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function primaryLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
