/**
 * Shared setup for the widget's end-to-end tests: the built widget served by a real relay process
 * (the demo shop page at `/`), and an agent that is a core client in Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Conversation, conversationDoc, createClient, profileDoc, readProfile, type CustomerProfile, type ParleyClient, type WebSocketConstructor } from '@parley/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { allowBrowserTestTime, launchChromium } from '../helpers/browser.js';
import { repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';

const widgetDir = join(repoRoot, 'packages', 'widget');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.endsWith('.test.ts')) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; running this file alone rebuilds when widget or core sources are newer. */
export function ensureWidgetBuilt(): void {
  const bundle = join(widgetDir, 'dist', 'widget.js');
  const sources = Math.max(newestMtime(join(widgetDir, 'src')), newestMtime(join(repoRoot, 'packages', 'core', 'src')));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: widgetDir, stdio: 'inherit' });
}

/** The customer id of the session the widget keeps in this page's localStorage. */
export async function customerIdOf(page: Page, ws = 'demo'): Promise<string> {
  const token = await page.evaluate((key) => localStorage.getItem(key), `parley:session:${ws}`);
  if (!token) throw new Error('the widget has no session yet');
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
}

export interface NodeAgent {
  client: ParleyClient;
  /** The customer's conversations, from their profile document. */
  conversationIds(customerId: string): Promise<string[]>;
  /** The customer's profile document as the relay has it now. */
  profile(customerId: string): Promise<CustomerProfile>;
  /** Opens a conversation as this agent; waits until the relay's copy is merged. */
  conversation(customerId: string, conversationId: string): Promise<Conversation>;
  close(): Promise<void>;
}

export async function connectAgent(relay: RelayProcess, ws = 'demo', name = 'Aino'): Promise<NodeAgent> {
  const token = await relay.token('agent', ws, 'agent-aino', { name });
  const client = createClient({ url: relay.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const open: Conversation[] = [];
  return {
    client,
    async conversationIds(customerId) {
      const h = client.open(profileDoc(ws, customerId));
      await h.whenSynced;
      const ids = [...h.doc.getMap('conversations').keys()];
      await h.release();
      return ids;
    },
    async profile(customerId) {
      const h = client.open(profileDoc(ws, customerId));
      await h.whenSynced;
      const profile = readProfile(h.doc);
      await h.release();
      return profile;
    },
    async conversation(customerId, conversationId) {
      const h = client.open(conversationDoc(ws, customerId, conversationId));
      await h.whenSynced;
      const c = Conversation.open({ doc: h.doc, awareness: h.awareness, acks: h.acks, me: { role: 'agent', id: 'agent-aino', name }, deviceId: 'agent-node' });
      open.push(c);
      return c;
    },
    async close() {
      for (const c of open) c.destroy();
      await client.close();
    },
  };
}

/**
 * Resolves once `predicate` holds after some change of the conversation (checked at once too).
 * 30 s: what the widget wrote crosses a real page, a real socket and the relay's commit on a 2-core
 * CI machine that runs other suites beside this one; one CI run saw more than 15 s.
 */
export function whenConversation(c: Conversation, predicate: (c: Conversation) => boolean, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate(c)) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`conversation did not reach the expected state in ${timeoutMs} ms; messages: ${JSON.stringify(c.messages().map((m) => m.text))}`));
    }, timeoutMs);
    const stop = c.on('change', () => {
      if (!predicate(c)) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

export interface WidgetSuite {
  relay: RelayProcess;
  browser: Browser;
  /** the support side, a core client in Node (only when asked for) */
  agent: NodeAgent;
}

/**
 * One relay serving the built widget and its demo page, and one Chromium, for a test file; with
 * `agent`, also a Node agent connected to it. Fields are set once the file's beforeAll has run.
 */
export function useWidgetSuite(options: { agent?: boolean } = {}): WidgetSuite {
  allowBrowserTestTime();
  const suite = {} as WidgetSuite;
  beforeAll(async () => {
    ensureWidgetBuilt();
    [suite.relay, suite.browser] = await Promise.all([startRelayProcess(), launchChromium()]);
    if (options.agent) suite.agent = await connectAgent(suite.relay);
  }, 180_000);
  afterAll(async () => {
    await suite.agent?.close();
    await suite.browser?.close();
    await suite.relay?.stop();
  });
  return suite;
}

/** A customer on the relay's demo page, notifications allowed, once the launcher is there. */
export async function openDemoPage(browser: Browser, relay: RelayProcess): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US' });
  await context.grantPermissions(['notifications'], { origin: relay.url });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(`${relay.url}/`);
  await page.locator('parley-chat .launcher').waitFor();
  return { context, page };
}
