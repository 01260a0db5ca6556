/**
 * Quick actions, the attachment limit and agents' own avatars, end to end: the agent app in real
 * Chromium against a real relay process; the customer as the widget on the relay's demo page (same
 * workspace) or as a core client in Node.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { screenshotPath } from '../helpers/browser.js';
import { ensureWidgetBuilt } from '../widget/relay-fixtures.js';
import { axeViolations, customerStartsConversation, signIn, useAgentSuite, whenConversation } from './fixtures.js';

const suite = useAgentSuite();

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await suite.browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(12_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

// A 1×1 PNG, served for the avatar's https address so the browser really loads a picture.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const AVATAR = 'https://cdn.example.com/agents/bo.png';

describe('settings: quick actions and the attachment limit', () => {
  it('an admin adds, reorders and removes quick actions and sets the limit in MB; core\'s refusals show beside the fields; the widget follows', async () => {
    ensureWidgetBuilt();
    const { context, page } = await newPage();
    await signIn(page, suite.relay.url, suite.admin);
    await page.locator('button[data-screen=settings]').click();
    const settings = page.locator('pa-settings');
    const quick = settings.locator('input[name=quick-action]');
    const add = settings.locator('button[data-add=quickActions]');

    await add.click();
    // The new row's input has focus: the admin types straight away.
    await page.keyboard.type('Track my order');
    await add.click();
    await quick.nth(1).fill('Talk to sales');
    await add.click();
    // A blank quick action: Save writes nothing and core's reason appears beside the field.
    await settings.locator('button[data-action=save-settings]').click();
    await expect.poll(() => settings.locator('[data-error=quickActions]').textContent()).toBe('Quick action 3 is empty.');
    expect(await settings.locator('[role=status]', { hasText: 'Saved' }).count()).toBe(0);
    expect(await quick.nth(2).getAttribute('aria-invalid')).toBe('true');
    expect(await quick.nth(2).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await settings.locator('button[aria-label="Remove quick action 3"]').click();
    await expect.poll(() => settings.locator('[data-error=quickActions]').count()).toBe(0);

    // Reorder from the keyboard: focus stays on the moved row's button.
    await settings.locator('button[aria-label="Move quick action 2 up"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => quick.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['Talk to sales', 'Track my order']);
    expect(await settings.locator('button[aria-label="Move quick action 1 down"]').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    // The limit in MB, checked with core's rule when the field is left.
    const mb = settings.locator('input[name=max-attachment-mb]');
    expect(await mb.inputValue()).toBe('10');
    expect(await mb.getAttribute('max')).toBe('25');
    await mb.fill('30');
    await mb.press('Tab');
    await expect.poll(() => settings.locator('[data-error=maxAttachmentBytes]').textContent()).toBe('The attachment limit is more than 0 and at most 25 MB.');
    expect(await mb.getAttribute('aria-invalid')).toBe('true');
    expect(await mb.getAttribute('aria-describedby')).toContain('attachment-error');
    await mb.fill('2.5');
    await expect.poll(() => settings.locator('[data-error=maxAttachmentBytes]').count()).toBe(0);

    expect(await axeViolations(page, ['parley-agent-app', 'pa-workspace', 'pa-settings'])).toEqual([]);
    await settings.locator('button[data-action=save-settings]').click();
    await settings.locator('[role=status]', { hasText: 'Saved' }).waitFor();
    await page.screenshot({ path: screenshotPath('agent-settings-quick-actions') });

    // No more than core allows: Add stops at six.
    for (let i = 0; i < 4; i++) await add.click();
    expect(await add.isDisabled()).toBe(true);

    // The customer's widget on the demo page (the same workspace) shows the buttons in the new
    // order and the new limit, and refuses a larger file before uploading.
    const customer = await newPage();
    await customer.page.goto(`${suite.relay.url}/`);
    await customer.page.locator('parley-chat .launcher').click();
    await expect.poll(() => customer.page.locator('parley-chat .quick button').allTextContents(), { timeout: 15_000 }).toEqual(['Talk to sales', 'Track my order']);
    await expect.poll(() => customer.page.locator('parley-chat .hint').textContent()).toContain('Up to 2.5 MB per file');
    await customer.page.locator('parley-chat input[type=file]').setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(2.5 * 1024 * 1024 + 1) });
    await customer.page.locator('parley-chat [role=alert]', { hasText: 'big.pdf is too large: the limit is 2.5 MB.' }).waitFor();
    await customer.context.close();
    await context.close();
  }, 120_000);
});

describe('an agent\'s own avatar', () => {
  it('is set in My profile, refused when unsafe, kept on the account, carried by the next replies and shown beside them', async () => {
    // An ordinary agent (not an admin): they may change their own avatar only.
    const signInRes = await fetch(`${suite.relay.url}/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: suite.admin.email, password: suite.admin.password }) });
    const adminToken = ((await signInRes.json()) as { token: string }).token;
    const bo = { email: 'bo@example.com', password: 'bo-password-123', ws: suite.admin.ws };
    const created = await fetch(`${suite.relay.url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: bo.email, name: 'Bo Berg', role: 'agent', password: bo.password }) });
    expect(created.status).toBe(201);
    const boId = ((await created.json()) as { agent: { id: string } }).agent.id;

    const customer = await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-ava', conversationId: 'v-ava', name: 'Ava Lind', email: 'ava@example.com', text: 'Is my parcel on its way?' });
    suite.customers.push(customer);

    const { context, page } = await newPage();
    await context.route('https://cdn.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
    await signIn(page, suite.relay.url, bo);
    await page.locator('pa-inbox button.row', { hasText: 'Ava Lind' }).click();
    const composer = page.locator('pa-conversation-pane:not([hidden]) pa-composer textarea');
    await composer.fill('Checking now');
    await composer.press('Enter');
    await whenConversation(customer.conversation, () => customer.conversation.messages().some((m) => m.text === 'Checking now'), 15_000, 'the first reply');

    await page.locator('button[data-screen=profile]').click();
    const profile = page.locator('pa-profile');
    const input = profile.getByLabel('Avatar URL (https)');
    // Unsafe addresses get core's sentence beside the field, and nothing reaches the relay.
    for (const bad of ['javascript:alert(1)', 'http://cdn.example.com/bo.png']) {
      await input.fill(bad);
      await input.press('Enter');
      await expect.poll(() => profile.locator('[data-error=avatar]').textContent()).toBe('An avatar is an https URL of at most 2048 characters.');
      expect(await input.getAttribute('aria-invalid')).toBe('true');
    }
    const account = async (): Promise<{ avatar?: string }> => {
      const res = await fetch(`${suite.relay.url}/v1/agents`, { headers: { authorization: `Bearer ${adminToken}` } });
      return ((await res.json()) as { agents: { id: string; avatar?: string }[] }).agents.find((a) => a.id === boId)!;
    };
    expect(await account()).not.toHaveProperty('avatar');

    await input.fill(AVATAR);
    await profile.locator('button[data-action=save-avatar]').click();
    await profile.locator('[role=status]', { hasText: 'Saved' }).waitFor();
    expect((await account()).avatar).toBe(AVATAR);
    await expect.poll(() => profile.locator('.preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    expect(await axeViolations(page, ['parley-agent-app', 'pa-workspace', 'pa-profile'])).toEqual([]);
    await page.screenshot({ path: screenshotPath('agent-profile') });

    // The next reply carries the avatar; the one before keeps its author as it was.
    await page.locator('button[data-screen=inbox]').click();
    await composer.fill('It ships today');
    await composer.press('Enter');
    await whenConversation(customer.conversation, () => customer.conversation.messages().some((m) => m.text === 'It ships today'), 15_000, 'the reply after the avatar');
    const replies = customer.conversation.messages().filter((m) => m.author.role === 'agent' && m.kind === 'text');
    expect(replies.map((m) => [m.text, m.author.avatar])).toEqual([['Checking now', undefined], ['It ships today', AVATAR]]);
    expect(replies[1]!.author).toMatchObject({ id: boId, name: 'Bo Berg' });

    // The agent's transcript shows the picture beside that reply only.
    const transcript = page.locator('pa-conversation-pane:not([hidden]) pa-transcript');
    const shown = transcript.locator('li.agent', { hasText: 'It ships today' }).locator('img.avatar');
    await expect.poll(() => shown.getAttribute('src')).toBe(AVATAR);
    await expect.poll(() => shown.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0 && !(img as HTMLImageElement).hidden)).toBe(true);
    expect(await transcript.locator('li.agent', { hasText: 'Checking now' }).locator('img.avatar').count()).toBe(0);

    // A reload keeps it (the session holds it), and the reply after that carries it too.
    await page.reload();
    await page.locator('pa-workspace').waitFor();
    await page.locator('button[data-screen=profile]').click();
    expect(await page.locator('pa-profile').getByLabel('Avatar URL (https)').inputValue()).toBe(AVATAR);

    // Removing it: replies from then on have no picture.
    await page.locator('pa-profile button[data-action=remove-avatar]').click();
    await expect.poll(async () => (await account()).avatar).toBeUndefined();
    await page.locator('button[data-screen=inbox]').click();
    await page.locator('pa-inbox button.row', { hasText: 'Ava Lind' }).click();
    await composer.fill('Anything else?');
    await composer.press('Enter');
    await whenConversation(customer.conversation, () => customer.conversation.messages().some((m) => m.text === 'Anything else?'), 15_000, 'the reply after removing');
    expect(customer.conversation.messages().find((m) => m.text === 'Anything else?')!.author).not.toHaveProperty('avatar');

    // An admin sets Bo's avatar while Bo's tab is open: once Bo's app is back online it reads the
    // account again, and the open conversation writes the next reply with the new picture.
    const byAdmin = 'https://cdn.example.com/agents/bo-by-admin.png';
    const put = await fetch(`${suite.relay.url}/v1/agents/${boId}/avatar`, { method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ avatar: byAdmin }) });
    expect(put.status).toBe(200);
    await context.setOffline(true);
    await page.locator('[data-connection=offline]').waitFor({ timeout: 20_000 });
    await context.setOffline(false);
    await page.locator('[data-connection=online]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('pa-workspace .signout img').getAttribute('src'), { timeout: 15_000 }).toBe(byAdmin);
    await composer.fill('Have a nice day');
    await composer.press('Enter');
    await whenConversation(customer.conversation, () => customer.conversation.messages().some((m) => m.text === 'Have a nice day'), 15_000, 'the reply after the admin changed the avatar');
    expect(customer.conversation.messages().find((m) => m.text === 'Have a nice day')!.author.avatar).toBe(byAdmin);
    await context.close();
  }, 120_000);
});
