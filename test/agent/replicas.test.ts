/**
 * The agent's replicas live in IndexedDB: reopening the app shows the inbox and transcripts with
 * the relay unreachable, and "sign out and clear this device's data" really deletes them.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { customerStartsConversation, signIn, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

const agentDatabases = (page: Page): Promise<string[]> =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('parley-agent:')));

describe('agent replicas', () => {
  it('reopens from IndexedDB with the relay unreachable, and sign-out can delete every replica', async () => {
    customers.push(await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-kim', conversationId: 'v1', name: 'Kim Park', email: 'kim@example.com', text: '주문을 취소할 수 있나요?' }));
    const context = await suite.browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await signIn(page, suite.relay.url, suite.admin);
    await page.locator('pa-inbox button.row', { hasText: 'Kim Park' }).click();
    await page.locator('pa-transcript li', { hasText: '주문을' }).waitFor();
    await expect.poll(async () => (await agentDatabases(page)).some((n) => n.endsWith('ws/demo/customers/c-kim/conv/v1'))).toBe(true);

    // The app's files still load, but its socket is refused: everything shown comes from the replicas.
    await page.routeWebSocket(/\/mux/, (ws) => ws.close({ code: 1011, reason: 'relay unreachable (test)' }));
    const reopened = Date.now();
    await page.reload();
    await page.locator('pa-inbox button.row', { hasText: 'Kim Park' }).waitFor();
    const reopenMs = Date.now() - reopened;
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).not.toBe('online');
    await page.locator('pa-inbox button.row', { hasText: 'Kim Park' }).click();
    await page.locator('pa-transcript li', { hasText: '주문을' }).waitFor();
    console.log(`agent app reopened from IndexedDB without the relay in ${reopenMs} ms`);
    await page.unrouteAll();

    await page.locator('input[data-action=clear-data]').check();
    await page.locator('button[data-action=sign-out]').click();
    await page.locator('pa-sign-in').waitFor();
    await expect.poll(() => agentDatabases(page), { timeout: 10_000 }).toEqual([]);
    await context.close();
  }, 90_000);
});
