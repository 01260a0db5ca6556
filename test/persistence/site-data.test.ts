/**
 * The browser deletes the site's data while the page is open (the customer clears it, or storage
 * pressure evicts it). Chromium then closes every IndexedDB connection and deletes the databases;
 * the page keeps everything in memory. The replica must come back whole: what was written before
 * the deletion and after it, so the next page load (offline, say) shows the whole conversation.
 * Real Chromium, real IndexedDB, deletion through the DevTools protocol (what "Clear site data" does).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { allowBrowserTestTime, launchChromium } from '../helpers/browser.js';
import { startDevServer } from '../widget/dev-server.js';

allowBrowserTestTime();

interface SiteDataPage {
  start(): Promise<void>;
  write(text: string): void;
  lostEvents(): number;
  errors(): string[];
  stop(): Promise<void>;
  reload(): Promise<string[]>;
}

let browser: Browser;
let server: Awaited<ReturnType<typeof startDevServer>>;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startDevServer()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const call = <K extends keyof SiteDataPage>(page: Page, method: K, ...args: Parameters<SiteDataPage[K]>) =>
  page.evaluate(
    ([m, a]) => (window as unknown as { siteData: Record<string, (...x: unknown[]) => unknown> }).siteData[m]!(...a),
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<SiteDataPage[K]>>>;

it('after the site data is deleted, the replica holds what was written before and after', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err));
  await page.goto(`${server.url}/test/persistence/pages/site-data.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');

  await call(page, 'start');
  await call(page, 'write', 'before one');
  await call(page, 'write', 'before two');
  await expect.poll(() => call(page, 'reload')).toEqual(['before one', 'before two']);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: server.url, storageTypes: 'all' });
  await expect.poll(() => call(page, 'lostEvents'), { timeout: 10_000 }).toBe(1);

  await call(page, 'write', 'after');
  await call(page, 'stop');
  expect(await call(page, 'reload')).toEqual(['before one', 'before two', 'after']);
  await context.close();
});
