/**
 * The routing / off-hours worker against a real `parley serve --no-worker` process: customers,
 * agents (presence on the directory, as the agent app publishes it), an admin and the worker are
 * all core clients over real sockets. Each test has its own workspace.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusinessHours, ConversationSnapshot, Message } from '@parley/core';
import { startRelayProcess, type RelayProcess } from '../helpers/relay-process.js';
import { createPeers, handled, type Peers } from './fixtures.js';

let relay: RelayProcess;
let peers: Peers | undefined;
let n = 0;
const workspace = (): string => `wk${process.pid}x${++n}`;
const open = (ws: string): Peers => (peers = createPeers(relay, ws));

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--no-worker'] });
});
afterEach(async () => {
  await peers?.close();
  peers = undefined;
});
afterAll(async () => {
  await relay?.stop();
});

const assignments = (s: ConversationSnapshot): Message[] => s.messages.filter((m) => m.event?.type === 'assignment');
const botTexts = (s: ConversationSnapshot): Message[] => s.messages.filter((m) => m.author.role === 'bot' && m.kind === 'text');
const rules = [
  { keywords: ['refund', 'invoice'], team: 'billing' },
  { keywords: ['price', 'quote'], team: 'sales' },
];

/**
 * Opening hours around the real clock: a fixed-offset zone where it is about noon now, so the
 * test never sits near a boundary whatever time it runs. Core stamps messages with Date.now(),
 * so the worker's clock must be the real one for the once-per-period rule to compare like times.
 */
function hoursAroundNow(open: boolean): BusinessHours {
  let offset = 12 - new Date().getUTCHours();
  if (offset < -12) offset += 24;
  const timezone = offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
  const days = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day: day as 0, open: '00:00', close: open ? '23:59' : '01:00' }));
  return { timezone, days };
}

describe('routing worker', () => {
  it('routes a customer message with a keyword to its team and assigns the online agent of that team, as a bot event in the transcript', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'billing', members: ['ana'] }, { name: 'sales', members: ['sam'] }] });
    await p.agent('ana');
    await p.agent('sam');
    await p.worker();
    const customer = await p.customer('c1', 'I need a REFUND for order 42');
    const s = await customer.until((x) => x.state.assignee !== null, 'assignment');
    expect(s.state).toMatchObject({ team: 'billing', assignee: { id: 'ana', name: 'ANA' } });
    const [event] = assignments(s);
    expect(event?.author).toEqual({ role: 'bot', id: 'router', name: 'Parley' });
    expect(event?.event).toMatchObject({ agent: { id: 'ana' }, team: 'billing', previousAgent: null, previousTeam: null });
  });

  it('assigns round-robin over two online agents of the team', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'billing', members: ['ana', 'ben'] }] });
    await p.agent('ana');
    await p.agent('ben');
    await p.worker();
    const first = await p.customer('c1', 'invoice question');
    const a = await first.until((x) => x.state.assignee !== null, 'first assignment');
    const second = await p.customer('c2', 'another invoice');
    const b = await second.until((x) => x.state.assignee !== null, 'second assignment');
    expect([a.state.assignee?.id, b.state.assignee?.id].sort()).toEqual(['ana', 'ben']);
  });

  it('skips an agent at capacity (open conversations already assigned) and an agent who is away', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'billing', members: ['ana', 'ben', 'cy'] }], agentCapacity: { ana: 1 } });
    await p.agent('ana');
    await p.agent('ben');
    await p.agent('cy', 'away');
    // ana already holds one open conversation (she took it herself): her capacity of 1 is used up.
    const held = await p.customer('c0', 'hello');
    await p.assignAs('ana', held.doc);
    await p.worker();
    const customers = [await p.customer('c1', 'refund please'), await p.customer('c2', 'invoice wrong')];
    const got = await Promise.all(customers.map((c) => c.until((x) => x.state.assignee !== null, 'assignment')));
    expect(got.map((s) => s.state.assignee?.id)).toEqual(['ben', 'ben']);
  });

  it('routes to the team only when nobody of it is online: the conversation stays unassigned', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'sales', members: ['sam'] }] });
    await p.agent('ana');
    await p.worker();
    const customer = await p.customer('c1', 'can I get a quote?');
    const s = await customer.until((x) => x.state.team !== null, 'team');
    expect(s.state).toMatchObject({ team: 'sales', assignee: null });
    expect(assignments(s)).toHaveLength(1);
  });
  it('assigns a conversation that waited for its team when a member comes online, the longest waiting first', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'sales', members: ['sam'] }], agentCapacity: { sam: 1 } });
    await p.worker();
    // 11 pm: nobody of sales is online; both conversations wait in the unassigned view.
    const first = await p.customer('c1', 'can I get a quote?');
    await first.until((x) => x.state.team !== null, 'team of the first');
    const second = await p.customer('c2', 'what is the price for 10 seats?');
    await second.until((x) => x.state.team !== null, 'team of the second');
    // Morning: sam comes online with room for one.
    await p.agent('sam');
    const s = await first.until((x) => x.state.assignee !== null, 'assignment once sam is online');
    expect(s.state).toMatchObject({ team: 'sales', assignee: { id: 'sam' } });
    expect(assignments(s).map((m) => m.event)).toMatchObject([{ team: 'sales', agent: null }, { team: 'sales', agent: { id: 'sam' } }]);
    // sam is at capacity; resolving the first frees him for the second.
    expect(second.conv.snapshot().state.assignee).toBeNull();
    await p.resolveAs('sam', first.doc);
    const t = await second.until((x) => x.state.assignee !== null, 'assignment of the second once sam had room');
    expect(t.state.assignee?.id).toBe('sam');
  });
});

