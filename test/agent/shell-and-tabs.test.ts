/**
 * The app in one browser beyond a single tab's lifetime (one relay and one Chromium for both):
 *
 * - Reopening /agent/ with no network at all: the app-shell service worker serves the app's files,
 *   the session (sessionStorage) and the replicas (IndexedDB) do the rest. A control context with
 *   service workers blocked shows the same reload failing, so the test proves the worker's part.
 * - Several tabs of one agent share one socket and one IndexedDB writer (core's tab client): two
 *   tabs of one context, one /mux socket on the relay, the same live conversation in both, no
 *   duplicated messages, and the other tab carries on when the leading tab closes.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { customerStartsConversation, signIn, whenConversation, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

/** Open /mux sockets on the relay, from its Prometheus text. */
async function muxConnections(): Promise<number> {
  const text = await (await fetch(`${suite.relay.url}/metrics`)).text();
  return Number(/^parley_connections\{endpoint="mux"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Counts the websockets a page opens to /mux (a follower tab must open none). */
function countSockets(page: Page): { open: number } {
  const counter = { open: 0 };
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/mux')) return;
    counter.open++;
    ws.on('close', () => counter.open--);
  });
  return counter;
}

const transcript = (page: Page): Locator => page.locator('pa-conversation-pane:not([hidden]) pa-transcript');

// First in the file: the relay's socket count must not include the offline tests' closing contexts.
describe('agent app in several tabs', () => {
  it('two tabs share one socket and the session, show the same live conversation without duplicates, survive the leader closing, and sign out together', async () => {
    const ivo = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-ivo', conversationId: 'v1', name: 'Ivo Horvat', email: 'ivo@example.com', text: 'Do you ship to Zagreb?' });
    customers.push(ivo);
    const before = await muxConnections();

    const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
    context.setDefaultTimeout(15_000);
    const first = await context.newPage();
    const firstSockets = countSockets(first);
    await signIn(first, suite.relay.url, suite.admin);
    await first.locator('[data-connection=online]').waitFor();

    // The second tab is signed in by the first (session shared between tabs) and opens no socket.
    const second = await context.newPage();
    const secondSockets = countSockets(second);
    await second.goto(`${suite.relay.url}/agent/`);
    await second.locator('pa-workspace').waitFor();
    await second.locator('[data-connection=online]').waitFor();

    for (const page of [first, second]) {
      await page.locator('pa-inbox button.row', { hasText: 'Ivo Horvat' }).click();
      await transcript(page).locator('li', { hasText: 'ship to Zagreb' }).waitFor();
    }
    expect(firstSockets.open + secondSockets.open).toBe(1);
    expect(secondSockets.open).toBe(0);
    await expect.poll(muxConnections).toBe(before + 1);

    // Live in both: the customer writes, each tab shows it once.
    ivo.conversation.send({ text: 'Also: is there express delivery?' });
    for (const page of [first, second]) await transcript(page).locator('li', { hasText: 'express delivery' }).waitFor();

    // The tab without the socket replies; it reaches the customer once and shows once in both tabs.
    const composer = second.locator('pa-conversation-pane:not([hidden]) pa-composer textarea');
    await composer.fill('Yes, 2 days to Zagreb 🚚');
    await composer.press('Enter');
    await whenConversation(ivo.conversation, () => ivo.conversation.messages().some((m) => m.text === 'Yes, 2 days to Zagreb 🚚'), 15_000, 'the reply at the customer');
    for (const page of [first, second]) {
      await transcript(page).locator('li.agent', { hasText: '2 days to Zagreb' }).waitFor();
      await expect.poll(() => transcript(page).locator('li.agent', { hasText: '2 days to Zagreb' }).getAttribute('data-delivery')).not.toBe('pending');
    }
    const shown = async (page: Page): Promise<number[]> =>
      Promise.all(['ship to Zagreb', 'express delivery', '2 days to Zagreb'].map((t) => transcript(page).locator('li', { hasText: t }).count()));
    expect(await shown(first)).toEqual([1, 1, 1]);
    expect(await shown(second)).toEqual([1, 1, 1]);
    expect(ivo.conversation.messages().filter((m) => m.author.role === 'agent' && m.kind === 'text')).toHaveLength(1);

    // The leading tab closes: the other takes the socket over and its next reply goes out.
    await first.close();
    await expect.poll(() => secondSockets.open, { timeout: 15_000 }).toBe(1);
    await second.locator('[data-connection=online]').waitFor();
    await composer.fill('Tracking link follows.');
    await composer.press('Enter');
    await whenConversation(ivo.conversation, () => ivo.conversation.messages().some((m) => m.text === 'Tracking link follows.'), 15_000, 'the reply after takeover');
    await expect.poll(muxConnections).toBe(before + 1);
    expect(ivo.conversation.messages().filter((m) => m.author.role === 'agent' && m.kind === 'text').map((m) => m.text)).toEqual(['Yes, 2 days to Zagreb 🚚', 'Tracking link follows.']);

    // Signing out in one tab signs out the others.
    const third = await context.newPage();
    await third.goto(`${suite.relay.url}/agent/`);
    await third.locator('pa-workspace').waitFor();
    await second.locator('button[data-action=sign-out]').click();
    await third.locator('pa-sign-in').waitFor();
    await second.locator('pa-sign-in').waitFor();
    await context.close();
  }, 90_000);
});

/** Signs in and opens the conversation, so its replica is on this device. */
async function openConversation(page: Page): Promise<void> {
  await signIn(page, suite.relay.url, suite.admin);
  await page.locator('pa-inbox button.row', { hasText: 'Noa Levi' }).click();
  await page.locator('pa-transcript li', { hasText: 'Where is my parcel' }).waitFor();
}

describe('agent app offline shell', () => {
  it('reloads /agent/ with the network off and shows the inbox and transcript from this device', async () => {
    customers.push(await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-noa', conversationId: 'v1', name: 'Noa Levi', email: 'noa@example.com', text: 'Where is my parcel?' }));
    const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await openConversation(page);
    // The worker installed (shell cached) and controls this page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(new URL(scope).pathname).toBe('/agent/');

    await context.setOffline(true);
    const started = Date.now();
    await page.reload();
    await page.locator('pa-inbox button.row', { hasText: 'Noa Levi' }).waitFor();
    const reopenMs = Date.now() - started;
    await page.locator('[data-connection=offline]').waitFor();
    await page.locator('pa-inbox button.row', { hasText: 'Noa Levi' }).click();
    await page.locator('pa-transcript li', { hasText: 'Where is my parcel' }).waitFor();
    console.log(`agent app reloaded with the network off in ${reopenMs} ms (service worker + IndexedDB)`);

    // Back online, the same page reconnects by itself.
    await context.setOffline(false);
    await page.locator('[data-connection=online]').waitFor({ timeout: 20_000 });
    await context.close();
  }, 90_000);

  it('control: without the service worker the same offline reload fails', async () => {
    const context = await suite.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await openConversation(page);
    await context.setOffline(true);
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await context.close();
  }, 60_000);
});
