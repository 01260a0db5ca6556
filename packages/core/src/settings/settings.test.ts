import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { codeOf, exchange } from '../test-kit.js';
import { MAX_ATTACHMENT_SIZE } from '../conversation/conversation.js';
import { activeAnnouncements, listAnnouncements, putAnnouncement, removeAnnouncement } from './announcements.js';
import { addConversation, addDevice, readProfile, removeDevice, updateProfile } from './profile.js';
import { matchesUrlPattern } from './url-pattern.js';
import {
  DEFAULT_SETTINGS,
  attachmentLimitProblem,
  quickActionsProblem,
  MAX_QUICK_ACTIONS,
  MAX_QUICK_ACTION_LENGTH,
  dueTriggers,
  findCannedReplies,
  isWithinBusinessHours,
  readSettings,
  renderTemplate,
  routeConversation,
  settingsMap,
  updateSettings,
  type WorkspaceSettings,
} from './workspace-settings.js';

describe('workspace settings', () => {
  it('reads defaults from an empty document', () => {
    expect(readSettings(new Y.Doc())).toEqual(DEFAULT_SETTINGS);
  });

  it('round-trips every key to another replica', () => {
    const admin = new Y.Doc();
    const widget = new Y.Doc();
    const patch: WorkspaceSettings = {
      name: 'Acme',
      greeting: 'Merhaba {{customer.name}}',
      colors: { primary: '#000000', background: '#fafafa', text: '#111111' },
      launcherText: 'Help',
      position: 'bottom-left',
      preChatFields: [{ name: 'email', label: 'E-mail', type: 'email', required: true }],
      languages: ['en', 'tr'],
      defaultLanguage: 'tr',
      businessHours: { timezone: 'Europe/Helsinki', days: [{ day: 1, open: '09:00', close: '17:00' }] },
      cannedReplies: [{ shortcut: 'hi', text: 'Hello {{customer.name}}!' }],
      routingRules: [{ keywords: ['invoice'], team: 'billing' }],
      proactiveTriggers: [{ id: 't1', afterSeconds: 30, urlPattern: '/pricing*', message: 'Questions about plans?' }],
      webPushPublicKey: 'BPk',
      quickActions: ['Where is my order?', 'Talk to sales'],
      maxAttachmentBytes: 2 * 1024 * 1024,
    };
    updateSettings(admin, patch);
    exchange(admin, widget);
    expect(readSettings(widget)).toEqual(patch);
  });

  it.each<[string, Partial<WorkspaceSettings> | Record<string, unknown>]>([
    ['an unknown key', { colour: 'red' }],
    ['a bad position', { position: 'top' }],
    ['an empty language list', { languages: [] }],
    ['an unknown time zone', { businessHours: { timezone: 'Mars/Olympus', days: [] } }],
    ['a malformed opening time', { businessHours: { timezone: 'UTC', days: [{ day: 1, open: '9am', close: '17:00' }] } }],
    ['a routing rule without team', { routingRules: [{ keywords: ['x'] }] }],
    ['a blank quick action', { quickActions: ['Orders', '  '] }],
    ['more quick actions than fit a phone', { quickActions: Array.from({ length: MAX_QUICK_ACTIONS + 1 }, (_, i) => `q${i}`) }],
    ['an overlong quick action', { quickActions: ['x'.repeat(MAX_QUICK_ACTION_LENGTH + 1)] }],
    ['a zero attachment limit', { maxAttachmentBytes: 0 }],
    ['a fractional attachment limit', { maxAttachmentBytes: 1.5 }],
    ['an attachment limit above what a message accepts', { maxAttachmentBytes: MAX_ATTACHMENT_SIZE + 1 }],
  ])('refuses %s', (_name, patch) => {
    expect(codeOf(() => updateSettings(new Y.Doc(), patch as Partial<WorkspaceSettings>))).toBe('invalid_argument');
  });

  it.each<[string, Partial<WorkspaceSettings>, string]>([
    ['too many quick actions', { quickActions: Array.from({ length: MAX_QUICK_ACTIONS + 2 }, (_, i) => `q${i}`) }, `At most ${MAX_QUICK_ACTIONS} quick actions fit the widget; remove 2.`],
    ['a blank quick action', { quickActions: ['Orders', ' '] }, 'Quick action 2 is empty.'],
    ['an overlong quick action', { quickActions: ['ok', 'x'.repeat(MAX_QUICK_ACTION_LENGTH + 1)] }, `Quick action 2 is over ${MAX_QUICK_ACTION_LENGTH} characters.`],
    ['an attachment limit of 0', { maxAttachmentBytes: 0 }, 'The attachment limit is more than 0 and at most 25 MB.'],
    ['an attachment limit over the ceiling', { maxAttachmentBytes: MAX_ATTACHMENT_SIZE + 1 }, 'The attachment limit is more than 0 and at most 25 MB.'],
  ])('says why it refuses %s, in the words an admin screen shows', (_name, patch, message) => {
    expect(() => updateSettings(new Y.Doc(), patch)).toThrow(message);
    const [key, value] = Object.entries(patch)[0]!;
    expect(key === 'quickActions' ? quickActionsProblem(value) : attachmentLimitProblem(value)).toBe(message);
  });

  it('finds no problem in values it accepts', () => {
    expect(quickActionsProblem([])).toBeNull();
    expect(quickActionsProblem(Array.from({ length: MAX_QUICK_ACTIONS }, () => 'x'.repeat(MAX_QUICK_ACTION_LENGTH)))).toBeNull();
    expect(attachmentLimitProblem(1)).toBeNull();
    expect(attachmentLimitProblem(MAX_ATTACHMENT_SIZE)).toBeNull();
  });

  it('reads a malformed stored value as its default', () => {
    const doc = new Y.Doc();
    settingsMap(doc).set('position', 'middle');
    settingsMap(doc).set('greeting', 'Hey');
    expect(readSettings(doc)).toMatchObject({ position: 'bottom-right', greeting: 'Hey' });
  });

  it('reads quick actions and the attachment limit an older admin app wrote wrongly as defaults', () => {
    const doc = new Y.Doc();
    settingsMap(doc).set('quickActions', 'Orders');
    settingsMap(doc).set('maxAttachmentBytes', -1);
    expect(readSettings(doc)).toMatchObject({ quickActions: [], maxAttachmentBytes: DEFAULT_SETTINGS.maxAttachmentBytes });
    expect(DEFAULT_SETTINGS.maxAttachmentBytes).toBe(10 * 1024 * 1024);
  });

  it('renders template variables and blanks unknown ones', () => {
    expect(renderTemplate('Hi {{customer.name}}, re {{ conversation.id }}{{nope.x}}', { customer: { name: 'Ada' }, conversation: { id: 7 } })).toBe('Hi Ada, re 7');
  });

  it('finds canned replies by shortcut prefix', () => {
    const replies = [
      { shortcut: 'refund', text: 'a' },
      { shortcut: 'reset', text: 'b' },
      { shortcut: 'hi', text: 'c' },
    ];
    expect(findCannedReplies(replies, '/re').map((r) => r.shortcut)).toEqual(['refund', 'reset']);
  });

  it.each<[string, { text?: string; url?: string; language?: string }, string | null]>([
    ['keyword', { text: 'Where is my INVOICE?' }, 'billing'],
    ['url', { text: 'hello', url: 'https://shop.example/enterprise/contact' }, 'sales'],
    ['language', { text: 'merhaba', language: 'tr-TR' }, 'turkish'],
    ['no match', { text: 'hello', url: 'https://shop.example/', language: 'en' }, null],
  ])('routes by %s', (_name, input, team) => {
    const rules = [
      { keywords: ['invoice', 'refund'], team: 'billing' },
      { urlPattern: '/enterprise*', team: 'sales' },
      { language: 'tr', team: 'turkish' },
    ];
    expect(routeConversation(rules, input)).toBe(team);
  });

  it('fires proactive triggers by page and time on page', () => {
    const triggers = [
      { id: 'pricing', afterSeconds: 30, urlPattern: '/pricing*', message: 'Plans?' },
      { id: 'any', message: 'Hi' },
    ];
    expect(dueTriggers(triggers, { url: 'https://shop.example/pricing?x=1', secondsOnPage: 10 }).map((t) => t.id)).toEqual(['any']);
    expect(dueTriggers(triggers, { url: 'https://shop.example/pricing?x=1', secondsOnPage: 30 }).map((t) => t.id)).toEqual(['pricing', 'any']);
  });

  it.each<[string, string, boolean]>([
    ['Monday 09:00 Helsinki (06:00 UTC)', '2025-01-06T07:00:00Z', true],
    ['Monday 08:59 Helsinki', '2025-01-06T06:59:00Z', false],
    ['Monday 17:00 Helsinki (closing is exclusive)', '2025-01-06T15:00:00Z', false],
    ['Sunday noon Helsinki', '2025-01-05T10:00:00Z', false],
  ])('business hours: %s → %s', (_name, iso, open) => {
    const hours = { timezone: 'Europe/Helsinki', days: [{ day: 1 as const, open: '09:00', close: '17:00' }] };
    expect(isWithinBusinessHours(hours, Date.parse(iso))).toBe(open);
  });

  it('is always open without business hours', () => {
    expect(isWithinBusinessHours(null, 0)).toBe(true);
  });
});

