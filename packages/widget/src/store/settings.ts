/**
 * The widget's view of `ws/{ws}/settings` and `ws/{ws}/announcements`, through core's readers
 * (which already default anything missing or malformed). Core's English defaults for the greeting
 * and launcher text are treated as unset, so the widget shows its own translation instead.
 */
import type * as Y from 'yjs';
import { DEFAULT_SETTINGS, activeAnnouncements, listAnnouncements, readSettings as readWorkspaceSettings, type Viewer } from '@parley/core';
import { defaultSettings, type Announcement, type PreChatField, type WidgetSettings } from '../model.js';

const WIDGET_FIELDS: readonly string[] = ['name', 'email', 'language'];

export function readSettings(doc: Y.Doc): WidgetSettings {
  const s = readWorkspaceSettings(doc);
  const primary = s.colors.primary;
  return {
    ...(s.greeting !== DEFAULT_SETTINGS.greeting && s.greeting.trim() ? { greeting: s.greeting } : {}),
    ...(s.launcherText !== DEFAULT_SETTINGS.launcherText && s.launcherText.trim() ? { launcherText: s.launcherText } : {}),
    position: s.position === 'bottom-left' ? 'left' : 'right',
    colors: /^#[0-9a-f]{6}$/i.test(primary) ? { primary, onPrimary: readableOn(primary) } : defaultSettings.colors,
    preChat: s.preChatFields.filter((f) => WIDGET_FIELDS.includes(f.name)).map((f): PreChatField => ({ name: f.name as PreChatField['name'], required: f.required })),
    quickActions: s.quickActions,
    proactive: s.proactiveTriggers.map((t) => ({ id: t.id, message: t.message, afterSeconds: t.afterSeconds ?? 0, ...(t.urlPattern ? { path: t.urlPattern } : {}) })),
    maxAttachmentBytes: s.maxAttachmentBytes,
  };
}

export function readAnnouncements(doc: Y.Doc, viewer: Viewer, now = Date.now()): readonly Announcement[] {
  return activeAnnouncements(listAnnouncements(doc), viewer, now).map((a) => ({ id: a.id, text: a.text, level: a.level === 'info' ? 'info' : 'warning' }));
}

/** White or near-black text, whichever contrasts more with the workspace colour (WCAG luminance). */
export function readableOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (1.05 / (l + 0.05) >= (l + 0.05) / 0.05) ? '#ffffff' : '#111111';
}
