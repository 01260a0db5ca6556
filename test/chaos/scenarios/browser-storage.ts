/**
 * Browser storage trouble, with the real widget on the demo page of a real relay process in real
 * Chromium: the origin's IndexedDB quota runs out while the customer is sending; the site's data is
 * cleared while messages wait offline; one of three tabs is closed abruptly in the middle of a send.
 * What the customer must see and keep: a warning that says what happened, nothing already stored
 * lost, and every acknowledged message exactly once.
 */
import * as Y from 'yjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Conversation, conversationDoc } from '@parley/core';
import { launchChromium } from '../../helpers/browser.js';
import { startRelayProcess, type RelayProcess } from '../../helpers/relay-process.js';
import { customerIdOf, ensureWidgetBuilt } from '../../widget/relay-fixtures.js';
import { figure, mustBeAll, mustEqual, type Figure } from '../figures.js';
import { duplicates, readFromRelay } from '../peers.js';
import { eventually } from '../probes.js';

export interface BrowserStorageConfig {
  /** messages each tab sends in the three-tab case */
  messagesPerTab: number;
}

const S = 'browser storage';
const WS = 'demo';
const delivered = /sent|delivered|read/;

async function openWidget(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(`${url}/`);
  await page.locator('parley-chat .launcher').click();
  return page;
}

/** Types and sends; with `wait`, until the bubble is on screen (not until it is acknowledged). */
async function send(page: Page, text: string, wait = true): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  if (wait) await page.locator('parley-chat li.msg.mine', { hasText: text }).first().waitFor();
}

/** The customer's own bubbles with their delivery state, in screen order. */
const bubbles = (page: Page): Promise<{ text: string; delivery: string }[]> =>
  page.locator('parley-chat li.msg.mine').evaluateAll((els) => els.map((el) => ({ text: el.querySelector('.text')?.textContent ?? '', delivery: el.getAttribute('data-delivery') ?? '' })));

const acknowledged = async (page: Page): Promise<string[]> => (await bubbles(page)).filter((b) => delivered.test(b.delivery)).map((b) => b.text);

const alertText = (page: Page): Promise<string> => page.locator('parley-chat [role=alert]').first().textContent({ timeout: 1000 }).then((t) => t ?? '', () => '');

async function texts(doc: Y.Doc): Promise<string[]> {
  const conv = Conversation.open({ doc, me: { role: 'agent', id: 'reader', name: 'reader' }, deviceId: 'reader' });
  const out = conv.messages().map((m) => m.text);
  conv.destroy();
  return out;
}

/** The customer's only conversation as the relay holds it now: a fresh reader with an empty replica. */
async function relayTexts(relay: RelayProcess, customerId: string): Promise<string[]> {
  const reader = await relay.token('agent', WS, 'chaos-reader');
  const profile = await readFromRelay(relay.wsUrl, reader, `ws/${WS}/customers/${customerId}/profile`);
  const [id] = [...profile.getMap('conversations').keys()];
  if (!id) return [];
  return texts(await readFromRelay(relay.wsUrl, reader, conversationDoc(WS, customerId, id)));
}

/** What the page's IndexedDB replica of the customer's conversation holds, read inside the page. */
async function replicaTexts(page: Page, customerId: string): Promise<string[]> {
  const rows = await page.evaluate(async (prefix) => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith(prefix));
    const out: number[][] = [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const all = await new Promise<Uint8Array[]>((resolve, reject) => {
        const r = db.transaction('updates').objectStore('updates').getAll();
        r.onsuccess = () => resolve(r.result as Uint8Array[]);
        r.onerror = () => reject(r.error);
      });
      db.close();
      out.push(...all.map((u) => [...u]));
    }
    return out;
  }, `parley:ws/${WS}/customers/${customerId}/conv/`);
  const doc = new Y.Doc();
  for (const row of rows) Y.applyUpdate(doc, Uint8Array.from(row));
  return texts(doc);
}

const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');

/**
 * (a) The origin's quota runs out while the customer sends. Chromium reads an origin's quota when
 * it first opens a database there (an override set later is not seen), so the quota is set before
 * the page loads: what a throwaway profile used for the same first messages, plus a little room.
 */