describe('url patterns', () => {
  it.each<[string, string, boolean]>([
    ['/pricing*', 'https://shop.example/pricing/team', true],
    ['/pricing', 'https://shop.example/pricing/team', false],
    ['https://shop.example/*', 'https://shop.example/a', true],
    ['*checkout*', 'https://shop.example/cart/checkout?step=2', true],
    ['/a.b', 'https://shop.example/axb', false],
  ])('%s vs %s → %s', (pattern, url, expected) => expect(matchesUrlPattern(pattern, url)).toBe(expected));
});

describe('announcements', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('shows banners in their window and audience, outages first', () => {
    const doc = new Y.Doc();
    putAnnouncement(doc, { id: 'news', text: 'New app', level: 'info', startsAt: now - 1000, endsAt: null });
    putAnnouncement(doc, { id: 'outage', text: 'Payments down', level: 'outage', startsAt: now - 10, endsAt: now + 3_600_000 });
    putAnnouncement(doc, { id: 'old', text: 'Maintenance done', level: 'warning', startsAt: now - 7200_000, endsAt: now - 3600_000 });
    putAnnouncement(doc, { id: 'tr', text: 'Türkçe destek', level: 'info', startsAt: now - 10, endsAt: null, audience: { languages: ['tr'] } });
    putAnnouncement(doc, { id: 'members', text: 'Members sale', level: 'info', startsAt: now - 10, endsAt: null, audience: { identity: 'identified', urlPattern: '/shop*' } });
    const list = listAnnouncements(doc);
    const ids = (viewer: Parameters<typeof activeAnnouncements>[1]) => activeAnnouncements(list, viewer, now).map((a) => a.id);
    expect(ids({ language: 'en' })).toEqual(['outage', 'news']);
    expect(ids({ language: 'tr-TR' })).toEqual(['outage', 'tr', 'news']);
    expect(ids({ language: 'en', identified: true, url: 'https://x.example/shop/shoes' })).toEqual(['outage', 'members', 'news']);
    removeAnnouncement(doc, 'outage');
    expect(activeAnnouncements(listAnnouncements(doc), { language: 'en' }, now).map((a) => a.id)).toEqual(['news']);
  });

  it.each<[string, () => unknown, string]>([
    ['empty text', () => putAnnouncement(new Y.Doc(), { text: ' ', level: 'info', startsAt: 0, endsAt: null }), 'invalid_argument'],
    ['an end before the start', () => putAnnouncement(new Y.Doc(), { text: 'x', level: 'info', startsAt: 10, endsAt: 5 }), 'invalid_argument'],
    ['an unknown level', () => putAnnouncement(new Y.Doc(), { text: 'x', level: 'loud' as never, startsAt: 0, endsAt: null }), 'invalid_argument'],
    ['removing an unknown id', () => removeAnnouncement(new Y.Doc(), 'nope'), 'not_found'],
  ])('refuses %s', (_name, fn, code) => expect(codeOf(fn)).toBe(code));
});

