/**
 * Locale choice and formatting. Dates, times and sizes go through Intl so each language gets its
 * own digits, order and calendar words without a table of our own.
 */
import { catalogs, locales, rtlLocales, type Catalog, type Locale, type MessageKey } from './catalog.js';

export type { Locale, MessageKey };

/** First of the browser's preferred languages that we have, else English. */
export function pickLocale(preferred: readonly string[], override?: string | null): Locale {
  for (const tag of override ? [override, ...preferred] : preferred) {
    const base = tag.toLowerCase().split('-')[0] as Locale;
    if (locales.includes(base)) return base;
  }
  return 'en';
}

export interface I18n {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  t(key: MessageKey, params?: Record<string, string | number>): string;
  time(ms: number): string;
  /** "today", "yesterday" or a date, for day separators */
  day(ms: number, now?: number): string;
  bytes(n: number): string;
  number(n: number): string;
}

export function createI18n(locale: Locale): I18n {
  const catalog: Catalog = catalogs[locale];
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const num = new Intl.NumberFormat(locale);
  return {
    locale,
    dir: rtlLocales.has(locale) ? 'rtl' : 'ltr',
    t(key, params) {
      const text = catalog[key];
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const v = params[name];
        return v === undefined ? whole : typeof v === 'number' ? num.format(v) : v;
      });
    },
    time: (ms) => timeFmt.format(ms),
    day(ms, now = Date.now()) {
      const days = Math.round((startOfDay(ms) - startOfDay(now)) / 86_400_000);
      return days === 0 || days === -1 ? relative.format(days, 'day') : dateFmt.format(ms);
    },
    bytes(n) {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
      let i = 0;
      while (n >= 1024 && i < units.length - 1) {
        n /= 1024;
        i++;
      }
      return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(n);
    },
    number: (n) => num.format(n),
  };
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
