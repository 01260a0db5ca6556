/**
 * Support metrics over conversation snapshots: pure functions, no document access, so the agent
 * app, a worker or a test can run them over whatever replicas they hold.
 *
 * Definitions:
 * - a conversation belongs to the period when it was created in it (`meta.createdAt` in [from, to));
 * - first response: first customer message → first human agent reply after it;
 * - resolution: creation → the resolve event, for conversations resolved now;
 * - unanswered: has a customer message but no agent reply; rate = unanswered / with a customer message;
 * - per agent: by current assignee ('' = unassigned); per team: by current team ('' = none);
 * - median and p90 are nearest-rank (always a value that occurred); times in ms.
 */
import type { ConversationSnapshot } from '../conversation/types.js';
import { firstResponseMs, hasCustomerMessage, isAnswered, resolutionMs } from './conversation-facts.js';
import { distribution, type Distribution } from './stats.js';

export interface Period {
  from: number;
  to: number;
}

export interface Metrics {
  conversations: number;
  /** Conversations in which the customer wrote at least once. */
  withCustomerMessage: number;
  firstResponse: Distribution;
  resolution: Distribution;
  csat: { count: number; average: number | null };
  unanswered: { count: number; rate: number | null };
}

export interface GroupMetrics {
  key: string;
  name: string;
  metrics: Metrics;
}

export interface Report {
  period: Period;
  timeZone: string;
  total: Metrics;
  /** Every day of the period, including days without conversations. */
  perDay: { day: string; conversations: number }[];
  perAgent: GroupMetrics[];
  perTeam: GroupMetrics[];
}

export function computeMetrics(conversations: readonly ConversationSnapshot[]): Metrics {
  const firstResponses: number[] = [];
  const resolutions: number[] = [];
  const scores: number[] = [];
  let withCustomer = 0;
  let unanswered = 0;
  for (const c of conversations) {
    const frt = firstResponseMs(c);
    if (frt !== null) firstResponses.push(frt);
    const res = resolutionMs(c);
    if (res !== null) resolutions.push(res);
    if (c.meta.csat) scores.push(c.meta.csat.score);
    if (hasCustomerMessage(c)) {
      withCustomer++;
      if (!isAnswered(c)) unanswered++;
    }
  }
  return {
    conversations: conversations.length,
    withCustomerMessage: withCustomer,
    firstResponse: distribution(firstResponses),
    resolution: distribution(resolutions),
    csat: { count: scores.length, average: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null },
    unanswered: { count: unanswered, rate: withCustomer ? unanswered / withCustomer : null },
  };
}

export function inPeriod(conversations: readonly ConversationSnapshot[], period: Period): ConversationSnapshot[] {
  return conversations.filter((c) => c.exists && c.meta.createdAt >= period.from && c.meta.createdAt < period.to);
}

/** Calendar day (YYYY-MM-DD) of `t` in `timeZone`. */
export function dayOf(t: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

export function buildReport(all: readonly ConversationSnapshot[], options: Period & { timeZone?: string }): Report {
  const timeZone = options.timeZone ?? 'UTC';
  const period = { from: options.from, to: options.to };
  const conversations = inPeriod(all, period);

  const perDay = new Map<string, number>();
  // Walk the period in 6-hour steps so every calendar day appears once, whatever the offset or DST.
  for (let t = period.from; t < period.to; t += 6 * 3_600_000) perDay.set(dayOf(t, timeZone), 0);
  if (period.to > period.from) perDay.set(dayOf(period.to - 1, timeZone), perDay.get(dayOf(period.to - 1, timeZone)) ?? 0);
  for (const c of conversations) {
    const day = dayOf(c.meta.createdAt, timeZone);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }

  return {
    period,
    timeZone,
    total: computeMetrics(conversations),
    perDay: [...perDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, n]) => ({ day, conversations: n })),
    perAgent: groupBy(conversations, (c) => ({ key: c.state.assignee?.id ?? '', name: c.state.assignee?.name ?? 'Unassigned' })),
    perTeam: groupBy(conversations, (c) => ({ key: c.state.team ?? '', name: c.state.team ?? 'No team' })),
  };
}

function groupBy(conversations: readonly ConversationSnapshot[], keyOf: (c: ConversationSnapshot) => { key: string; name: string }): GroupMetrics[] {
  const groups = new Map<string, { name: string; items: ConversationSnapshot[] }>();
  for (const c of conversations) {
    const { key, name } = keyOf(c);
    const g = groups.get(key) ?? { name, items: [] };
    g.items.push(c);
    groups.set(key, g);
  }
  return [...groups]
    .map(([key, g]) => ({ key, name: g.name, metrics: computeMetrics(g.items) }))
    .sort((a, b) => b.metrics.conversations - a.metrics.conversations || a.name.localeCompare(b.name));
}
