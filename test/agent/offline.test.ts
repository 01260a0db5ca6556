/**
 * The agent goes offline (Chromium's network emulation): the app says so, keeps reading what this
 * device holds, keeps drafts, queues replies as pending, and sends them on reconnect.
 */
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser.js';
import { customerStartsConversation, signIn, whenConversation, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

describe('agent offline', () => {
  it('reads and drafts offline, and the queued reply goes out on reconnect', async () => {
    const ana = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-ana', conversationId: 'v1', name: 'Ana Lima', email: 'ana@example.com', text: 'Is the blue one in stock?' });
    const bo = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-bo', conversationId: 'v2', name: 'Bo Chen', email: 'bo@example.com', text: '我的订单在哪里？' });
    customers.push(ana, bo);

    const context = await suite.browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    await signIn(page, suite.relay.url, suite.admin);
    // Bo's conversation has synced in the background (its preview is in the inbox) but is not open
    // yet. Waited for before the click, so the inbox is settled when Ana's row is clicked: under
    // CI's load this test once clicked it and never saw her transcript (cause not established; the
    // suite now keeps a screenshot of a failed test's pages).
    await page.locator('pa-inbox button.row', { hasText: '我的订单在哪里' }).waitFor();
    await page.locator('pa-inbox button.row', { hasText: 'Ana Lima' }).click();
    await page.locator('pa-transcript li', { hasText: 'blue one' }).waitFor();

    await context.setOffline(true);
    await page.locator('[data-connection=offline]').waitFor({ timeout: 20_000 });
    await page.locator('[data-offline]').waitFor();

    // Reading: Bo's conversation opens from this device's copy.
    await page.locator('pa-inbox button.row', { hasText: 'Bo Chen' }).click();
    await page.locator('pa-conversation-pane:not([hidden]) pa-transcript li', { hasText: '我的订单在哪里' }).waitFor();

    // Drafting: a half-written reply to Ana survives switching tabs.
    await page.locator('.tab[data-doc*="c-ana"] button').first().click();
    const composer = page.locator('pa-conversation-pane:not([hidden]) pa-composer textarea');
    await composer.fill('Checking the warehouse');
    await page.locator('.tab[data-doc*="c-bo"] button').first().click();
    await page.locator('.tab[data-doc*="c-ana"] button').first().click();
    await expect.poll(() => composer.inputValue()).toBe('Checking the warehouse');

    // Replying offline: the message shows at once as pending.
    await composer.fill('Yes, 3 left in blue 💙');
    await composer.press('Enter');
    const mine = page.locator('pa-conversation-pane:not([hidden]) pa-transcript li.agent', { hasText: '3 left in blue' });
    await mine.waitFor();
    expect(await mine.getAttribute('data-delivery')).toBe('pending');
    await page.screenshot({ path: screenshotPath('agent-offline') });
    expect(ana.conversation.messages().some((m) => m.text.includes('3 left in blue'))).toBe(false);

    await context.setOffline(false);
    await whenConversation(ana.conversation, () => ana.conversation.messages().some((m) => m.author.role === 'agent' && m.text === 'Yes, 3 left in blue 💙'), 30_000, 'the queued reply at the customer');
    await page.locator('[data-connection=online]').waitFor({ timeout: 20_000 });
    await expect.poll(() => mine.getAttribute('data-delivery'), { timeout: 15_000 }).not.toBe('pending');
    await context.close();
  }, 120_000);
});
