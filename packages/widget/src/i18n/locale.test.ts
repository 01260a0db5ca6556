import { describe, expect, it } from 'vitest';
import { catalogs, locales, type MessageKey } from './catalog.js';
import { createI18n, pickLocale } from './locale.js';

describe('pickLocale', () => {
  it.each([
    [['tr-TR', 'en'], undefined, 'tr'],
    [['de-DE', 'fi'], undefined, 'fi'],
    [['zh-Hans-CN'], undefined, 'zh'],
    [['de', 'fr'], undefined, 'en'],
    [['en-US'], 'ar', 'ar'],
    [['ko-KR'], 'xx', 'ko'],
  ] as const)('%j with override %s gives %s', (preferred, override, expected) => {
    expect(pickLocale(preferred, override)).toBe(expected);
  });
});

describe('catalogs', () => {
  const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
  it.each(locales.filter((l) => l !== 'en'))('%s translates every string with the same placeholders as English', (locale) => {
    for (const key of Object.keys(catalogs.en) as MessageKey[]) {
      const text = catalogs[locale][key];
      expect(text.trim(), `${locale}.${key}`).not.toBe('');
      expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(catalogs.en[key]));
    }
  });
});

describe('createI18n', () => {
  it('fills placeholders and formats numbers for the locale', () => {
    expect(createI18n('en').t('unread', { n: 3 })).toBe('3 unread');
    expect(createI18n('ar').t('rateScore', { n: 4 })).toMatch(/^[4٤] من 5$/);
  });
  it('marks Arabic right-to-left and the others left-to-right', () => {
    expect(locales.filter((l) => createI18n(l).dir === 'rtl')).toEqual(['ar']);
  });
  it('names today and yesterday in words and older days as dates', () => {
    const now = new Date(2026, 5, 15, 12).getTime();
    const i18n = createI18n('en');
    expect(i18n.day(now - 3600_000, now)).toBe('today');
    expect(i18n.day(now - 86_400_000, now)).toBe('yesterday');
    expect(i18n.day(new Date(2026, 0, 3).getTime(), now)).toBe('Jan 3, 2026');
    expect(createI18n('tr').day(now, now)).toBe('bugün');
  });
  it('formats sizes with units', () => {
    expect(createI18n('en').bytes(10 * 1024 * 1024)).toBe('10 MB');
    expect(createI18n('fi').bytes(1536)).toMatch(/^1,5\s?kt$|^1,5\s?kB$/);
  });
});
