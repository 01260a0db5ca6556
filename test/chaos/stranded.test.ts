/**
 * A connection that dies without a word (the phone left the Wi-Fi, a NAT forgot the mapping):
 * neither end hears a close and TCP stays quiet for many minutes. A message sent into it must
 * still reach the agent soon, exactly once, and the relay must let the dead socket go by itself.
 * Each side's own liveness check is what notices: the client's answer timeout, the relay's
 * heartbeat. Real relay process, core's client, the fault proxy's stranded connections.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationDoc } from '@parley/core';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { duplicates, startPeer, type Peer } from './peers.js';
import { eventually } from './probes.js';

const ANSWER_TIMEOUT_MS = 1_000;
const HEARTBEAT_MS = 600;
const doc = conversationDoc('acme', 'c1', 'stranded');
let relay: RelayProcess;
let proxy: FaultProxy;
let customer: Peer;
let agent: Peer;

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--heartbeat-ms', String(HEARTBEAT_MS)] });
  proxy = await startFaultProxy(() => relay.port);
  customer = startPeer({ wsUrl: proxy.wsUrl, token: await relay.token('customer', 'acme', 'c1'), doc, me: { role: 'customer', id: 'c1', name: 'Cem' }, answerTimeoutMs: ANSWER_TIMEOUT_MS });
  // The agent is on a healthy link throughout.
  agent = startPeer({ wsUrl: relay.wsUrl, token: await relay.token('agent', 'acme', 'a1'), doc, me: { role: 'agent', id: 'a1', name: 'Ada' } });
  await Promise.all([customer.handle.whenSynced, agent.handle.whenSynced]);
});
afterAll(async () => {
  await customer?.close();
  await agent?.close();
  await proxy?.close();
  await relay?.kill();
});

it('keeps a quiet connection that owes nothing, longer than the answer timeout', async () => {
  const statuses: string[] = [];
  const stop = customer.client.on('status', (s) => statuses.push(s));
  const first = customer.send('before the quiet spell');
  await eventually(() => customer.acked().has(first), 'the first message to be acknowledged');
  await new Promise((resolve) => setTimeout(resolve, 3 * ANSWER_TIMEOUT_MS));
  stop();
  expect(statuses).toEqual([]);
  expect(proxy.connections).toBe(1);
});

it('delivers a message sent into a silently dead connection once, over a new one, and the relay drops the dead socket', async () => {
  proxy.strand();
  const sentAt = Date.now();
  const id = customer.send('sent into a dead link');
  await eventually(() => customer.acked().has(id), 'the message to be acknowledged over a new connection', 15_000);
  const ackedAfter = Date.now() - sentAt;
  // Replaced after one or two answer timeouts of silence, then a reconnect with a 50-500 ms backoff.
  expect(ackedAfter).toBeLessThan(2 * ANSWER_TIMEOUT_MS + 2_000);
  expect(proxy.strandedClosedBy.client).toBe(1);
  await eventually(() => agent.transcript().includes(id), 'the agent to receive it');
  expect(duplicates(agent.transcript())).toBe(0);
  expect(duplicates(customer.transcript())).toBe(0);
  // The relay pinged the stranded socket, heard nothing back, and terminated it.
  await eventually(() => proxy.strandedClosedBy.relay === 1, 'the relay to terminate the dead socket', 4 * HEARTBEAT_MS);
  console.info(`acknowledged ${ackedAfter} ms after it was sent into the dead connection (answer timeout ${ANSWER_TIMEOUT_MS} ms)`);
});
