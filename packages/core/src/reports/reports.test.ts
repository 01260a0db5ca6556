import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Conversation } from '../conversation/conversation.js';
import type { ConversationSnapshot, Me } from '../conversation/types.js';
import { reportToCsv, toCsv, volumeToCsv } from './csv.js';
import { searchConversations, unreadCount, waitingSince, waitingTime } from './inbox.js';
import { buildReport, computeMetrics } from './metrics.js';
import { percentile } from './stats.js';

const grace: Me = { role: 'agent', id: 'agt-grace', name: 'Grace' };
const linus: Me = { role: 'agent', id: 'agt-linus', name: 'Linus' };
const bot: Me = { role: 'bot', id: 'bot-faq', name: 'FAQ bot' };

const at = (iso: string) => vi.setSystemTime(new Date(iso));

/** One conversation doc; every principal gets its own model over it, as if synced. */
function conversation(createdIso: string, customer: { id: string; name: string; email?: string }) {
  at(createdIso);
  const doc = new Y.Doc();
  const me: Me = { role: 'customer', ...customer };
  const cust = Conversation.create({ doc, me, deviceId: 'phone' }, { customer });
  const as = (who: Me) => Conversation.open({ doc, me: who, deviceId: `${who.id}-desk` });
  return { doc, cust, as, snapshot: () => cust.snapshot() };
}

let A: ConversationSnapshot, B: ConversationSnapshot, C: ConversationSnapshot, D: ConversationSnapshot, E: ConversationSnapshot, F: ConversationSnapshot;
let dConv: ReturnType<typeof conversation>;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });

  // A: Grace answers in 2 min, resolves after 30 min, CSAT 5.
  const a = conversation('2025-03-01T10:00:00Z', { id: 'c-ada', name: 'Ada Lovelace', email: 'ada@example.com' });
  a.cust.send({ text: 'My order is late' });
  at('2025-03-01T10:02:00Z');
  const ag = a.as(grace);
  ag.assign({ agent: grace, team: 'tier1' });
  ag.send({ text: 'Looking into it' });
  at('2025-03-01T10:30:00Z');
  ag.resolve();
  a.cust.rate(5, 'great');
  A = a.snapshot();

  // B: Linus answers in 10 min, resolves after 2 h, CSAT 3.
  const b = conversation('2025-03-01T12:00:00Z', { id: 'c-bjorn', name: 'Björn Müller' });
  b.cust.send({ text: 'The invoice is missing' });
  at('2025-03-01T12:10:00Z');
  const bl = b.as(linus);
  bl.assign({ agent: linus, team: 'tier1' });
  bl.send({ text: 'Sent again' });
  at('2025-03-01T14:00:00Z');
  bl.resolve();
  b.cust.rate(3);
  B = b.snapshot();

  // C: only a bot answers: unanswered.
  const c = conversation('2025-03-02T09:00:00Z', { id: 'c-cem', name: 'Cem' });
  c.cust.send({ text: 'refund please' });
  at('2025-03-02T09:00:01Z');
  c.as(bot).send({ text: 'An agent will be with you shortly' });
  c.as(grace).assign({ team: 'senior' });
  C = c.snapshot();

  // D: Grace answers in 1 min, the customer writes again at 08:05; still open.
  dConv = conversation('2025-03-03T08:00:00Z', { id: 'c-dana', name: 'Dana' });
  dConv.cust.send({ text: 'hello?' });
  at('2025-03-03T08:01:00Z');
  const dg = dConv.as(grace);
  dg.assign({ agent: grace, team: 'tier1' });
  dg.send({ text: 'Hi Dana' });
  dg.markRead();
  at('2025-03-03T08:05:00Z');
  dConv.cust.send({ text: 'still there?' });
  D = dConv.snapshot();

  // E: before the period.
  const e = conversation('2025-02-28T23:59:59Z', { id: 'c-eve', name: 'Eve' });
  e.cust.send({ text: 'old' });
  E = e.snapshot();

  // F: opened, nothing written.
  F = conversation('2025-03-02T18:00:00Z', { id: 'c-finn', name: 'Finn' }).snapshot();
});

afterAll(() => vi.useRealTimers());

const period = { from: Date.parse('2025-03-01T00:00:00Z'), to: Date.parse('2025-03-04T00:00:00Z') };

describe('percentile', () => {
  it.each<[number[], number, number | null]>([
    [[], 50, null],
    [[7], 90, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, 10],
  ])('%j p%i = %s', (values, p, expected) => expect(percentile(values, p)).toBe(expected));
});

