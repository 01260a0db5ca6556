import { describe, expect, it } from 'vitest';
import { Conversation, DEFAULT_ROUTING_SETTINGS, type AgentRef, type RoutingRule, type RoutingSettings } from '@parley/core';
import { chooseAgent, needsRouting, planRouting, planWaiting, waitingForAgent } from './routing.js';
import { createLedger } from './workload.js';
import { testConversation } from './test-conversations.js';

const rules: RoutingRule[] = [
  { keywords: ['invoice', 'refund'], team: 'billing' },
  { urlPattern: '/pricing*', team: 'sales' },
  { language: 'tr', team: 'tier1-tr' },
];
const routing: RoutingSettings = {
  ...DEFAULT_ROUTING_SETTINGS,
  teams: [
    { name: 'billing', members: ['ana', 'ben', 'cy'] },
    { name: 'sales', members: ['sam'] },
  ],
  defaultCapacity: 2,
};
const agent = (id: string): AgentRef => ({ id, name: id.toUpperCase() });
const online = (...ids: string[]): Map<string, AgentRef> => new Map(ids.map((id) => [id, agent(id)]));

describe('routing plan', () => {
  it.each<[string, { text: string; referralPage?: string; language?: string }, string | null]>([
    ['a keyword in the customer text', { text: 'Where is my INVOICE?' }, 'billing'],
    ['the referral page', { text: 'hi', referralPage: 'https://shop.example/pricing/team' }, 'sales'],
    ['the language', { text: 'merhaba', language: 'tr-TR' }, 'tier1-tr'],
    ['nothing matching', { text: 'hello', referralPage: 'https://shop.example/' }, null],
  ])('picks the team by %s', (_name, input, team) => {
    const t = testConversation({ ...(input.referralPage ? { referralPage: input.referralPage } : {}), ...(input.language ? { language: input.language } : {}) });
    t.say(input.text);
    const plan = planRouting(t.bot.snapshot(), { rules, routing, online: online('ana', 'sam'), workload: createLedger() });
    expect(plan?.team ?? null).toBe(team);
  });

  it('waits for a customer message, and never routes a conversation that was assigned or unassigned before', () => {
    const t = testConversation();
    expect(needsRouting(t.bot.snapshot())).toBe(false);
    t.say('refund please');
    expect(needsRouting(t.bot.snapshot())).toBe(true);
    t.bot.assign({ agent: agent('ana'), team: 'billing' });
    expect(needsRouting(t.bot.snapshot())).toBe(false);
    // An agent unassigning on purpose leaves no team and no assignee, but the event stays.
    t.bot.assign({ agent: null, team: null });
    expect(t.bot.snapshot().state).toMatchObject({ assignee: null, team: null });
    expect(needsRouting(t.bot.snapshot())).toBe(false);
  });
});

describe('round-robin under capacity', () => {
  it('gives each online member one in turn, skips offline and full agents, and says nobody when nobody fits', () => {
    const ledger = createLedger();
    const picks: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const t = testConversation();
      t.say('invoice question');
      const plan = planRouting(t.bot.snapshot(), { rules, routing, online: online('ana', 'ben', 'sam'), workload: ledger });
      picks.push(plan?.agent?.id ?? null);
      if (plan) t.bot.assign({ team: plan.team, agent: plan.agent });
      ledger.record(`conv-${i}`, t.bot.snapshot(), Date.now());
    }
    // cy is offline; ana and ben alternate until both hold their capacity of 2.
    expect(picks).toEqual(['ana', 'ben', 'ana', 'ben', null]);
  });

  it('frees capacity when a conversation is resolved', () => {
    const ledger = createLedger();
    const t = testConversation();
    t.say('invoice');
    t.bot.assign({ team: 'billing', agent: agent('sam') });
    ledger.record('c', t.bot.snapshot(), Date.now());
    const one = { ...routing, defaultCapacity: 1, teams: [{ name: 'billing', members: ['sam'] }] };
    expect(chooseAgent('billing', { routing: one, online: online('sam'), workload: ledger })).toBeNull();
    t.bot.resolve();
    ledger.record('c', t.bot.snapshot(), Date.now());
    expect(chooseAgent('billing', { routing: one, online: online('sam'), workload: ledger })?.id).toBe('sam');
  });
});

describe('conversations waiting for an agent', () => {
  const billing = { ...routing, teams: [{ name: 'billing', members: ['sam'] }] };

  it('one routed to its team while nobody was online goes to the first member who comes online; the longest waiting first', () => {
    const ledger = createLedger('router');
    const convs = ['invoice please', 'refund for 10 seats?'].map((text, i) => {
      const t = testConversation();
      t.say(text);
      const plan = planRouting(t.bot.snapshot(), { rules, routing: billing, online: online(), workload: ledger });
      expect(plan).toEqual({ team: 'billing', agent: null });
      t.bot.assign({ team: plan!.team, agent: plan!.agent });
      ledger.record(`conv-${i}`, t.bot.snapshot(), Date.now());
      return t;
    });
    expect(ledger.waiting()).toEqual(['conv-0', 'conv-1']);
    const now = Date.now();
    // Still nobody: nothing to write.
    expect(planWaiting(convs[0]!.bot.snapshot(), { routing: billing, online: online('ana'), workload: ledger }, 'router', now)).toBeNull();
    const plan = planWaiting(convs[0]!.bot.snapshot(), { routing: billing, online: online('sam'), workload: ledger }, 'router', now);
    expect(plan).toEqual({ team: 'billing', agent: agent('sam') });
    convs[0]!.bot.assign({ team: plan!.team, agent: plan!.agent });
    ledger.record('conv-0', convs[0]!.bot.snapshot(), now);
    expect(ledger.waiting()).toEqual(['conv-1']);
  });

  it('is not waiting once an agent unassigned or moved it, or when it is resolved', () => {
    const t = testConversation();
    t.say('quote please');
    t.bot.assign({ team: 'sales', agent: null });
    expect(waitingForAgent(t.bot.snapshot(), 'router', Date.now())).toBe(true);
    expect(waitingForAgent(t.bot.snapshot(), 'another-bot', Date.now())).toBe(false);
    t.bot.resolve();
    expect(waitingForAgent(t.bot.snapshot(), 'router', Date.now())).toBe(false);

    const moved = testConversation();
    moved.say('quote please');
    moved.bot.assign({ team: 'sales', agent: null });
    const human = Conversation.open({ doc: moved.bot.doc, me: { role: 'agent', id: 'ana', name: 'ANA' }, deviceId: 'laptop' });
    human.assign({ team: 'billing', agent: null });
    expect(waitingForAgent(moved.bot.snapshot(), 'router', Date.now())).toBe(false);
  });

  it('a resolved conversation frees its agent: record() says so', () => {
    const ledger = createLedger('router');
    const t = testConversation();
    t.say('invoice');
    t.bot.assign({ team: 'billing', agent: agent('sam') });
    expect(ledger.record('c', t.bot.snapshot(), Date.now())).toBe(false);
    t.bot.resolve();
    expect(ledger.record('c', t.bot.snapshot(), Date.now())).toBe(true);
  });
});
