/**
 * A thousand conversations in the inbox: the list renders only what is on screen and scrolls
 * smoothly while the conversations sync in the background. Frame timings are measured and
 * reported (test/artifacts/agent-inbox-frames.json), not asserted: CI machines vary too much.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { allowBrowserTestTime, launchChromium, screenshotPath } from '../helpers/browser.js';
import { repoRoot, type RelayProcess } from '../helpers/relay-process.js';
import { ensureAgentBuilt, seedConversations, signIn, startRelayWithAdmin, type Admin } from './fixtures.js';

allowBrowserTestTime();

const CUSTOMERS = 50;
const PER_CUSTOMER = 20;
const TOTAL = CUSTOMERS * PER_CUSTOMER;

let relay: RelayProcess;
let admin: Admin;
let browser: Browser;

beforeAll(async () => {
  ensureAgentBuilt();
  ({ relay, admin } = await startRelayWithAdmin());
  browser = await launchChromium();
  await seedConversations(relay, admin.ws, CUSTOMERS, PER_CUSTOMER);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  renderedRows: number;
}

/** Scrolls the inbox list by `step` px per animation frame for `frames` frames and returns the frame deltas. */
function scrollAndMeasure(page: Page, frames: number, step: number): Promise<FrameStats> {
  return page.evaluate(
    ({ frames, step }) => {
      const app = document.querySelector('parley-agent-app')!.shadowRoot!;
      const inbox = app.querySelector('pa-workspace')!.shadowRoot!.querySelector('pa-inbox')!.shadowRoot!;
      const list = inbox.querySelector('pa-virtual-list') as HTMLElement;
      return new Promise<FrameStats>((resolve) => {
        const deltas: number[] = [];
        let last = 0;
        let n = 0;
        let maxRows = 0;
        const tick = (t: number): void => {
          if (last) deltas.push(t - last);
          last = t;
          maxRows = Math.max(maxRows, list.querySelectorAll('[role=listitem]').length);
          // Down the whole list and back up, as an agent flicking through would.
          const down = Math.floor(n / (frames / 2)) % 2 === 0;
          list.scrollTop += down ? step : -step;
          if (++n < frames) requestAnimationFrame(tick);
          else {
            const sorted = [...deltas].sort((a, b) => a - b);
            const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
            resolve({ frames: deltas.length, p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1]!, renderedRows: maxRows });
          }
        };
        requestAnimationFrame(tick);
      });
    },
    { frames, step },
  );
}

function loadedCount(page: Page): Promise<number> {
  return page.evaluate(() => {
    const ws = document.querySelector('parley-agent-app')!.shadowRoot!.querySelector('pa-workspace') as unknown as { inboxController: { items: Map<string, { loaded: boolean }> } };
    return [...ws.inboxController.items.values()].filter((i) => i.loaded).length;
  });
}

describe('inbox with 1,000 conversations', () => {
  it(`lists all ${TOTAL} from the directory, renders one screenful of rows, and scrolls while syncing`, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    const started = Date.now();
    await signIn(page, relay.url, admin);
    const all = page.locator('pa-inbox button[data-view=all] .count');
    await expect.poll(() => all.textContent(), { timeout: 30_000 }).toBe(String(TOTAL));
    const listedMs = Date.now() - started;

    const whileSyncing = await scrollAndMeasure(page, 240, 60);
    const loadedDuringScroll = await loadedCount(page);
    await expect.poll(() => loadedCount(page), { timeout: 120_000, interval: 500 }).toBe(TOTAL);
    const syncedMs = Date.now() - started;
    const synced = await scrollAndMeasure(page, 240, 60);
    await page.screenshot({ path: screenshotPath('agent-inbox-1000') });

    // Virtualised: a screenful plus overscan, never the thousand rows.
    expect(whileSyncing.renderedRows).toBeLessThan(40);
    expect(synced.renderedRows).toBeLessThan(40);
    // Longest waiting first: the first row is the oldest seeded question.
    expect(await page.locator('pa-inbox pa-virtual-list button.row').first().textContent()).toContain('Customer 000');

    const report = { conversations: TOTAL, listedMs, syncedMs, loadedDuringScroll, whileSyncing, synced };
    mkdirSync(join(repoRoot, 'test', 'artifacts'), { recursive: true });
    writeFileSync(join(repoRoot, 'test', 'artifacts', 'agent-inbox-frames.json'), JSON.stringify(report, null, 2));
    console.log('agent inbox, 1,000 conversations:', JSON.stringify(report));
    await context.close();
  }, 240_000);
});
