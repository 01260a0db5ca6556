import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING_SETTINGS, type AgentRef, type RoutingRule, type RoutingSettings } from '@parley/core';
import { chooseAgent, needsRouting, planRouting } from './routing.js';
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
