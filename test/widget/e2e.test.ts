/**
 * The widget end to end: the built bundle served by a real relay process on the demo shop page,
 * real Chromium as the customer's devices, and an agent that is a core client in Node.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { screenshotPath } from '../helpers/browser.js';
import { customerIdOf, whenConversation, useWidgetSuite } from './relay-fixtures.js';
import { axeViolations } from './axe.js';

const suite = useWidgetSuite({ agent: true });

async function device(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await suite.browser.newContext({ viewport, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await page.locator('parley-chat li.msg.mine', { hasText: text }).waitFor();
}

const delivery = (page: Page, text: string) => page.locator('parley-chat li.msg.mine', { hasText: text }).getAttribute('data-delivery');

describe('widget against a real relay', () => {
  it('shows the launcher soon after the script tag, and a first message reaches the agent; the reply comes back read', async () => {
    const { context, page } = await device();
    const started = Date.now();
    await page.goto(`${suite.relay.url}/`);
    await page.locator('parley-chat .launcher').waitFor();
    const timing = await page.evaluate(() => {
      const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/widget.js'))!;
      const launcher = performance.getEntriesByName('parley:launcher-visible')[0]!;
      return { fromScriptTag: launcher.startTime - script.startTime, fromNavigation: launcher.startTime };
    });
    console.log(
      `launcher visible ${timing.fromScriptTag.toFixed(0)} ms after the widget.js request started ` +
        `(${timing.fromNavigation.toFixed(0)} ms after navigation start; ${Date.now() - started} ms wall incl. goto)`,
    );
    // Generous for a loaded 2-core CI box; locally it is tens of milliseconds.
    expect(timing.fromScriptTag).toBeLessThan(2000);

    await page.locator('parley-chat .launcher').click();
    await send(page, 'Hello from the shop');
    await expect.poll(() => delivery(page, 'Hello from the shop'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);

    const customerId = await customerIdOf(page);
    let ids: string[] = [];
    await expect.poll(async () => (ids = await suite.agent.conversationIds(customerId)).length, { timeout: 15_000 }).toBe(1);
    const conv = await suite.agent.conversation(customerId, ids[0]!);
    await whenConversation(conv, (c) => c.messages().some((m) => m.text === 'Hello from the shop'));
    expect(conv.snapshot().meta.referralPage).toContain(suite.relay.url);
    conv.markRead();
    await expect.poll(() => delivery(page, 'Hello from the shop'), { timeout: 15_000 }).toBe('read');

    // Typing travels both ways as awareness, never stored.
    await page.getByRole('textbox', { name: 'Message' }).pressSequentially('And another');
    await expect.poll(() => conv.typing().map((t) => t.role), { timeout: 15_000 }).toEqual(['customer']);
    conv.setTyping(true);
    await page.getByText('Aino is typing…').waitFor();
    conv.send({ text: 'Hi! How can I help?' });
    await page.locator('parley-chat li.msg.theirs', { hasText: 'Hi! How can I help?' }).waitFor();
    // The widget tells the agent it has the reply and has read it (the panel is open and visible).
    await whenConversation(conv, (c) => c.messages().at(-1)?.delivery === 'read');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-e2e-conversation') });
    await context.close();
  });

  it('continues on another device: the desktop redeems the one-time code and gets the whole history', async () => {
    const phone = await device({ width: 390, height: 740 });
    await phone.page.goto(`${suite.relay.url}/`);
    await phone.page.locator('parley-chat .launcher').click();
    for (const text of ['First from the phone', 'Second from the phone']) await send(phone.page, text);
    await expect.poll(() => delivery(phone.page, 'Second from the phone'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);
    const customerId = await customerIdOf(phone.page);

    await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
    await phone.page.getByRole('button', { name: 'Continue on another device' }).click();
    const link = phone.page.locator('parley-chat a[data-pair-link]');
    await link.waitFor();
    await phone.page.locator('parley-chat .pairing svg').waitFor();
    await phone.page.screenshot({ path: screenshotPath('widget-pairing-qr') });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/#parley-pair=/);

    const desktop = await device();
    await desktop.page.goto(href);
    // The desktop opens straight into the conversation, with everything the phone wrote.
    await desktop.page.locator('parley-chat li.msg.mine', { hasText: 'Second from the phone' }).waitFor({ timeout: 15_000 });
    expect(await desktop.page.locator('parley-chat li.msg.mine').allTextContents()).toEqual([
      expect.stringContaining('First from the phone'),
      expect.stringContaining('Second from the phone'),
    ]);
    expect(await customerIdOf(desktop.page)).toBe(customerId);
    // The spent code is gone from the address bar, so a reload does not try it again.
    expect(desktop.page.url()).not.toContain('parley-pair');

    // Both devices are the same customer live: the desktop writes, the phone sees it.
    await send(desktop.page, 'Now on my desktop');
    await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
    await phone.page.locator('parley-chat .list button').first().click();
    await phone.page.locator('parley-chat li.msg.mine', { hasText: 'Now on my desktop' }).waitFor({ timeout: 15_000 });
    await desktop.page.screenshot({ path: screenshotPath('widget-paired-desktop') });

    // The customer's profile lists both browsers as their devices.
    await expect.poll(async () => (await suite.agent.profile(customerId)).devices.map((d) => d.name), { timeout: 15_000 }).toEqual(['Chrome on Linux', 'Chrome on Linux']);

    // A code works once.
    const third = await device();
    await third.page.goto(href);
    await third.page.locator('parley-chat [role=alert]').waitFor({ timeout: 15_000 });
    await Promise.all([phone.context.close(), desktop.context.close(), third.context.close()]);
  });

  it('messages written offline show pending, survive closing the tab, and go out once, in order, on reconnect', async () => {
    const { context, page } = await device({ width: 390, height: 740 });
    // Another tab (elsewhere) keeps the browser, and so the context, open when the shop's tab closes.
    await (await context.newPage()).goto('about:blank');
    await page.goto(`${suite.relay.url}/`);
    await page.locator('parley-chat .launcher').click();
    await send(page, 'one');
    await expect.poll(() => delivery(page, 'one'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);
    const customerId = await customerIdOf(page);

    await context.setOffline(true);
    await page.getByText('You are offline').waitFor();
    await send(page, 'two');
    await send(page, 'three');
    expect(await delivery(page, 'two')).toBe('pending');
    expect(await delivery(page, 'three')).toBe('pending');
    await page.screenshot({ path: screenshotPath('widget-offline-pending') });
    // The relay really has not seen them: an agent syncing now finds only the first.
    const [id] = await suite.agent.conversationIds(customerId);
    const conv = await suite.agent.conversation(customerId, id!);
    expect(conv.messages().map((m) => m.text)).toEqual(['one']);
    // Tab closed while offline: the replica in IndexedDB is all that holds "two" and "three".
    await page.close();
    await context.setOffline(false);

    const again = await context.newPage();
    await again.goto(`${suite.relay.url}/`);
    await again.locator('parley-chat .launcher').click();
    await again.locator('parley-chat li.msg.mine', { hasText: 'three' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => delivery(again, 'three'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);
    await again.reload();
    await again.locator('parley-chat .launcher').click();
    await again.locator('parley-chat li.msg.mine', { hasText: 'three' }).waitFor();
    expect(await again.locator('parley-chat li.msg.mine .text').allTextContents()).toEqual(['one', 'two', 'three']);

    await whenConversation(conv, (c) => c.messages().filter((m) => m.author.role === 'customer').length >= 3);
    expect(conv.messages().map((m) => m.text)).toEqual(['one', 'two', 'three']);
    await context.close();
  });

  it('two tabs of one browser show one conversation without duplicates', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(`${suite.relay.url}/`);
    await a.locator('parley-chat .launcher').click();
    await send(a, 'from tab A');
    await expect.poll(() => delivery(a, 'from tab A'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);
    await b.goto(`${suite.relay.url}/`);
    await b.locator('parley-chat .launcher').click();
    await b.locator('parley-chat li.msg.mine', { hasText: 'from tab A' }).waitFor({ timeout: 15_000 });
    await send(b, 'from tab B');
    await a.locator('parley-chat li.msg.mine', { hasText: 'from tab B' }).waitFor({ timeout: 15_000 });
    for (const page of [a, b]) {
      expect(await page.locator('parley-chat li.msg.mine .text').allTextContents()).toEqual(['from tab A', 'from tab B']);
    }
    const customerId = await customerIdOf(a);
    expect(await suite.agent.conversationIds(customerId)).toHaveLength(1);
    await context.close();
  });

  it('attaches a picked image: uploaded to the relay, shown inline on the agent side and in the widget', async () => {
    const { context, page } = await device();
    await page.goto(`${suite.relay.url}/`);
    await page.locator('parley-chat .launcher').click();
    await send(page, 'Here is a photo of the damage');
    // A 1x1 PNG
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await page.locator('parley-chat input[type=file]').setInputFiles({ name: 'damage.png', mimeType: 'image/png', buffer: png });
    const img = page.locator('parley-chat li.msg.mine img[alt="Image: damage.png"]');
    await img.waitFor({ timeout: 15_000 });
    // The preview shows at once, from the picked file, whatever the upload is doing.
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 15_000 }).toBe(1);

    const customerId = await customerIdOf(page);
    const [id] = await suite.agent.conversationIds(customerId);
    const conv = await suite.agent.conversation(customerId, id!);
    await whenConversation(conv, (c) => c.messages().some((m) => m.attachment?.name === 'damage.png'));
    const ref = conv.messages().find((m) => m.attachment)!.attachment!;
    expect(ref).toMatchObject({ type: 'image/png', size: png.length });
    const token = await suite.relay.token('agent', 'demo', 'agent-aino');
    const fetchBlob = () => fetch(`${suite.relay.url}/v1/blobs/${ref.hash}`, { headers: { authorization: `Bearer ${token}` } });
    await expect.poll(async () => (await fetchBlob()).status, { timeout: 15_000 }).toBe(200);
    expect(Buffer.from(await (await fetchBlob()).arrayBuffer())).toEqual(png);
    await page.screenshot({ path: screenshotPath('widget-attachment') });
    await context.close();
  });

  it('refuses a file over the workspace limit before uploading, saying the limit', async () => {
    const { context, page } = await device();
    await page.goto(`${suite.relay.url}/`);
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await page.locator('parley-chat .hint').textContent()).toContain('Up to 10 MB per file');
    await page.locator('parley-chat input[type=file]').setInputFiles({ name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
    await page.locator('parley-chat [role=alert]', { hasText: 'huge.pdf is too large: the limit is 10 MB.' }).waitFor();
    expect(await page.locator('parley-chat li.msg').count()).toBe(0);
    await context.close();
  });

  it('when the agent replies and the customer is elsewhere: badge, page title, Parley.on("message"); opening clears them', async () => {
    const { context, page } = await device();
    await page.goto(`${suite.relay.url}/`);
    await page.evaluate(() => {
      const w = window as unknown as { Parley: { init(o: object): { on(e: 'message', cb: (d: { message: { text: string } }) => void): void } }; received: string[] };
      w.received = [];
      w.Parley.init({ workspace: 'demo' }).on('message', (d) => w.received.push(d.message.text));
    });
    await page.locator('parley-chat .launcher').click();
    await send(page, 'Is the jacket waterproof?');
    await page.getByRole('dialog').getByRole('button', { name: 'Close chat' }).click();
    const title = await page.title();

    const customerId = await customerIdOf(page);
    const [id] = await suite.agent.conversationIds(customerId);
    const conv = await suite.agent.conversation(customerId, id!);
    await whenConversation(conv, (c) => c.messages().length > 0);
    conv.send({ text: 'Yes, fully taped seams.' });

    const launcher = page.locator('parley-chat .launcher');
    await launcher.locator('.badge', { hasText: '1' }).waitFor({ timeout: 15_000 });
    expect(await launcher.getAttribute('aria-label')).toBe('Open chat, 1 unread');
    await expect.poll(() => page.title()).toBe(`(1) ${title}`);
    expect(await page.evaluate(() => (window as unknown as { received: string[] }).received)).toEqual(['Yes, fully taped seams.']);
    await page.screenshot({ path: screenshotPath('widget-unread-badge') });

    await launcher.click();
    await page.locator('parley-chat li.msg.theirs', { hasText: 'fully taped' }).waitFor();
    await expect.poll(() => page.title()).toBe(title);
    await whenConversation(conv, (c) => c.messages().at(-1)?.delivery === 'read');
    await context.close();
  });

  it('an attachment picked offline waits in IndexedDB, survives closing the tab, and uploads on the next visit', async () => {
    const { context, page } = await device();
    await (await context.newPage()).goto('about:blank');
    await page.goto(`${suite.relay.url}/`);
    await page.locator('parley-chat .launcher').click();
    await send(page, 'Receipt follows');
    await expect.poll(() => delivery(page, 'Receipt follows'), { timeout: 15_000 }).toMatch(/sent|delivered|read/);
    const customerId = await customerIdOf(page);

    await context.setOffline(true);
    await page.getByText('You are offline').waitFor();
    const receipt = Buffer.from('Order 42: 1 x Down jacket, EUR 219\n');
    await page.locator('parley-chat input[type=file]').setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: receipt });
    await page.locator('parley-chat li.msg.mine', { hasText: 'receipt.txt' }).waitFor();
    expect(await page.locator('parley-chat li.msg.mine', { hasText: 'receipt.txt' }).getAttribute('data-delivery')).toBe('pending');
    await page.close();
    await context.setOffline(false);

    const again = await context.newPage();
    await again.goto(`${suite.relay.url}/`);
    const [id] = await suite.agent.conversationIds(customerId);
    const conv = await suite.agent.conversation(customerId, id!);
    await whenConversation(conv, (c) => c.messages().some((m) => m.attachment?.name === 'receipt.txt'));
    const ref = conv.messages().find((m) => m.attachment)!.attachment!;
    const token = await suite.relay.token('agent', 'demo', 'agent-aino');
    const fetchBlob = () => fetch(`${suite.relay.url}/v1/blobs/${ref.hash}`, { headers: { authorization: `Bearer ${token}` } });
    await expect.poll(async () => (await fetchBlob()).status, { timeout: 15_000 }).toBe(200);
    expect(Buffer.from(await (await fetchBlob()).arrayBuffer())).toEqual(receipt);
    await context.close();
  });
});
