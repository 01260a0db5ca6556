/**
 * Core's ReplicaStore contract against the IndexedDB store in real Chromium (not fake-indexeddb):
 * the same cases as the Node suite, run inside a page served by Vite from the TypeScript sources.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { replicaStoreContract } from '../../packages/core/src/persistence/contract-suite.js';
import { allowBrowserTestTime, launchChromium } from '../helpers/browser.js';
import { startDevServer } from '../widget/dev-server.js';
import type { CaseResult } from './pages/contract-page.js';

allowBrowserTestTime();

let browser: Browser;
let server: Awaited<ReturnType<typeof startDevServer>>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startDevServer()]);
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err));
  await page.goto(`${server.url}/test/persistence/pages/contract.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('ReplicaStore contract: IndexedDB in Chromium', () => {
  it('the page runs exactly the cases the Node suite runs', async () => {
    expect(await page.evaluate(() => (window as unknown as { parleyContract: { names: string[] } }).parleyContract.names)).toEqual(replicaStoreContract.map((c) => c.name));
  });

  it.each(replicaStoreContract.map((c) => c.name))('%s', async (name) => {
    const result = await page.evaluate((n) => (window as unknown as { parleyContract: { run(n: string): Promise<CaseResult> } }).parleyContract.run(n), name);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('the databases are real Chromium IndexedDB, visible to the page', async () => {
    const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
    expect(names.some((n) => n.startsWith('contract-'))).toBe(true);
  });
});
