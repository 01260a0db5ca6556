import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { putAnnouncement, updateSettings } from '@parley/core';
import { readAnnouncements, readSettings, readableOn } from './settings.js';

describe('readSettings', () => {
  it("leaves core's English defaults unset, so the widget shows its own translation", () => {
    const s = readSettings(new Y.Doc());
    expect(s.greeting).toBeUndefined();
    expect(s.launcherText).toBeUndefined();
    expect(s.position).toBe('right');
    // core's defaults: no quick actions, a 10 MB attachment limit (what the composer hint shows)
    expect(s.quickActions).toEqual([]);
    expect(s.maxAttachmentBytes).toBe(10 * 1024 * 1024);
  });

  it('maps what an admin set: position, colour with readable text, widget pre-chat fields, triggers', () => {
    const doc = new Y.Doc();
    updateSettings(doc, {
      greeting: 'Merhaba!',
      position: 'bottom-left',
      colors: { primary: '#ffd400', background: '#ffffff', text: '#111111' },
      preChatFields: [
        { name: 'email', label: 'E-posta', type: 'email', required: true },
        { name: 'orderNumber', label: 'Order', type: 'text', required: false },
      ],
      proactiveTriggers: [{ id: 'p', urlPattern: '/pricing*', message: 'Questions about plans?' }],
      quickActions: ['Where is my order?', 'Returns'],
      maxAttachmentBytes: 3 * 1024 * 1024,
    });
    expect(readSettings(doc)).toMatchObject({
      greeting: 'Merhaba!',
      position: 'left',
      colors: { primary: '#ffd400', onPrimary: '#111111' },
      preChat: [{ name: 'email', required: true }],
      proactive: [{ id: 'p', path: '/pricing*', afterSeconds: 0, message: 'Questions about plans?' }],
      quickActions: ['Where is my order?', 'Returns'],
      maxAttachmentBytes: 3 * 1024 * 1024,
    });
  });
});

describe('readableOn', () => {
  it.each([
    ['#1f5fd1', '#ffffff'],
    ['#0b6e4f', '#ffffff'],
    ['#ffd400', '#111111'],
    ['#f2f2f2', '#111111'],
  ])('text on %s is %s', (bg, fg) => expect(readableOn(bg)).toBe(fg));
});

describe('readAnnouncements', () => {
  it('shows only live announcements for this viewer, outages first', () => {
    const doc = new Y.Doc();
    const now = Date.now();
    putAnnouncement(doc, { id: 'tr-only', text: 'Kargo gecikmesi', level: 'info', startsAt: now - 1000, endsAt: null, audience: { languages: ['tr'] } });
    putAnnouncement(doc, { id: 'outage', text: 'Payments down', level: 'outage', startsAt: now - 1000, endsAt: null });
    putAnnouncement(doc, { id: 'over', text: 'Old news', level: 'info', startsAt: now - 5000, endsAt: now - 1000 });
    expect(readAnnouncements(doc, { language: 'en' }, now).map((a) => [a.id, a.level])).toEqual([['outage', 'warning']]);
    expect(readAnnouncements(doc, { language: 'tr-TR' }, now).map((a) => a.id)).toEqual(['outage', 'tr-only']);
  });
});