async function quotaExceeded(relay: RelayProcess, browser: Browser, log: (line: string) => void): Promise<Figure[]> {
  const first = ['stored 1', 'stored 2', 'stored 3'];
  const calibration = await browser.newContext({ locale: 'en-US' });
  let usage = 0;
  try {
    const page = await openWidget(calibration, relay.url);
    for (const text of first) await send(page, text);
    await eventually(async () => (await acknowledged(page)).length === first.length, 'calibration messages to be acknowledged', 15_000, 50);
    usage = (await page.evaluate(() => navigator.storage.estimate())).usage ?? 0;
  } finally {
    await calibration.close();
  }
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const blank = await context.newPage();
    await blank.goto(`${relay.url}/healthz`);
    await (await context.newCDPSession(blank)).send('Storage.overrideQuotaForOrigin', { origin: `${relay.url}/`, quotaSize: usage + 16 * 1024 });
    const page = await openWidget(context, relay.url);
    for (const text of first) await send(page, text);
    const customerId = await customerIdOf(page, WS);
    let said = '';
    let written = 0;
    // About 2 KB each, so the room left runs out within a few messages.
    while (written < 60 && !/no room/i.test((said = await alertText(page)))) await send(page, `filling ${written++} ${'·'.repeat(2000)}`);
    const full = /no room/i.test(said);
    log(`quota: ${usage} B used by the calibration; alert after ${written} more messages: "${said}"`);
    const storedWhenFull = await replicaTexts(page, customerId);
    await send(page, 'written while the storage is full');
    const reachedRelay = await eventually(async () => (await relayTexts(relay, customerId)).includes('written while the storage is full'), 'the message to reach the relay', 15_000, 100).then(() => true, () => false);
    // A reload under the same quota: loading (and the compaction a load does) must not drop anything.
    await page.reload();
    await page.locator('parley-chat .launcher').click();
    await page.locator('parley-chat li.msg.mine', { hasText: 'stored 3' }).waitFor({ timeout: 15_000 });
    const kept = new Set(await replicaTexts(page, customerId));
    return [
      figure(S, 'quota: widget said the storage is full (role=alert)', yes(full), { mustBe: 'yes', ok: full }),
      figure(S, 'quota: messages stored in IndexedDB when it ran out', storedWhenFull.length),
      mustBeAll(S, 'quota: of those, still in IndexedDB after a reload under the same quota', storedWhenFull.filter((t) => kept.has(t)).length, storedWhenFull.length),
      figure(S, 'quota: message written while full reached the relay', yes(reachedRelay), { mustBe: 'yes', ok: reachedRelay }),
    ];
  } finally {
    await context.close();
  }
}

/** (b) Offline with two messages pending, the browser deletes the origin's data. */
async function clearedWhilePending(relay: RelayProcess, browser: Browser, log: (line: string) => void): Promise<Figure[]> {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await openWidget(context, relay.url);
    await send(page, 'before');
    await eventually(async () => (await acknowledged(page)).includes('before'), 'the first message to be acknowledged', 15_000, 50);
    const customerId = await customerIdOf(page, WS);
    await context.setOffline(true);
    await page.getByText('You are offline').waitFor();
    const pending = ['pending one', 'pending two'];
    for (const text of pending) await send(page, text);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', { origin: relay.url, storageTypes: 'all' });
    let said = '';
    const warned = await eventually(async () => /not sent yet: 2/i.test((said = await alertText(page))), 'the widget to warn about unsent messages', 10_000, 50).then(() => true, () => false);
    log(`cleared: alert "${said}"`);
    // The page stayed open: once back online the messages go out from memory, and the warning goes.
    await context.setOffline(false);
    const sent = await eventually(async () => (await acknowledged(page)).filter((t) => pending.includes(t)).length === pending.length, 'the pending messages to be acknowledged', 20_000, 50).then(() => true, () => false);
    const warningGone = sent && (await eventually(async () => (await alertText(page)) === '', 'the warning to go', 5_000, 50).then(() => true, () => false));
    const held = await relayTexts(relay, customerId);
    return [
      figure(S, 'site data cleared: widget warned that 2 messages were not sent (role=alert)', yes(warned), { mustBe: 'yes', ok: warned }),
      mustBeAll(S, 'site data cleared: pending messages on the relay after going online (page kept open)', pending.filter((t) => held.includes(t)).length, pending.length),
      mustEqual(S, 'site data cleared: duplicates on the relay', duplicates(held), 0),
      figure(S, 'site data cleared: warning gone once they were acknowledged', yes(warningGone), { mustBe: 'yes', ok: warningGone }),
    ];
  } finally {
    await context.close();
  }
}

