/**
 * The heartbeat on a real server: a peer whose socket is open but which answers nothing (its
 * websocket stack does not pong, as with a phone that dropped off the network) is terminated,
 * and the people following its conversation stop seeing it present; a live but idle peer keeps
 * its socket however long it stays quiet.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient, type ParleyClient, type WebSocketConstructor } from '@parley/core';
import { startServer, type RunningServer } from '../server.js';
import { createTokens } from '../auth/tokens.js';
import { silentLogger } from '../log.js';
import { eventually } from '../relay/test-kit.js';

const SECRET = 'h'.repeat(48);
const HEARTBEAT_MS = 400;
const DOC = 'ws/acme/customers/c1/conv/k1';
const tokens = createTokens(SECRET);
let dir: string;
let server: RunningServer;
const clients: ParleyClient[] = [];

/** A `ws` client whose stack never answers a ping: open, but gone as far as the relay can tell. */
class DeafWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, { autoPong: false });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-heartbeat-'));
  server = await startServer({ port: 0, dataDir: dir, secret: SECRET, worker: false, push: false, heartbeatMs: HEARTBEAT_MS, log: silentLogger });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(role: 'customer' | 'agent', sub: string, WebSocketClass: WebSocketConstructor): Promise<ParleyClient> {
  const token = await tokens.sign({ ws: 'acme', role, sub }, 600);
  // A long first backoff: a terminated client must not come back within the test and re-announce itself.
  const client = createClient({ url: server.url.replace(/^http/, 'ws'), token, WebSocket: WebSocketClass, backoff: { initialMs: 60_000, maxMs: 60_000 } });
  clients.push(client);
  return client;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

it('terminates a socket that stops answering pings, and its presence leaves the conversation', async () => {
  const agent = await connect('agent', 'a1', WebSocket as unknown as WebSocketConstructor);
  const agentDoc = agent.open(DOC);
  await agentDoc.whenSynced;

  const customer = await connect('customer', 'c1', DeafWebSocket);
  const statuses: string[] = [];
  customer.on('status', (s) => statuses.push(s));
  const customerDoc = customer.open(DOC);
  await customerDoc.whenSynced;
  customerDoc.awareness.setLocalStateField('user', { name: 'Cem' });
  const customerId = customerDoc.doc.clientID;
  await eventually(() => agentDoc.awareness.getStates().has(customerId), 'the agent to see the customer present');
  const before = await metric('parley_unresponsive_sockets_terminated_total');

  const started = Date.now();
  await eventually(() => statuses.includes('offline'), 'the relay to terminate the silent socket', 5 * HEARTBEAT_MS);
  // Pinged at its slice's next sweep (within one interval), terminated at the sweep after.
  expect(Date.now() - started).toBeLessThan(3 * HEARTBEAT_MS);
  await eventually(() => !agentDoc.awareness.getStates().has(customerId), "the customer's presence to leave the agent's view");
  expect(await metric('parley_unresponsive_sockets_terminated_total')).toBe(before + 1);
  expect(agent.status).toBe('connected');
});

it('keeps an idle socket whose peer answers pings, however long it stays quiet', async () => {
  const agent = await connect('agent', 'a2', WebSocket as unknown as WebSocketConstructor);
  const handle = agent.open(DOC);
  await handle.whenSynced;
  const statuses: string[] = [];
  agent.on('status', (s) => statuses.push(s));
  await new Promise((resolve) => setTimeout(resolve, 5 * HEARTBEAT_MS));
  expect(statuses).toEqual([]);
  expect(agent.status).toBe('connected');
  // Still served after the quiet spell, not merely open.
  handle.doc.getMap('probe').set('after', 'quiet');
  await eventually(() => handle.acks.isAcked(handle.doc.clientID, 0), 'the relay to acknowledge a write after the quiet spell');
});