describe('off-hours reply', () => {
  const reply = 'We are closed now, {{customer.name}}. We answer from 09:00.';

  it('sends exactly one auto-reply when a customer writes twice in one closed period', async () => {
    const p = open(workspace());
    await p.settings({ businessHours: hoursAroundNow(false) }, { offHoursReply: reply });
    const worker = await p.worker();
    const customer = await p.customer('c1', 'hello, anyone there?');
    const first = await customer.until((x) => botTexts(x).length > 0, 'auto-reply');
    expect(botTexts(first).map((m) => m.text)).toEqual(['We are closed now, c1. We answer from 09:00.']);
    const again = customer.say('it is urgent');
    const seen = await handled(worker, customer.doc, (x) => x.messages.some((m) => m.id === again), 'worker reading the second message');
    expect(botTexts(seen)).toHaveLength(1);
    expect(botTexts(customer.conv.snapshot())).toHaveLength(1);
  });

  it('sends nothing while open', async () => {
    const p = open(workspace());
    await p.settings({ businessHours: hoursAroundNow(true), routingRules: [{ team: 'tier1' }] }, { offHoursReply: reply });
    const worker = await p.worker();
    const customer = await p.customer('c1', 'hello');
    // The catch-all rule shows the worker acted on this conversation; no reply came with it.
    const seen = await handled(worker, customer.doc, (x) => x.state.team === 'tier1', 'routing');
    expect(botTexts(seen)).toEqual([]);
    expect(worker.stats().autoReplies).toBe(0);
  });
});

describe('restarts and a second worker', () => {
  it('a restarted worker (same replica folder) neither reassigns nor replies again', async () => {
    const p = open(workspace());
    const replicaDir = mkdtempSync(join(tmpdir(), 'parley-worker-'));
    await p.settings({ routingRules: rules, businessHours: hoursAroundNow(false) }, { teams: [{ name: 'billing', members: ['ana', 'ben'] }], offHoursReply: 'Closed.' });
    await p.agent('ana');
    await p.agent('ben');
    const first = await p.worker({ replicaDir });
    const customer = await p.customer('c1', 'refund');
    await customer.until((x) => x.state.assignee !== null && botTexts(x).length === 1, 'assignment and auto-reply');
    await first.stop();
    const second = await p.worker({ replicaDir });
    // ready: settings and directory synced, every conversation read once.
    // (read may be 2: the directory entry of the first worker's last write can land during the scan)
    expect(second.stats().read).toBeGreaterThanOrEqual(1);
    expect(second.stats()).toMatchObject({ assigned: 0, routedToTeamOnly: 0, autoReplies: 0 });
    // A later customer message is read and still neither reassigned nor answered (same closed period).
    const later = customer.say('any news on my refund?');
    // The worker's own view after it acted (or not) on that message: what it wrote is in it.
    const s = await handled(second, customer.doc, (x) => x.messages.some((m) => m.id === later), 'restarted worker reading a new message');
    expect(assignments(s)).toHaveLength(1);
    expect(botTexts(s)).toHaveLength(1);
  });

  it('two workers on one workspace: one leads, the conversation gets one assignment event', async () => {
    const p = open(workspace());
    await p.settings({ routingRules: rules }, { teams: [{ name: 'billing', members: ['ana', 'ben'] }] });
    await p.agent('ana');
    await p.agent('ben');
    const a = await p.worker();
    const b = await p.worker();
    await handledLeadership(a, b);
    const customer = await p.customer('c1', 'invoice');
    await customer.until((x) => x.state.assignee !== null, 'assignment');
    await Promise.all([a, b].map((w) => handled(w, customer.doc, (x) => x.state.assignee !== null, 'both workers reading the result')));
    expect(assignments(customer.conv.snapshot())).toHaveLength(1);
    expect(a.stats().assigned + b.stats().assigned).toBe(1);
  });
});

/** Waits until exactly one of two workers leads (each has seen the other's awareness). */
async function handledLeadership(a: { leading: boolean }, b: { leading: boolean }): Promise<void> {
  const deadline = Date.now() + 10_000;
  // Leadership follows awareness events inside the workers; no event is exposed, so poll with a deadline.
  while (a.leading === b.leading) {
    if (Date.now() > deadline) throw new Error(`both workers ${a.leading ? 'lead' : 'stand by'}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
