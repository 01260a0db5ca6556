/**
 * Notifications lead to the right conversation: the built widget on the demo page of a real relay
 * process, in real Chromium, with Parley's real service worker. A customer with two conversations
 * clicks a notification about the older one and lands in it, whether the site is open (the worker
 * posts to the tab) or not (the notification's URL, `#parley-conversation=<id>`). And the menu's
 * "Turn off notifications" ends Web Push for this browser.
 *
 * Not covered: a real push subscription (Chromium's push service, FCM, is unreachable here; see
 * test/push/service-worker.test.ts), so turning off is checked by what the customer sees and what
 * the widget remembers, not by the relay's DELETE (tested in sync-server's push routes).
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { screenshotPath } from '../helpers/browser.js';
import { customerIdOf, useWidgetSuite, openDemoPage } from './relay-fixtures.js';

const suite = useWidgetSuite({ agent: true });

const customer = (): ReturnType<typeof openDemoPage> => openDemoPage(suite.browser, suite.relay);

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await page.locator('parley-chat li.msg.mine', { hasText: text }).waitFor();
}

/** Two conversations written in the widget; returns their ids as its conversation list names them. */
async function twoConversations(page: Page): Promise<{ older: string; newer: string }> {
  await page.locator('parley-chat .launcher').click();
  await send(page, 'About my old order');
  await page.getByRole('button', { name: 'Back to conversations' }).click();
  await page.getByRole('button', { name: 'New conversation' }).click();
  await send(page, 'A new question');
  await page.getByRole('button', { name: 'Back to conversations' }).click();
  const idOf = (text: string) => page.locator('parley-chat .list button', { hasText: text }).getAttribute('data-conversation');
  const [older, newer] = await Promise.all([idOf('About my old order'), idOf('A new question')]);
  await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('parley-chat[open]').count()).toBe(0);
  return { older: older!, newer: newer! };
}

async function registerWorker(context: BrowserContext, page: Page): Promise<Worker> {
  const started = context.serviceWorkers()[0] ? Promise.resolve(context.serviceWorkers()[0]!) : context.waitForEvent('serviceworker');
  await page.evaluate(async () => {
    await navigator.serviceWorker.register('/parley-sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
  });
  return started;
}

const shownConversation = (page: Page) => page.locator('parley-chat li.msg.mine').allTextContents();

describe('notifications open their conversation', () => {
  it('a click on a notification about the older conversation opens that one in the open tab', async () => {
    const { context, page } = await customer();
    const { older } = await twoConversations(page);
    const worker = await registerWorker(context, page);
    // Only pages the worker controls receive its messages.
    await page.reload();
    await page.locator('parley-chat .launcher').waitFor();
    await worker.evaluate(async ({ id, url }) => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean };
      const tag = `parley:${id}`;
      await scope.registration.showNotification('Aino', { tag, data: { conversationId: id, agentName: 'Aino', preview: 'Found it', url, tag } });
      const [notification] = await scope.registration.getNotifications({ tag });
      const Click = (globalThis as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      scope.dispatchEvent(new Click('notificationclick', { notification: notification! }));
    }, { id: older, url: `${suite.relay.url}/#parley-conversation=${older}` });
    await page.locator('parley-chat[open]').waitFor();
    await expect.poll(() => shownConversation(page), { timeout: 15_000 }).toEqual([expect.stringContaining('About my old order')]);
    await page.screenshot({ path: screenshotPath('widget-notification-opens-conversation') });
    await context.close();
  });

  it("the notification's URL opens that conversation in a new tab; Parley.init().openConversation does too; an unknown id only opens the list", async () => {
    const { context, page } = await customer();
    const { older, newer } = await twoConversations(page);
    const tab = await context.newPage();
    await tab.goto(`${suite.relay.url}/?utm=push#parley-conversation=${older}`);
    await expect.poll(() => shownConversation(tab), { timeout: 15_000 }).toEqual([expect.stringContaining('About my old order')]);
    expect(new URL(tab.url()).hash).toBe('');

    await tab.keyboard.press('Escape');
    await tab.evaluate((id) => {
      type Api = { init(o: { workspace: string }): { openConversation(id: string): void } };
      (window as unknown as { Parley: Api }).Parley.init({ workspace: 'demo' }).openConversation(id);
    }, newer);
    await expect.poll(() => shownConversation(tab)).toEqual([expect.stringContaining('A new question')]);

    await tab.goto(`${suite.relay.url}/#parley-conversation=not-one-of-mine`);
    await tab.locator('parley-chat[open]').waitFor();
    // Both of the customer's conversations are listed (so the inbox has loaded) and neither was opened.
    await expect.poll(() => tab.locator('parley-chat .list button').count(), { timeout: 15_000 }).toBe(2);
    expect(await tab.locator('parley-chat li.msg').count()).toBe(0);
    await context.close();
  }, 60_000);
});

describe("the menu's Turn off notifications", () => {
  it('shows only while push is on here, turns it off, and the offer stays away after the next reply', async () => {
    const { context, page } = await customer();
    const { newer } = await twoConversations(page);
    // What a successful "Notify me" leaves behind (a real subscription needs FCM, unreachable here).
    await page.evaluate(() => localStorage.setItem('parley:push:demo', 'enabled'));
    // The panel reopens on the list (two conversations), where the menu items are.
    await page.locator('parley-chat .launcher').click();
    const turnOff = page.getByRole('button', { name: 'Turn off notifications' });
    await turnOff.click();
    await page.getByRole('status').filter({ hasText: 'Notifications are off on this device.' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('parley:push:demo'))).toBe('declined');
    await page.screenshot({ path: screenshotPath('widget-notifications-off') });

    // An agent reply with the panel closed is when the offer would show: it must not.
    await page.keyboard.press('Escape');
    const conv = await suite.agent.conversation(await customerIdOf(page), newer);
    conv.send({ text: 'Here is the answer' });
    await page.locator('parley-chat .launcher .badge').waitFor({ timeout: 15_000 });
    expect(await page.locator('parley-push-offer').count()).toBe(0);
    await page.reload();
    await page.locator('parley-chat .launcher').click();
    await page.getByRole('button', { name: 'Back to conversations' }).or(page.getByRole('button', { name: 'New conversation' })).first().waitFor();
    expect(await turnOff.count()).toBe(0);
    await context.close();
  });
});
