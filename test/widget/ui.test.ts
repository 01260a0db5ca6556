import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { allowBrowserTestTime, launchChromium, screenshotPath } from '../helpers/browser.js';
import { startDevServer } from './dev-server.js';
import { axeViolations } from './axe.js';

allowBrowserTestTime();

/**
 * The widget's screens in real Chromium, over core's Conversation with a page-local port (no relay):
 * what a customer sees and can do with a keyboard, in every layout and direction.
 */
let browser: Browser;
let server: Awaited<ReturnType<typeof startDevServer>>;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), startDevServer()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err));
  await page.goto(`${server.url}/test/widget/pages/local.html${opts.locale ? `?locale=${opts.locale}` : ''}`);
  await page.locator('parley-chat .launcher').waitFor();
  return { context, page };
}

describe('widget screens (local documents)', () => {
  it('sends a message from the keyboard and shows the agent reply with name and ticks', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.waitFor();
    await expect.poll(() => composer.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await composer.fill('Where is my order?');
    await composer.press('Enter');
    const mine = page.locator('parley-chat li.msg.mine');
    await expect.poll(() => mine.count()).toBe(1);
    expect(await mine.textContent()).toContain('Where is my order?');
    expect(await mine.getAttribute('data-delivery')).toBe('sent');

    const conversationId = await page.evaluate(() => localStorage.length && document.querySelector('parley-chat')!.shadowRoot!.querySelector('li.msg')!.getAttribute('data-id'));
    expect(conversationId).toBeTruthy();
    await page.evaluate(() => {
      const w = window as unknown as { parleyTest: { port: { docs: Map<string, unknown> }; agentReply(c: string, id: string, t: string): void } };
      const name = [...w.parleyTest.port.docs.keys()].find((n) => n.includes('/conv/'))!;
      w.parleyTest.agentReply('cust-1', name.split('/').pop()!, 'It ships tomorrow.');
    });
    const theirs = page.locator('parley-chat li.msg.theirs');
    await expect.poll(() => theirs.count()).toBe(1);
    expect(await theirs.textContent()).toContain('Aino');
    expect(await theirs.textContent()).toContain('It ships tomorrow.');
    // Announced to screen readers
    await expect.poll(() => page.locator('parley-chat [aria-live="polite"][aria-atomic="true"]').textContent()).toContain('It ships tomorrow.');
    await page.screenshot({ path: screenshotPath('widget-conversation-desktop') });
    await context.close();
  });

  it('[a11y] has zero axe-core violations on the home, conversation and rated screens', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await sendAndReply(page, 'Hello', 'Hi, Aino here');
    await resolveConversation(page);
    await page.getByRole('radiogroup').or(page.locator('parley-chat form.rating')).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-rating') });
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await page.getByRole('button', { name: 'New conversation' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-home') });
    await context.close();
  });

  it('rates a resolved conversation 1-5 with a comment, and writing again reopens it', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await sendAndReply(page, 'My parcel is late', 'Found it, on its way');
    await resolveConversation(page);
    await page.getByRole('radio', { name: '4 out of 5' }).check();
    await page.getByRole('textbox', { name: 'Comment (optional)' }).fill('Quick, thanks');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thank you for your feedback!').waitFor();
    const csat = await page.evaluate(() => {
      const w = window as unknown as { parleyTest: { port: { docs: Map<string, { getMap(n: string): { get(k: string): unknown } }> } } };
      const doc = [...w.parleyTest.port.docs.entries()].find(([n]) => n.includes('/conv/'))![1];
      return doc.getMap('meta').get('csat');
    });
    expect(csat).toMatchObject({ score: 4, comment: 'Quick, thanks' });
    await page.getByRole('textbox', { name: 'Message' }).fill('One more thing');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect.poll(() => page.locator('parley-chat form.rating, parley-chat [role=status]:text("Thank you")').count()).toBe(0);
    await context.close();
  });

  it('lays out right-to-left in Arabic with translated labels', async () => {
    const { context, page } = await openPage({ locale: 'ar' });
    await page.getByRole('button', { name: 'افتح المحادثة' }).click();
    const composer = page.getByRole('textbox', { name: 'رسالة' });
    await composer.fill('مرحبا');
    await composer.press('Enter');
    const dir = await page.locator('parley-chat .panel').evaluate((el) => getComputedStyle(el).direction);
    expect(dir).toBe('rtl');
    // The customer's own bubble sits on the left in RTL (the "end" side).
    const box = (await page.locator('parley-chat li.msg.mine .bubble').boundingBox())!;
    const panel = (await page.locator('parley-chat .panel').boundingBox())!;
    expect(box.x - panel.x).toBeLessThan(panel.x + panel.width - (box.x + box.width));
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-rtl-ar') });
    await context.close();
  });

  it.each(['tr', 'fi', 'zh', 'ko'])('renders in %s from the override', async (locale) => {
    const { context, page } = await openPage({ locale });
    const lang = await page.locator('parley-chat > *').first().evaluate(() => document.querySelector('parley-chat')!.shadowRoot!.querySelector('[lang]')!.getAttribute('lang'));
    expect(lang).toBe(locale);
    const label = await page.locator('parley-chat .launcher').getAttribute('aria-label');
    expect(label).not.toBe('Open chat');
    await context.close();
  });

  it('goes full-screen under 640 px with the composer inside the visual viewport', async () => {
    const { context, page } = await openPage({ viewport: { width: 390, height: 740 } });
    await page.locator('parley-chat .launcher').click();
    const panel = (await page.locator('parley-chat .panel').boundingBox())!;
    expect(panel).toMatchObject({ x: 0, y: 0, width: 390, height: 740 });
    const composer = (await page.locator('parley-chat form.composer').boundingBox())!;
    expect(composer.y + composer.height).toBeLessThanOrEqual(740);
    // No launcher on top of the full-screen panel; close is in the header.
    expect(await page.locator('parley-chat .launcher').count()).toBe(0);
    await sendAndReply(page, 'On my phone', 'Got it');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-mobile') });
    // The on-screen keyboard shrinks the visual viewport: the panel follows, the composer stays above it.
    await page.setViewportSize({ width: 390, height: 420 });
    await expect.poll(async () => (await page.locator('parley-chat .panel').boundingBox())!.height).toBe(420);
    const lifted = (await page.locator('parley-chat form.composer').boundingBox())!;
    expect(lifted.y + lifted.height).toBeLessThanOrEqual(420);
    await page.screenshot({ path: screenshotPath('widget-mobile-keyboard') });
    await page.getByRole('dialog').getByRole('button', { name: 'Close chat' }).click();
    await page.locator('parley-chat .launcher').waitFor();
    await context.close();
  });

  it('traps focus while open and Escape closes, returning focus to the launcher', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    const inPanel = () => page.evaluate(() => !!document.querySelector('parley-chat')!.shadowRoot!.activeElement?.closest('.panel'));
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      expect(await inPanel()).toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    expect(await inPanel()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('parley-chat .panel').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelector('parley-chat')!.shadowRoot!.activeElement?.className)).toBe('launcher');
    await context.close();
  });

  it('keeps host page styles out and applies the workspace colours and launcher text', async () => {
    const { context, page } = await openPage();
    await page.evaluate(() => (window as unknown as { parleyTest: { settings(p: object): void } }).parleyTest.settings({ colors: { primary: '#0b6e4f', background: '#ffffff', text: '#1b1f24' }, launcherText: 'Ask us' }));
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close chat' }).click();
    const launcher = page.locator('parley-chat .launcher');
    await expect.poll(() => launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 110, 79)');
    expect(await launcher.textContent()).toContain('Ask us');
    // The host sets hotpink buttons, lime borders and a serif font; none of it reaches inside.
    expect(await launcher.evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('0px');
    expect(await launcher.evaluate((el) => getComputedStyle(el).fontFamily)).not.toContain('Georgia');
    // And nothing of the widget's styles reaches the host page.
    expect(await page.locator('main h1').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(136, 0, 0)');
    await context.close();
  });

  it('shows the offline banner when the browser goes offline', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await context.setOffline(true);
    await page.getByText('You are offline').waitFor();
    await page.screenshot({ path: screenshotPath('widget-offline') });
    await context.setOffline(false);
    await expect.poll(() => page.getByText('You are offline').count()).toBe(0);
    await context.close();
  });

  it('follows workspace settings: pre-chat fields, quick actions, announcements, proactive invitation', async () => {
    const { context, page } = await openPage();
    type TestApi = { settings(p: object): void; announce(t: string, l: string): void; port: { docs: Map<string, { getMap(n: string): { get(k: string): unknown } }> } };
    await page.evaluate(() => {
      const t = (window as unknown as { parleyTest: TestApi }).parleyTest;
      t.settings({
        preChatFields: [
          { name: 'name', label: 'Name', type: 'text', required: true },
          { name: 'email', label: 'Email', type: 'email', required: false },
        ],
        quickActions: ['Track my order', 'Talk to sales'],
        maxAttachmentBytes: 2 * 1024 * 1024,
        proactiveTriggers: [{ id: 'welcome', afterSeconds: 0, urlPattern: '/test/widget/*', message: 'Need help choosing a size?' }],
      });
      t.announce('Card payments are delayed today', 'outage');
    });
    // The invitation appears by the launcher without opening the panel.
    await page.locator('parley-chat .invite', { hasText: 'Need help choosing a size?' }).waitFor();
    await page.screenshot({ path: screenshotPath('widget-invitation') });
    await page.locator('parley-chat .launcher').click();
    await page.locator('parley-chat .banner', { hasText: 'Card payments are delayed today' }).waitFor();
    await page.getByRole('textbox', { name: 'Name (required)' }).fill('Zoë');
    await page.getByRole('textbox', { name: 'Email' }).fill('zoe@example.com');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-prechat') });
    await page.getByRole('button', { name: 'Start conversation' }).click();
    // The admin's attachment limit, through core's typed settings, is what the composer promises.
    await page.locator('parley-chat .hint', { hasText: 'Up to 2 MB per file' }).waitFor();
    await page.getByRole('group', { name: 'Quick actions' }).getByRole('button', { name: 'Track my order' }).click();
    await page.locator('parley-chat li.msg.mine', { hasText: 'Track my order' }).waitFor();
    const meta = await page.evaluate(() => {
      const t = (window as unknown as { parleyTest: TestApi }).parleyTest;
      const doc = [...t.port.docs.entries()].find(([n]) => n.includes('/conv/'))![1];
      const profile = [...t.port.docs.entries()].find(([n]) => n.endsWith('/profile'))![1];
      return { customer: doc.getMap('meta').get('customer'), fields: doc.getMap('meta').get('fields'), profileName: profile.getMap('profile').get('name') };
    });
    expect(meta).toMatchObject({ customer: { name: 'Zoë', email: 'zoe@example.com' }, fields: { name: 'Zoë', email: 'zoe@example.com', language: 'en' }, profileName: 'Zoë' });
    await page.getByRole('dialog').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.locator('parley-chat .banner').count()).toBe(0);
    await context.close();
  });

  it.each(['paste', 'drop'] as const)('attaches a screenshot by %s and shows it inline with its name', async (how) => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await page.evaluate(async (how) => {
      const root = document.querySelector('parley-chat')!.shadowRoot!;
      const canvas = Object.assign(document.createElement('canvas'), { width: 40, height: 20 });
      canvas.getContext('2d')!.fillRect(0, 0, 40, 20);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
      if (how === 'paste') root.querySelector('textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      else root.querySelector('.panel')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, how);
    const img = page.locator('parley-chat li.msg.mine img[alt="Image: screenshot.png"]');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(40);
    await context.close();
  });

  it('lists conversations newest first and opens the one picked', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await sendAndReply(page, 'About my old order', 'Checking');
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await sendAndReply(page, 'A new question', 'Sure');
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    const rows = page.locator('parley-chat .list button .preview');
    await expect.poll(() => rows.allTextContents()).toEqual(['Sure', 'Checking']);
    await page.locator('parley-chat .list button', { hasText: 'Checking' }).click();
    await page.locator('parley-chat li.msg.mine', { hasText: 'About my old order' }).waitFor();
    expect(await page.locator('parley-chat li.msg', { hasText: 'A new question' }).count()).toBe(0);
    await context.close();
  });

  it('a new conversation stays new when an older one changes while the customer writes it', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await sendAndReply(page, 'About my old order', 'Checking');
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    // Any change to the older conversation (an ack, a receipt, a reply) republishes the list; it
    // must not pull the customer out of the empty conversation they asked for.
    await page.evaluate(() => {
      const w = window as unknown as { parleyTest: { port: { docs: Map<string, unknown> }; agentReply(c: string, id: string, t: string): void } };
      const name = [...w.parleyTest.port.docs.keys()].find((n) => n.includes('/conv/'))!;
      w.parleyTest.agentReply('cust-1', name.split('/').pop()!, 'One more thing');
    });
    expect(await page.locator('parley-chat li.msg').count()).toBe(0);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('A new question');
    await composer.press('Enter');
    await page.locator('parley-chat li.msg.mine', { hasText: 'A new question' }).waitFor();
    expect(await page.locator('parley-chat li.msg', { hasText: 'About my old order' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    const rows = page.locator('parley-chat .list button .preview');
    await expect.poll(() => rows.allTextContents()).toEqual(['You: A new question', 'One more thing']);
    await context.close();
  });

  it('switches language from the panel and remembers it across a reload', async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fi');
    await page.getByRole('textbox', { name: 'Viesti' }).waitFor();
    await page.reload();
    await page.locator('parley-chat .launcher').waitFor();
    expect(await page.locator('parley-chat .launcher').getAttribute('aria-label')).toBe('Avaa chat');
    await context.close();
  });
});

