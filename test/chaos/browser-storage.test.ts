/**
 * Browser storage trouble with the real widget in Chromium against a real relay process: quota
 * exhausted while sending, site data cleared while messages wait offline, and one of three tabs
 * closed abruptly mid-send. The same scenario runs in `npm run test:chaos` with more messages.
 */
import { describe, expect, it } from 'vitest';
import { failures } from './figures.js';
import { browserStorage } from './scenarios/browser-storage.js';

describe('chaos: browser storage (short)', () => {
  it('[P7] the widget says when the browser stops storing, loses nothing stored, and shows every acknowledged message once', async () => {
    const figures = await browserStorage({ messagesPerTab: 4 }, (line) => console.info(line));
    console.table(figures.map((f) => ({ figure: f.name, value: f.value, mustBe: f.mustBe ?? '' })));
    expect(failures(figures)).toEqual([]);
  }, 120_000);
});