describe('buildReport', () => {
  it('computes the period totals', () => {
    const r = buildReport([A, B, C, D, E, F], period);
    expect(r.total).toEqual({
      conversations: 5,
      withCustomerMessage: 4,
      firstResponse: { count: 3, median: 120_000, p90: 600_000 },
      resolution: { count: 2, median: 1_800_000, p90: 7_200_000 },
      csat: { count: 2, average: 4 },
      unanswered: { count: 1, rate: 0.25 },
    });
  });

  it('counts volume for every day of the period, in the given time zone', () => {
    expect(buildReport([A, B, C, D, E, F], period).perDay).toEqual([
      { day: '2025-03-01', conversations: 2 },
      { day: '2025-03-02', conversations: 2 },
      { day: '2025-03-03', conversations: 1 },
    ]);
    // In Los Angeles (UTC-8) E, created 23:59:59Z, falls on Feb 28 15:59 and A/B on Mar 1.
    const la = buildReport([A, B, C, D, E, F], { from: Date.parse('2025-03-01T08:00:00Z'), to: Date.parse('2025-03-02T08:00:00Z'), timeZone: 'America/Los_Angeles' });
    expect(la.perDay).toEqual([{ day: '2025-03-01', conversations: 2 }]);
  });

  it('groups per agent and per team', () => {
    const r = buildReport([A, B, C, D, E, F], period);
    expect(r.perAgent.map((g) => [g.name, g.metrics.conversations, g.metrics.firstResponse.median, g.metrics.csat.average])).toEqual([
      ['Grace', 2, 60_000, 5],
      ['Unassigned', 2, null, null],
      ['Linus', 1, 600_000, 3],
    ]);
    expect(r.perTeam.map((g) => [g.key, g.metrics.conversations, g.metrics.unanswered.rate])).toEqual([
      ['tier1', 3, 0],
      ['', 1, null],
      ['senior', 1, 1],
    ]);
  });

  it('gives nulls, not NaN, for no conversations', () => {
    expect(computeMetrics([])).toEqual({
      conversations: 0,
      withCustomerMessage: 0,
      firstResponse: { count: 0, median: null, p90: null },
      resolution: { count: 0, median: null, p90: null },
      csat: { count: 0, average: null },
      unanswered: { count: 0, rate: null },
    });
  });
});

describe('CSV export', () => {
  it('writes one row per group with seconds and rates', () => {
    const lines = reportToCsv(buildReport([A, B, C, D, E, F], period)).split('\r\n');
    expect(lines[0]).toBe(
      'group,key,name,conversations,with_customer_message,unanswered,unanswered_rate,first_response_median_s,first_response_p90_s,resolution_median_s,resolution_p90_s,resolved,csat_average,csat_count',
    );
    expect(lines[1]).toBe('total,,All,5,4,1,0.25,120,600,1800,7200,2,4,2');
    expect(lines).toContain('agent,agt-linus,Linus,1,1,0,0,600,600,7200,7200,1,3,1');
    expect(lines.at(-1)).toBe('');
  });

  it('writes daily volume', () => {
    expect(volumeToCsv(buildReport([A, B, C, D, E, F], period))).toBe('day,conversations\r\n2025-03-01,2\r\n2025-03-02,2\r\n2025-03-03,1\r\n');
  });

  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['line\nbreak', '"line\nbreak"'],
  ])('escapes %j', (value, expected) => expect(toCsv([[value]])).toBe(`${expected}\r\n`));
});

describe('inbox helpers', () => {
  it('measures waiting from the customer’s oldest unanswered message; bots do not stop the clock', () => {
    const now = Date.parse('2025-03-03T08:15:00Z');
    expect(waitingSince(D)).toBe(Date.parse('2025-03-03T08:05:00Z'));
    expect(waitingTime(D, now)).toBe(600_000);
    expect(waitingTime(A, now)).toBe(0);
    expect(waitingSince(C)).toBe(Date.parse('2025-03-02T09:00:00Z'));
    expect(waitingSince(F)).toBeNull();
  });

  it('counts unread per principal from their own read marker', () => {
    expect(unreadCount(D, grace)).toBe(1);
    expect(unreadCount(D, linus)).toBe(2);
    expect(unreadCount(D, { role: 'customer', id: 'c-dana' })).toBe(1);
    dConv.cust.markRead();
    expect(unreadCount(dConv.snapshot(), { role: 'customer', id: 'c-dana' })).toBe(0);
  });

  it.each<[string, string[], string]>([
    ['muller', ['c-bjorn'], 'name'],
    ['INVOICE', ['c-bjorn'], 'message'],
    ['lovelace example.com', ['c-ada'], 'name'],
    ['ada@example', ['c-ada'], 'email'],
    ['refund', ['c-cem'], 'message'],
    ['ada refund', [], ''],
    ['   ', [], ''],
  ])('search %j', (query, customers, field) => {
    const hits = searchConversations([A, B, C, D, F], query);
    expect(hits.map((h) => h.conversation.meta.customer.id)).toEqual(customers);
    if (hits[0]) expect(hits[0].field).toBe(field);
  });

  it('returns newest first with an excerpt and the message to jump to', () => {
    const hits = searchConversations([A, B, C, D], 'o');
    expect(hits.map((h) => h.conversation.meta.customer.id)).toEqual(['c-dana', 'c-cem', 'c-bjorn', 'c-ada']);
    const invoice = searchConversations([B], 'invoice')[0]!;
    expect(invoice.messageId).toBe(B.messages[0]!.id);
    expect(invoice.excerpt).toBe('The invoice is missing');
  });
});
