/**
 * An agent's avatar as the customer sees it: the agent sets it on their relay account (the route
 * the agent app's My profile calls), writes with the account the relay answers, and the widget on
 * the demo page shows the picture beside replies sent after that, not beside earlier ones.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Conversation, conversationDoc, createClient, profileDoc, type WebSocketConstructor } from '@parley/core';
import { screenshotPath } from '../helpers/browser.js';
import { customerIdOf, openDemoPage, useWidgetSuite, whenConversation } from './relay-fixtures.js';
import { axeViolations } from './axe.js';

const suite = useWidgetSuite();

// A 2×2 PNG served for the avatar's https address, so the browser really loads a picture.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEklEQVR42mNk+M9QzwAEjDAGACCDAv8cI7IoAAAAAElFTkSuQmCC', 'base64');
const AVATAR = 'https://cdn.example.com/agents/aino.png';

interface SignedIn {
  token: string;
  sub: string;
  name: string;
  avatar?: string;
}

async function signIn(email: string, password: string): Promise<SignedIn> {
  const res = await fetch(`${suite.relay.url}/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(res.status).toBe(200);
  return (await res.json()) as SignedIn;
}

describe("the agent's avatar in the widget", () => {
  it('shows the picture the agent set on their account beside replies sent after it, not before', async () => {
    const admin = await suite.relay.waitForLog((l) => typeof l.email === 'string' && typeof l.password === 'string', 30_000);
    const ws = (admin.ws as string | undefined) ?? 'demo';
    const { context, page } = await openDemoPage(suite.browser, suite.relay);
    await context.route('https://cdn.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
    await page.locator('parley-chat .launcher').click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Anyone there?');
    await composer.press('Enter');
    await page.locator('parley-chat li.msg.mine').waitFor();
    const customerId = await customerIdOf(page, ws);

    const before = await signIn(admin.email as string, admin.password as string);
    expect(before).not.toHaveProperty('avatar');
    const client = createClient({ url: suite.relay.wsUrl, token: before.token, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const profile = client.open(profileDoc(ws, customerId));
    await profile.whenSynced;
    await expect.poll(() => profile.doc.getMap('conversations').size, { timeout: 15_000 }).toBe(1);
    const conversationId = [...profile.doc.getMap('conversations').keys()][0]!;
    const handle = client.open(conversationDoc(ws, customerId, conversationId));
    await handle.whenSynced;
    const writeAs = (who: SignedIn): Conversation =>
      Conversation.open({ doc: handle.doc, awareness: handle.awareness, acks: handle.acks, me: { role: 'agent', id: who.sub, name: who.name, ...(who.avatar ? { avatar: who.avatar } : {}) }, deviceId: 'agent-node' });

    const first = writeAs(before);
    first.send({ text: 'Hello, one moment' });
    await whenConversation(first, (c) => c.messages().at(-1)?.delivery !== 'pending');
    first.destroy();

    // The agent sets their picture; the relay keeps it on the account and answers it at sign-in.
    const put = await fetch(`${suite.relay.url}/v1/agents/${before.sub}/avatar`, { method: 'PUT', headers: { authorization: `Bearer ${before.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ avatar: AVATAR }) });
    expect(put.status).toBe(200);
    const after = await signIn(admin.email as string, admin.password as string);
    expect(after.avatar).toBe(AVATAR);
    const second = writeAs(after);
    second.send({ text: 'Found your order' });
    await whenConversation(second, (c) => c.messages().at(-1)?.delivery !== 'pending');

    const withPicture = page.locator('parley-chat li.msg.theirs', { hasText: 'Found your order' }).locator('.avatar img');
    await expect.poll(() => withPicture.getAttribute('src'), { timeout: 15_000 }).toBe(AVATAR);
    await expect.poll(() => withPicture.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(2);
    expect(await withPicture.isVisible()).toBe(true);
    // The reply written before the avatar was set keeps the initial only.
    const earlier = page.locator('parley-chat li.msg.theirs', { hasText: 'Hello, one moment' }).locator('.avatar');
    expect(await earlier.locator('img').count()).toBe(0);
    expect((await earlier.textContent())?.trim()).toBe(before.name.charAt(0).toUpperCase());
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('widget-agent-avatar') });

    second.destroy();
    await client.close();
    await context.close();
  });
});
