/**
 * Teams and the agent directory end to end: an admin adds agents with teams in Settings (the
 * relay generates the password, shown once), sets their own teams, and transfers conversations to
 * teams; each agent's Team view shows only their teams' conversations; the transfer menu lists
 * every active agent of the workspace, offline ones too; a disabled agent cannot sign in; the
 * memberships reach the routing settings the worker reads.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { createClient, readRoutingSettings, settingsDoc, type WebSocketConstructor } from '@parley/core';
import { screenshotPath } from '../helpers/browser.js';
import { customerStartsConversation, signIn, useAgentSuite } from './fixtures.js';

const suite = useAgentSuite();
const { customers } = suite;

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await suite.browser.newContext({ viewport: { width: 1400, height: 860 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return { context, page };
}

async function addAgent(page: Page, name: string, email: string, teams: string): Promise<string> {
  const form = page.locator('pa-agent-accounts form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=teams]').fill(teams);
  await form.locator('button[data-action=add-agent]').click();
  const shown = page.locator('pa-agent-accounts [role=status]', { hasText: email });
  await shown.waitFor();
  return (await shown.locator('[data-password]').textContent())!.trim();
}

const rows = (page: Page): Promise<string[]> => page.locator('pa-inbox button.row').allTextContents();

describe('teams and the agent directory', () => {
  it('admins manage agents and teams; Team view, transfer menu and routing settings follow', async () => {
    customers.push(
      await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-uma', conversationId: 'v1', name: 'Uma Rao', email: 'uma@example.com', text: 'My invoice is wrong' }),
      await customerStartsConversation(suite.relay, suite.admin.ws, { customerId: 'c-vic', conversationId: 'v1', name: 'Vic Diaz', email: 'vic@example.com', text: 'Do you offer volume pricing?' }),
    );
    // An account made outside the app (API here; the CLI writes the same table) before any admin
    // opens it: the admin's app copies its team into the routing settings on start.
    const adminToken = ((await (await fetch(`${suite.relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email: suite.admin.email, password: suite.admin.password }) })).json()) as { token: string }).token;
    const dee = await fetch(`${suite.relay.url}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ email: 'dee@demo.local', name: 'Dee Dow', role: 'agent', teams: ['vip'] }) });
    expect(dee.status).toBe(201);
    const reader = createClient({ url: suite.relay.wsUrl, token: await suite.relay.token('bot', suite.admin.ws, 'probe', { grants: [{ prefix: `ws/${suite.admin.ws}/settings`, access: 'r' }] }), WebSocket: WebSocket as unknown as WebSocketConstructor });
    const settings = reader.open(settingsDoc(suite.admin.ws));
    await settings.whenSynced;
    const routingTeams = (): [string, number][] => readRoutingSettings(settings.doc).teams.map((t) => [t.name, t.members.length]);
    expect(routingTeams()).toEqual([]);

    const { context: adminContext, page: adminPage } = await newPage();
    await signIn(adminPage, suite.relay.url, suite.admin);
    await expect.poll(routingTeams, { timeout: 15_000 }).toEqual([['vip', 1]]);

    // Settings → Agents: add two agents with teams, and put the admin in sales.
    await adminPage.locator('button[data-screen=settings]').click();
    const beaPassword = await addAgent(adminPage, 'Bea Berg', 'bea@demo.local', 'tier1, billing');
    const cyPassword = await addAgent(adminPage, 'Cy Cole', 'cy@demo.local', 'tier1');
    const adminRow = adminPage.locator('pa-agent-accounts tr[data-agent="admin@demo.local"]');
    await adminRow.locator('input[name=teams]').fill('sales');
    await adminRow.locator('button[data-action=save-teams]').click();
    await expect.poll(() => adminRow.locator('button[data-action=save-teams]').isDisabled()).toBe(true);
    await adminPage.screenshot({ path: screenshotPath('agent-accounts') });

    // Disable Cy: listed as disabled, and the relay refuses Cy's sign-in.
    const cyRow = adminPage.locator('pa-agent-accounts tr[data-agent="cy@demo.local"]');
    await cyRow.locator('button[data-action=disable]').click();
    await cyRow.locator('button[data-action=enable]').waitFor();
    const cySignIn = await fetch(`${suite.relay.url}/v1/auth/signin`, { method: 'POST', body: JSON.stringify({ email: 'cy@demo.local', password: cyPassword }) });
    expect(cySignIn.status).toBe(403);

    // The admin transfers Uma to tier1 and Vic to sales; the transfer menu lists Bea (never signed in) as offline.
    await adminPage.locator('button[data-screen=inbox]').click();
    for (const [customer, team] of [['Uma Rao', 'tier1'], ['Vic Diaz', 'sales']] as const) {
      await adminPage.locator('pa-inbox button.row', { hasText: customer }).click();
      const header = adminPage.locator('pa-conversation-pane:not([hidden]) pa-conversation header');
      await header.locator(`select[data-action=assign] option[value="team:${team}"]`).waitFor({ state: 'attached' });
      await header.locator('select[data-action=assign]').selectOption(`team:${team}`);
      await adminPage.locator('pa-conversation-pane:not([hidden]) pa-transcript li.event', { hasText: `team ${team}` }).waitFor();
    }
    const adminOptions = await adminPage.locator('pa-conversation-pane:not([hidden]) select[data-action=assign] option').allTextContents();
    expect(adminOptions).toContain('Bea Berg · offline');
    expect(adminOptions.some((o) => o.startsWith('Cy Cole'))).toBe(false);

    // Admin's Team view: sales only.
    await adminPage.locator('pa-inbox button[data-view=team]').click();
    await expect.poll(() => rows(adminPage)).toEqual([expect.stringContaining('Vic Diaz')]);

    // Bea signs in with the generated password: her Team view is tier1, and she sees the admin online.
    const { context: beaContext, page: beaPage } = await newPage();
    await signIn(beaPage, suite.relay.url, { email: 'bea@demo.local', password: beaPassword, ws: suite.admin.ws });
    await beaPage.locator('pa-inbox button[data-view=team]').click();
    await expect.poll(() => rows(beaPage)).toEqual([expect.stringContaining('Uma Rao')]);
    await beaPage.locator('pa-inbox button.row', { hasText: 'Uma Rao' }).click();
    const beaAssign = beaPage.locator('pa-conversation-pane:not([hidden]) select[data-action=assign]');
    await expect.poll(() => beaAssign.locator('option').allTextContents()).toContain('Admin · online');
    // Picking a name from the menu records the name, not the presence label.
    await beaAssign.selectOption({ label: 'Admin · online' });
    await beaPage.locator('pa-conversation-pane:not([hidden]) pa-transcript li.event', { hasText: 'transferred to Admin · team tier1' }).waitFor();
    await expect.poll(() => adminPage.locator('pa-inbox button[data-view=mine] .count').textContent()).toBe('1');

    // The memberships are in the routing settings the worker reads (disabled Cy left out).
    await expect.poll(routingTeams).toEqual([['billing', 1], ['sales', 1], ['tier1', 1], ['vip', 1]]);
    await reader.close();
    await beaContext.close();
    await adminContext.close();
  }, 120_000);
});