describe('customer profile', () => {
  it('reads empty defaults', () => {
    expect(readProfile(new Y.Doc())).toEqual({ name: '', email: '', locale: '', conversations: [], devices: [] });
  });

  it('keeps conversations and devices two devices add at once', () => {
    const phone = new Y.Doc();
    const laptop = new Y.Doc();
    updateProfile(phone, { name: 'Ada', email: 'ada@example.com', locale: 'en-GB' });
    addConversation(phone, 'c1', 100);
    addConversation(laptop, 'c2', 200);
    addDevice(phone, { id: 'phone', name: 'Pixel', pairedAt: 1 });
    addDevice(laptop, { id: 'laptop', name: 'MacBook', pairedAt: 2 });
    exchange(phone, laptop);
    const p = readProfile(laptop);
    expect(p).toMatchObject({ name: 'Ada', email: 'ada@example.com', locale: 'en-GB' });
    expect(p.conversations.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(p.devices.map((d) => d.id)).toEqual(['phone', 'laptop']);
    removeDevice(laptop, 'phone');
    expect(readProfile(laptop).devices.map((d) => d.id)).toEqual(['laptop']);
  });

  it('keeps the first entry when a conversation is added twice', () => {
    const doc = new Y.Doc();
    addConversation(doc, 'c1', 100);
    addConversation(doc, 'c1', 999);
    expect(readProfile(doc).conversations).toEqual([{ id: 'c1', createdAt: 100 }]);
  });

  it.each<[string, () => unknown, string]>([
    ['a malformed e-mail', () => updateProfile(new Y.Doc(), { email: 'not-mail' }), 'invalid_argument'],
    ['a 201-character name', () => updateProfile(new Y.Doc(), { name: 'x'.repeat(201) }), 'too_large'],
    ['a device without id', () => addDevice(new Y.Doc(), { id: '', name: 'x' }), 'invalid_argument'],
    ['removing an unknown device', () => removeDevice(new Y.Doc(), 'nope'), 'not_found'],
  ])('refuses %s', (_name, fn, code) => expect(codeOf(fn)).toBe(code));
});