/** (c) Three tabs of one browser send at once; the first (it holds the socket) is closed mid-send. */
async function tabKilledMidSend(relay: RelayProcess, browser: Browser, cfg: BrowserStorageConfig, log: (line: string) => void): Promise<Figure[]> {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const leader = await openWidget(context, relay.url);
    await send(leader, 'opening');
    const others = [await openWidget(context, relay.url), await openWidget(context, relay.url)];
    for (const p of others) await p.locator('parley-chat li.msg.mine', { hasText: 'opening' }).waitFor({ timeout: 15_000 });
    const customerId = await customerIdOf(leader, WS);
    const killAt = Math.floor(cfg.messagesPerTab / 2);
    let ackedByKilled: string[] = [];
    let cutOff = '';
    const sendAll = async (page: Page, tab: string): Promise<void> => {
      for (let i = 0; i < cfg.messagesPerTab; i++) {
        const text = `${tab} ${i}`;
        if (page === leader && i === killAt) {
          ackedByKilled = await acknowledged(page);
          cutOff = text;
          await send(page, text, false);
          // Gone without unload handlers, as when a tab is killed: whatever it had not handed on is lost.
          await page.close({ runBeforeUnload: false });
          return;
        }
        await send(page, text);
      }
    };
    await Promise.all([sendAll(leader, 'tab A'), sendAll(others[0]!, 'tab B'), sendAll(others[1]!, 'tab C')]);
    const survivors = others.flatMap((_, k) => Array.from({ length: cfg.messagesPerTab }, (_, i) => `tab ${'BC'[k]} ${i}`));
    const allAcked = await eventually(async () => (await acknowledged(others[0]!)).filter((t) => survivors.includes(t)).length === survivors.length, 'the surviving tabs to be acknowledged', 30_000, 100).then(() => true, () => false);
    const ackedEverywhere = new Set([...ackedByKilled, ...(await acknowledged(others[0]!)), ...(await acknowledged(others[1]!))]);
    const held = await relayTexts(relay, customerId);
    const once = [...ackedEverywhere].filter((t) => held.filter((h) => h === t).length === 1).length;
    const shown = await Promise.all(others.map(async (p) => (await bubbles(p)).map((b) => b.text)));
    log(`tabs: ${ackedEverywhere.size} acknowledged, relay holds ${held.length}; cut-off "${cutOff}" ${held.includes(cutOff) ? 'arrived' : 'lost'}`);
    return [
      figure(S, 'three tabs: messages sent (first tab closed mid-send)', 1 + killAt + 1 + survivors.length),
      mustBeAll(S, 'three tabs: acknowledged messages on the relay exactly once', once, ackedEverywhere.size),
      figure(S, 'three tabs: surviving tabs acknowledged after the socket holder closed', yes(allAcked), { mustBe: 'yes', ok: allAcked }),
      mustEqual(S, 'three tabs: duplicates on the relay and in the surviving tabs', duplicates(held) + shown.reduce((n, s) => n + duplicates(s), 0), 0),
      figure(S, 'three tabs: the message typed as the tab closed', held.includes(cutOff) ? 'arrived' : 'lost (never acknowledged)'),
    ];
  } finally {
    await context.close();
  }
}

export async function browserStorage(cfg: BrowserStorageConfig, log: (line: string) => void = () => undefined): Promise<Figure[]> {
  ensureWidgetBuilt();
  const [relay, browser] = await Promise.all([startRelayProcess(), launchChromium()]);
  try {
    const figures: Figure[] = [];
    for (const [name, run] of [
      ['quota', () => quotaExceeded(relay, browser, log)],
      ['site data cleared', () => clearedWhilePending(relay, browser, log)],
      ['three tabs', () => tabKilledMidSend(relay, browser, cfg, log)],
    ] as const) {
      try {
        figures.push(...(await run()));
      } catch (err) {
        figures.push(figure(S, `${name}: failed to run`, String((err as Error).message).split('\n')[0]!, { mustBe: 'ran', ok: false }));
      }
    }
    return figures;
  } finally {
    await browser.close();
    await relay.kill();
  }
}
