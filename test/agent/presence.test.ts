/**
 * Presence between agents (awareness on the workspace directory, never stored) and desktop
 * notifications for new conversations.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { customerStartsConversation, signIn, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

/** A second agent, signed in by a token the relay signed (as `parley token` would), not by the form. */
async function agentPage(id: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const token = await suite.relay.token('agent', suite.admin.ws, id, { name });
  const session = { relayUrl: suite.relay.url, token, ws: suite.admin.ws, role: 'agent', agentId: id, name, email: `${id}@demo.local`, expiresAt: Date.now() + 3_600_000 };
  const context = await suite.browser.newContext();
  context.setDefaultTimeout(15_000);
  await context.addInitScript((s) => sessionStorage.setItem('parley.agent.session', s), JSON.stringify(session));
  const page = await context.newPage();
  await page.goto(`${suite.relay.url}/agent/`);
  await page.locator('pa-workspace').waitFor();
  return { context, page };
}

describe('agent presence and notifications', () => {
  it('shows other agents as online or away, and notifies a new conversation', async () => {
    const adminContext = await suite.browser.newContext();
    adminContext.setDefaultTimeout(15_000);
    // Record notifications instead of showing them: headless Chromium has no notification centre.
    await adminContext.addInitScript(() => {
      const shown: string[] = [];
      (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
      class RecordingNotification {
        static permission = 'granted';
        static requestPermission = async (): Promise<string> => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string) {
          shown.push(title);
        }
        close(): void {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordingNotification });
    });
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, suite.relay.url, suite.admin);
    await adminPage.locator('select[aria-label="Desktop notifications"]').selectOption('all');

    const bo = await agentPage('bo', 'Bo Agent');
    const transferOptions = (page: Page): Promise<string[]> =>
      page.locator('pa-workspace').evaluate((el) => {
        const ws = el as unknown as { otherAgents: { name: string; presence: string }[] };
        return ws.otherAgents.map((a) => `${a.name}:${a.presence}`);
      });
    await expect.poll(() => transferOptions(adminPage), { timeout: 15_000 }).toEqual(['Bo Agent:online']);
    await expect.poll(() => transferOptions(bo.page), { timeout: 15_000 }).toEqual(['Admin:online']);

    await bo.page.locator('select[aria-label="My presence"]').selectOption('away');
    await expect.poll(() => transferOptions(adminPage), { timeout: 15_000 }).toEqual(['Bo Agent:away']);

    await bo.context.close();
    // Awareness times out a vanished peer; closing the socket removes it sooner.
    await expect.poll(() => transferOptions(adminPage), { timeout: 40_000 }).toEqual([]);

    customers.push(await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-new', conversationId: 'v1', name: 'Nia Okafor', email: 'nia@example.com', text: 'Hi there' }));
    await expect
      .poll(() => adminPage.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications), { timeout: 20_000 })
      .toContain('New conversation: Nia Okafor');
    await adminContext.close();
  }, 120_000);
});