describe('agent avatars', () => {
  it("shows the agent's avatar beside their reply, and the initial when the picture cannot load", async () => {
    const { context, page } = await openPage();
    await page.locator('parley-chat .launcher').click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Who is there?');
    await composer.press('Enter');
    await page.locator('parley-chat li.msg.mine').waitFor();
    await page.evaluate((origin) => {
      type Api = { port: { docs: Map<string, unknown> }; agentReply(c: string, id: string, t: string, as?: object): void };
      const t = (window as unknown as { parleyTest: Api }).parleyTest;
      const id = [...t.port.docs.keys()].find((n) => n.includes('/conv/'))!.split('/').pop()!;
      t.agentReply('cust-1', id, 'Aino here', { avatar: `${origin}/test/widget/pages/avatar.svg` });
      t.agentReply('cust-1', id, 'Bruno too', { id: 'agent-2', name: 'Bruno', avatar: `${origin}/test/widget/pages/missing-avatar.png` });
    }, server.url);
    const aino = page.locator('parley-chat li.msg.theirs', { hasText: 'Aino here' }).locator('.avatar img');
    await expect.poll(() => aino.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(64);
    expect(await aino.isVisible()).toBe(true);
    const bruno = page.locator('parley-chat li.msg.theirs', { hasText: 'Bruno too' }).locator('.avatar');
    await expect.poll(() => bruno.locator('img').isVisible()).toBe(false);
    expect((await bruno.textContent())?.trim()).toBe('B');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-avatars') });
    await context.close();
  });
});

async function sendAndReply(page: Page, text: string, reply: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await page.locator('parley-chat li.msg.mine', { hasText: text }).waitFor();
  await page.evaluate((reply) => {
    const w = window as unknown as { parleyTest: { port: { docs: Map<string, unknown> }; agentReply(c: string, id: string, t: string): void } };
    const name = [...w.parleyTest.port.docs.keys()].reverse().find((n) => n.includes('/conv/'))!;
    w.parleyTest.agentReply('cust-1', name.split('/').pop()!, reply);
  }, reply);
  await page.locator('parley-chat li.msg.theirs', { hasText: reply }).waitFor();
}

async function resolveConversation(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { parleyTest: { port: { docs: Map<string, unknown> }; resolve(c: string, id: string): void } };
    const name = [...w.parleyTest.port.docs.keys()].reverse().find((n) => n.includes('/conv/'))!;
    w.parleyTest.resolve('cust-1', name.split('/').pop()!);
  });
}