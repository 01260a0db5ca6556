/**
 * Web Push in the browser: the demo page served by a real `parley serve` process (push on by
 * default) in real Chromium. What cannot run here: a real push delivery to Chromium needs Google's
 * push service (FCM), which a sandboxed CI machine cannot reach, so `pushManager.subscribe` fails
 * and no relay-sent push reaches the browser. Instead the service worker's own handlers are driven
 * with the browser's own PushEvent / NotificationEvent constructors, and the relay → push service
 * leg is proven with real encryption in notifier.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { screenshotPath } from '../helpers/browser.js';
import { useWidgetSuite, openDemoPage } from '../widget/relay-fixtures.js';

const suite = useWidgetSuite();

const demoPage = (): ReturnType<typeof openDemoPage> => openDemoPage(suite.browser, suite.relay);

/** Registers /parley-sw.js as the widget does and returns the running worker. */
async function registerWorker(context: BrowserContext, page: Page): Promise<Worker> {
  const started = context.serviceWorkers()[0] ? Promise.resolve(context.serviceWorkers()[0]!) : context.waitForEvent('serviceworker');
  const scope = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.register('/parley-sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    return reg.scope;
  });
  expect(scope).toBe(`${suite.relay.url}/`);
  return started;
}

describe('Web Push in Chromium', () => {
  it('the relay serves the service worker and its VAPID key; the demo page has PushManager and registers the worker', async () => {
    const sw = await fetch(`${suite.relay.url}/parley-sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    // A classic worker script: host sites can importScripts() it.
    expect(await sw.text()).not.toMatch(/^\s*(import|export)\b/m);
    const key = (await (await fetch(`${suite.relay.url}/v1/push/key`)).json()) as { publicKey: string };
    expect(Buffer.from(key.publicKey, 'base64url')).toHaveLength(65);

    const { context, page } = await demoPage();
    expect(await page.evaluate(() => 'PushManager' in window && 'serviceWorker' in navigator)).toBe(true);
    const worker = await registerWorker(context, page);
    expect(worker.url()).toBe(`${suite.relay.url}/parley-sw.js`);
    await context.close();
  });

  it('a push shows the agent name and preview; a click on it opens the chat panel on the open page', async () => {
    const { context, page } = await demoPage();
    const worker = await registerWorker(context, page);
    // Controlled pages receive the worker's postMessage.
    await page.reload();
    await page.locator('parley-chat .launcher').waitFor();
    expect(await page.locator('parley-chat').getAttribute('open')).toBeNull();

    const shown = await worker.evaluate(async (url) => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean; addEventListener(type: string, l: () => void): void };
      const payload = { conversationId: 'k1', agentName: 'Ann', preview: 'They run small: take one size up.', url, tag: 'parley:k1' };
      const Push = (globalThis as unknown as { PushEvent: new (type: string, init: { data: string }) => Event }).PushEvent;
      let handled = 0;
      scope.addEventListener('push', () => handled++);
      // A synthetic push now and then shows nothing in headless Chromium under load (CI saw it twice
      // in two sessions, permission granted): up to three pushes, as a push service retries an
      // undelivered message. A handler that never shows a notification still fails, and the
      // message says whether the handler ran.
      for (let attempt = 0; attempt < 3; attempt++) {
        scope.dispatchEvent(new Push('push', { data: JSON.stringify(payload) }));
        // getNotifications has no event to await: poll.
        for (let i = 0; i < 100; i++) {
          const list = await scope.registration.getNotifications({ tag: 'parley:k1' });
          if (list.length) return list.map((n) => ({ title: n.title, body: n.body, data: n.data as unknown }));
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      return [{ missing: `no notification after 3 pushes, 5 s each; handler ran ${handled} times; permission in the worker: ${Notification.permission}` }];
    }, `${suite.relay.url}/#parley-conversation=k1`);
    expect(shown).toEqual([{ title: 'Ann', body: 'They run small: take one size up.', data: expect.objectContaining({ conversationId: 'k1' }) }]);

    await worker.evaluate(async () => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean };
      const [notification] = await scope.registration.getNotifications({ tag: 'parley:k1' });
      const Click = (globalThis as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      scope.dispatchEvent(new Click('notificationclick', { notification: notification! }));
    });
    await page.locator('parley-chat[open]').waitFor();
    await page.screenshot({ path: screenshotPath('push-notification-click-opens-panel') });
    await context.close();
  });

  it('opening the notification URL in a new tab opens the panel and drops the fragment from the address', async () => {
    const context = await suite.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${suite.relay.url}/#parley-conversation=k1`);
    await page.locator('parley-chat[open]').waitFor();
    expect(new URL(page.url()).hash).toBe('');
    await context.close();
  });

  it('offers "notify me" where PushManager exists; with no reachable push service the customer is told it failed', async () => {
    const { context, page } = await demoPage();
    // A session exists once the panel connected; the offer needs its token.
    await page.locator('parley-chat .launcher').click();
    await page.waitForFunction(() => localStorage.getItem('parley:session:demo') !== null);
    await page.keyboard.press('Escape');
    await page.evaluate(() => (document.querySelector('parley-chat') as unknown as { enablePush(): void }).enablePush());
    const accept = page.locator('parley-push-offer').getByRole('button', { name: 'Notify me' });
    await accept.waitFor();
    await page.screenshot({ path: screenshotPath('push-offer') });
    await accept.click();
    // Real Chromium asks its push service (FCM) for a subscription; in CI that is unreachable.
    await page.locator('parley-push-offer').getByText(/could not be turned on|will be notified/).waitFor({ timeout: 30_000 });
    await context.close();
  });
});
