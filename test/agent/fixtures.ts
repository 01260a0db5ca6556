/**
 * Shared setup for the agent app's browser tests: a real relay process serving the built app at
 * /agent/, the first-start admin's credentials, and customers that are core clients in Node.
 */
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { Conversation, conversationDoc, createClient, deviceId, type ParleyClient, type WebSocketConstructor } from '@parley/core';
import { repoRoot, startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { allowBrowserTestTime, launchChromium, screenshotPath } from '../helpers/browser.js';

const agentDir = join(repoRoot, 'packages', 'agent');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The relay serves packages/agent/dist. `npm test` builds it first; a run of this file alone
 * rebuilds it when the sources are newer, so the browser never tests a stale app.
 */
export function ensureAgentBuilt(): void {
  const index = join(agentDir, 'dist', 'index.html');
  const sources = Math.max(newestMtime(join(agentDir, 'src')), statSync(join(agentDir, 'index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: agentDir, stdio: 'inherit' });
}

export interface Admin {
  email: string;
  password: string;
  ws: string;
}

export async function startRelayWithAdmin(): Promise<{ relay: RelayProcess; admin: Admin }> {
  const relay = await startRelayProcess();
  const line = await relay.waitForLog((l) => typeof l.password === 'string' && typeof l.email === 'string');
  return { relay, admin: { email: line.email as string, password: line.password as string, ws: (line.ws as string) ?? 'demo' } };
}

export interface NodeCustomer {
  client: ParleyClient;
  conversation: Conversation;
  doc: Y.Doc;
  name: string;
  close(): Promise<void>;
}

/** A customer writing from Node through core's client, as the widget would from a browser. */
export async function customerStartsConversation(
  relay: RelayProcess,
  ws: string,
  opts: { customerId: string; conversationId: string; name: string; email: string; text: string; referralPage?: string; fields?: Record<string, string> },
): Promise<NodeCustomer> {
  const token = await relay.token('customer', ws, opts.customerId, { name: opts.name });
  const client = createClient({ url: relay.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const handle = client.open(conversationDoc(ws, opts.customerId, opts.conversationId));
  await handle.whenSynced;
  const conversation = Conversation.create(
    { doc: handle.doc, awareness: handle.awareness, acks: handle.acks, me: { role: 'customer', id: opts.customerId, name: opts.name }, deviceId: deviceId() },
    { id: opts.conversationId, customer: { id: opts.customerId, name: opts.name, email: opts.email }, language: 'en', referralPage: opts.referralPage ?? 'https://shop.example/pricing', fields: opts.fields ?? {} },
  );
  conversation.send({ text: opts.text });
  return { client, conversation, doc: handle.doc, name: opts.name, close: () => client.close() };
}

/** Resolves when `predicate` holds after some change of `conversation` (checked immediately too). */
export function whenConversation(conversation: Conversation, predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    // Typing travels as awareness ('typing'), everything else as document changes ('change').
    const check = (): void => {
      if (!predicate()) return;
      clearTimeout(timer);
      stop();
      resolve();
    };
    const unsubscribe = [conversation.on('change', check), conversation.on('typing', check)];
    const stop = (): void => unsubscribe.forEach((off) => off());
  });
}

export async function signIn(page: Page, baseUrl: string, admin: Admin): Promise<void> {
  await page.goto(`${baseUrl}/agent/`);
  await page.locator('pa-sign-in input[name=email]').fill(admin.email);
  await page.locator('pa-sign-in input[name=password]').fill(admin.password);
  await page.locator('pa-sign-in button[type=submit]').click();
  await page.locator('pa-workspace').waitFor();
}

/**
 * Fills the workspace with `customers × perCustomer` conversations, each opened by its customer
 * with one message, through core clients in Node. Paced under the relay's per-socket frame rate
 * ([P10]); resolves once every first message is acknowledged by the relay.
 */
export async function seedConversations(relay: RelayProcess, ws: string, customers: number, perCustomer: number, parallel = 5): Promise<void> {
  const seedOne = async (c: number): Promise<void> => {
    const customerId = `seed-c${c}`;
    const name = `Customer ${String(c).padStart(3, '0')}`;
    const token = await relay.token('customer', ws, customerId, { name });
    const client = createClient({ url: relay.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < perCustomer; i++) {
      const handle = client.open(conversationDoc(ws, customerId, `seed-v${c}-${i}`));
      await handle.whenLoaded;
      const conversation = Conversation.create(
        { doc: handle.doc, acks: handle.acks, me: { role: 'customer', id: customerId, name }, deviceId: `seed-${c}` },
        { id: `seed-v${c}-${i}`, customer: { id: customerId, name, email: `customer${c}@example.com` } },
      );
      conversation.send({ text: `Question ${i} from ${name}: where is my order #${c * 100 + i}?` });
      pending.push(whenConversation(conversation, () => conversation.messages()[0]?.delivery !== 'pending', 60_000, `seed ${c}/${i} acknowledged`));
      // About three frames per new document; 25 ms apart stays well under 200 frames/s.
      await new Promise((r) => setTimeout(r, 25));
    }
    await Promise.all(pending);
    await client.close();
  };
  // The first customer alone, so its question is the oldest: under load, customers seeded side by
  // side send their first question in any order, and tests expect customer 000 to have waited longest.
  if (customers > 0) await seedOne(0);
  for (let c = 1; c < customers; c += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, customers - c) }, (_, k) => seedOne(c + k)));
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations inside the element at `path`: one CSS selector per shadow root to enter,
 * from the document down (e.g. ['parley-agent-app', 'pa-workspace', …]).
 */
export async function axeViolations(page: Page, path: string[]): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const result = await axe.run({ include: [include] }, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  }, path);
}

export interface AgentSuite {
  relay: RelayProcess;
  admin: Admin;
  browser: Browser;
  /** customers a test starts; closed after the file */
  customers: NodeCustomer[];
}

/**
 * One relay (with the admin its first start printed) and one Chromium for a test file, started
 * before its tests and stopped after them. The fields are set once the file's beforeAll has run.
 */
export function useAgentSuite(): AgentSuite {
  allowBrowserTestTime();
  const suite = { customers: [] as NodeCustomer[] } as AgentSuite;
  beforeAll(async () => {
    ensureAgentBuilt();
    Object.assign(suite, await startRelayWithAdmin());
    suite.browser = await launchChromium();
  }, 120_000);
  // What the agent saw when a test failed: the only witness of a failure seen once under CI's load.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' && !task.result?.errors?.length) return;
    const pages = suite.browser?.contexts().flatMap((c) => c.pages()) ?? [];
    for (const [i, page] of pages.entries()) {
      const path = screenshotPath(`failed-${task.name.replace(/[^\w]+/g, '-').slice(0, 80)}-${i}`);
      await page.screenshot({ path, fullPage: true }).then(
        () => console.error(`screenshot of the failed test's page ${i}: ${path}`),
        () => undefined,
      );
    }
  });
  afterAll(async () => {
    await Promise.all(suite.customers.map((c) => c.close()));
    await suite.browser?.close();
    await suite.relay?.stop();
  });
  return suite;
}
