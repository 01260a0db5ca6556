/**
 * The agent app end to end: real relay process, real Chromium, customers as core clients in Node.
 * One relay and one browser for the file; each test uses its own conversations.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { internalDoc, createClient, type WebSocketConstructor } from '@parley/core';
import WebSocket from 'ws';
import { screenshotPath } from '../helpers/browser.js';
import { axeViolations, customerStartsConversation, signIn, whenConversation, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

async function newAgentPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await suite.browser.newContext({ viewport: { width: 1400, height: 860 } });
  // Fail at the step that broke, well before the test's own timeout.
  context.setDefaultTimeout(12_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

describe('agent app', () => {
  it('assigns, labels, prioritises, snoozes and reopens, each a visible event; searches; opens previous conversations', async () => {
    const first = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-lee', conversationId: 'old', name: 'Lee Kim', email: 'lee@example.com', text: 'My parcel arrived damaged' });
    const second = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-lee', conversationId: 'new', name: 'Lee Kim', email: 'lee@example.com', text: 'Following up on the damaged parcel' });
    customers.push(first, second);
    const { context, page } = await newAgentPage();
    await signIn(page, suite.relay.url, suite.admin);

    // Search covers message text this device holds.
    await page.locator('pa-inbox input[type=search]').fill('following up');
    await expect.poll(() => page.locator('pa-inbox button.row').count()).toBe(1);
    await page.locator('pa-inbox button.row', { hasText: 'Lee Kim' }).click();
    await page.locator('pa-inbox input[type=search]').fill('');
    const transcript = page.locator('pa-conversation-pane:not([hidden]) pa-transcript');
    await transcript.locator('li', { hasText: 'Following up' }).waitFor();

    // Agent typing reaches the customer.
    await page.locator('pa-conversation-pane:not([hidden]) pa-composer textarea').pressSequentially('Let me check');
    await whenConversation(second.conversation, () => second.conversation.typing().some((t) => t.role === 'agent'), 10_000, 'agent typing at the customer');

    const header = page.locator('pa-conversation-pane:not([hidden]) pa-conversation header');
    await header.locator('button[data-action=assign-me]').click();
    await transcript.locator('li.event', { hasText: 'assigned to' }).waitFor();
    await whenConversation(second.conversation, () => second.conversation.snapshot().state.assignee !== null, 10_000, 'assignee at the customer');
    await expect.poll(() => page.locator('pa-inbox button[data-view=mine] .count').textContent()).toBe('1');

    // Labels: an inline field (comma or Enter adds), chips with labelled remove buttons; each
    // change is one event line in the transcript, written through core.
    const addLabel = header.locator('pa-label-editor input[name=add-label]');
    await addLabel.fill('vip, damaged');
    await addLabel.press('Enter');
    await transcript.locator('li.event', { hasText: 'added “vip”, “damaged” labels' }).waitFor();
    await addLabel.fill('wrong');
    await addLabel.press('Enter');
    await header.locator('pa-label-editor button[aria-label="Remove label wrong"]').click();
    await transcript.locator('li.event', { hasText: 'removed “wrong” label' }).waitFor();
    // What is left on screen is what the document holds.
    await expect.poll(() => header.locator('pa-label-editor .chip').count()).toBe(2);
    expect(await axeViolations(page, ['parley-agent-app', 'pa-workspace', 'pa-conversation-pane:not([hidden])', 'pa-conversation', 'pa-label-editor'])).toEqual([]);
    await header.locator('select[data-action=priority]').selectOption('urgent');
    await transcript.locator('li.event', { hasText: 'changed priority from normal to urgent' }).waitFor();
    await whenConversation(second.conversation, () => second.conversation.snapshot().state.priority === 'urgent' && second.conversation.snapshot().state.labels.join() === 'damaged,vip', 10_000, 'labels and priority');
    // The events are in the customer's document, written by the agent ([P6] accepted them).
    const events = second.conversation.messages().filter((m) => m.event?.type === 'labels' || m.event?.type === 'priority');
    expect(events.map((m) => m.event?.type)).toEqual(['labels', 'labels', 'labels', 'priority']);
    expect(new Set(events.map((m) => m.author.role))).toEqual(new Set(['agent']));

    await header.locator('select[data-action=snooze]').selectOption('1h');
    await transcript.locator('li.event', { hasText: 'snoozed until' }).waitFor();
    await expect.poll(() => page.locator('pa-inbox [data-count=snoozed]').textContent()).toBe('1');
    // Keyboard: o brings it back from snooze, e resolves, o reopens.
    await page.locator('pa-conversation-pane:not([hidden]) pa-transcript').click();
    await page.keyboard.press('o');
    await transcript.locator('li.event', { hasText: 'back from snooze' }).waitFor();
    await page.keyboard.press('e');
    await transcript.locator('li.event', { hasText: 'resolved the conversation' }).waitFor();
    await page.keyboard.press('o');
    await transcript.locator('li.event', { hasText: 'reopened the conversation' }).waitFor();
    await whenConversation(second.conversation, () => second.conversation.status() === 'reopened', 10_000, 'reopened at the customer');

    // The customer panel lists the earlier conversation, which opens in a new tab.
    await page.locator('pa-conversation-pane:not([hidden]) pa-customer-panel button[data-doc$="/conv/old"]').click();
    await page.locator('pa-conversation-pane:not([hidden]) pa-transcript li', { hasText: 'arrived damaged' }).waitFor();
    expect(await page.locator('.tab').count()).toBe(2);
    await context.close();
  }, 90_000);

  it('signs in, answers with a canned reply, keeps notes private, resolves, and shows CSAT in reports', async () => {
    const customer = await customerStartsConversation(suite.relay, suite.admin.ws, {
      customerId: 'c-zoe', conversationId: 'v-refund', name: 'Zoë Öztürk', email: 'zoe@example.com', text: 'Hello 👋 I would like a refund for order 42', fields: { timeZone: 'Europe/Istanbul' },
    });
    customers.push(customer);

    const { context, page } = await newAgentPage();
    await page.goto(`${suite.relay.url}/agent/`);
    await page.locator('pa-sign-in input[name=email]').waitFor();
    await page.screenshot({ path: screenshotPath('agent-sign-in') });
    await signIn(page, suite.relay.url, suite.admin);

    // Canned replies come from the workspace settings, which this admin writes in the Settings screen.
    await page.locator('button[data-screen=settings]').click();
    await page.locator('pa-settings button[data-add=cannedReplies]').click();
    await page.locator('pa-settings input[name=canned-shortcut]').fill('refund');
    await page.locator('pa-settings textarea[name=canned-text]').fill('Hi {{customer.name}}, your refund is on its way 💸');
    await page.locator('pa-settings button[data-action=save-settings]').click();
    await page.locator('pa-settings [role=status]', { hasText: 'Saved' }).waitFor();
    await page.screenshot({ path: screenshotPath('agent-settings') });
    await page.locator('button[data-screen=inbox]').click();

    const row = page.locator('pa-inbox button.row', { hasText: 'Zoë Öztürk' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('waiting');
    await expect.poll(() => row.getAttribute('class')).toContain('unread');
    await page.screenshot({ path: screenshotPath('agent-inbox') });
    await row.click();

    const transcript = page.locator('pa-transcript');
    await transcript.locator('li', { hasText: 'I would like a refund' }).waitFor();
    await expect.poll(() => page.locator('pa-customer-panel [data-field=email]').textContent()).toBe('zoe@example.com');
    expect(await page.locator('pa-customer-panel [data-field=page]').textContent()).toContain('https://shop.example/pricing');
    expect(await page.locator('pa-customer-panel [data-field=time]').textContent()).toContain('Europe/Istanbul');

    // `/ref` opens the picker; Enter takes the reply with the variable filled, Enter again sends it.
    const composer = page.locator('pa-composer textarea');
    await composer.fill('/ref');
    await page.locator('pa-composer [role=option][data-shortcut=refund]').waitFor();
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe('Hi Zoë, your refund is on its way 💸');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('Anything else?');
    await composer.press('Enter');
    const expected = 'Hi Zoë, your refund is on its way 💸\nAnything else?';
    await whenConversation(customer.conversation, () => customer.conversation.messages().some((m) => m.author.role === 'agent' && m.text === expected), 15_000, 'the reply at the customer');
    // The reply reaches "sent" once the relay acknowledged it ([P7]).
    await expect.poll(() => transcript.locator('li.agent').last().getAttribute('data-delivery'), { timeout: 10_000 }).toMatch(/sent|delivered|read/);

    // Typing: the customer's indicator shows in the agent's transcript.
    customer.conversation.setTyping(true);
    await page.locator('pa-transcript .typing').waitFor();
    customer.conversation.setTyping(false);

    // A private note lives in the agents-only document: visible here, absent from the customer's.
    await page.locator('pa-composer button[data-mode=note]').click();
    await composer.fill('@admin double-check order 42 before refunding');
    await composer.press('Enter');
    await transcript.locator('li.note', { hasText: 'double-check order 42' }).waitFor();
    await page.screenshot({ path: screenshotPath('agent-conversation') });
    const customerJson = JSON.stringify(customer.doc.toJSON());
    expect(customerJson).toContain('refund is on its way');
    expect(customerJson).not.toContain('double-check');
    // …and the customer's token cannot open it at all ([P4]).
    const spy = createClient({ url: suite.relay.wsUrl, token: await suite.relay.token('customer', suite.admin.ws, 'c-zoe'), WebSocket: WebSocket as unknown as WebSocketConstructor });
    await expect(spy.open(internalDoc(suite.admin.ws, 'c-zoe', 'v-refund')).whenSynced).rejects.toThrow();
    await spy.close();

    // Resolve: a visible event for both sides, then the customer rates.
    await page.locator('pa-conversation button[data-action=resolve]').click();
    await transcript.locator('li.event', { hasText: 'resolved the conversation' }).waitFor();
    await whenConversation(customer.conversation, () => customer.conversation.status() === 'resolved', 15_000, 'resolved at the customer');
    customer.conversation.rate(5, 'Quick and kind');

    await page.locator('button[data-screen=reports]').click();
    await expect.poll(() => page.locator('pa-reports [data-metric=csat] b').textContent(), { timeout: 15_000 }).toBe('5.0');
    expect(await page.locator('pa-reports [data-metric=csat] span').textContent()).toContain('of 1');
    expect(Number(await page.locator('pa-reports [data-metric=volume] b').textContent())).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: screenshotPath('agent-reports') });

    await page.locator('button[data-screen=inbox]').click();
    await page.keyboard.press('?');
    await page.locator('pa-help-overlay [role=dialog]').waitFor();
    await page.screenshot({ path: screenshotPath('agent-shortcuts') });
    await context.close();
  }, 90_000);
});
