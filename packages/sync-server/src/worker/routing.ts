/**
 * Which team and agent a new conversation goes to. Pure: the worker hands in a snapshot, the
 * settings, who is online and the workload; tests call it with plain data.
 */
import { capacityOf, effectiveStatus, isActive, routeConversation, teamMembers, type AgentRef, type ConversationSnapshot, type RoutingRule, type RoutingSettings } from '@parley/core';
import type { Workload } from './workload.js';

export interface RoutingInput {
  rules: readonly RoutingRule[];
  routing: RoutingSettings;
  online: ReadonlyMap<string, AgentRef>;
  workload: Workload;
}

export interface RoutingPlan {
  team: string;
  /** null: nobody of the team is online under capacity; the conversation waits in the unassigned view */
  agent: AgentRef | null;
}

const isCustomerMessage = (m: ConversationSnapshot['messages'][number]): boolean => m.author.role === 'customer' && m.kind !== 'event' && !m.deleted;

/**
 * Only conversations nobody has routed yet: a customer wrote, and there is no team, no assignee and
 * no assignment event at all (an agent who unassigned on purpose is not overruled). This is what
 * makes the worker idempotent across restarts and makes a second worker that sees the first one's
 * assignment do nothing.
 */
export function needsRouting(snapshot: ConversationSnapshot): boolean {
  if (!snapshot.exists || snapshot.state.team !== null || snapshot.state.assignee !== null) return false;
  if (snapshot.messages.some((m) => m.event?.type === 'assignment')) return false;
  return snapshot.messages.some(isCustomerMessage);
}

/** Round-robin: the online team member under capacity who least recently got a conversation. */
export function chooseAgent(team: string, input: Omit<RoutingInput, 'rules'>): AgentRef | null {
  const candidates = teamMembers(input.routing, team)
    .map((id) => input.online.get(id))
    .filter((a): a is AgentRef => a !== undefined && input.workload.load(a.id) < capacityOf(input.routing, a.id));
  candidates.sort((a, b) => input.workload.lastAssignedAt(a.id) - input.workload.lastAssignedAt(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return candidates[0] ?? null;
}

/** The plan for a conversation, or null when it is not to be routed (already routed, or no rule matches). */
export function planRouting(snapshot: ConversationSnapshot, input: RoutingInput): RoutingPlan | null {
  if (!needsRouting(snapshot)) return null;
  const text = snapshot.messages.filter(isCustomerMessage).map((m) => m.text).join('\n');
  const { referralPage, language } = snapshot.meta;
  const team = routeConversation(input.rules, { text, ...(referralPage ? { url: referralPage } : {}), ...(language ? { language } : {}) });
  if (team === null) return null;
  return { team, agent: chooseAgent(team, input) };
}

/**
 * A conversation this worker routed to a team while nobody of it could take it: still open, a team,
 * no assignee, and the latest assignment event is the bot's own team-only one. An agent who
 * unassigned or moved it on purpose wrote the latest event, so they are not overruled.
 */
export function waitingForAgent(snapshot: ConversationSnapshot, botId: string, now: number): boolean {
  if (!snapshot.exists || snapshot.state.team === null || snapshot.state.assignee !== null) return false;
  if (!isActive(effectiveStatus(snapshot, now))) return false;
  for (let i = snapshot.messages.length - 1; i >= 0; i--) {
    const m = snapshot.messages[i]!;
    if (m.event?.type === 'assignment') return m.author.role === 'bot' && m.author.id === botId;
  }
  return false;
}

/** An agent for a waiting conversation once one of its team is online under capacity; null: keep waiting (nothing to write). */
export function planWaiting(snapshot: ConversationSnapshot, input: Omit<RoutingInput, 'rules'>, botId: string, now: number): RoutingPlan | null {
  if (!waitingForAgent(snapshot, botId, now)) return null;
  const team = snapshot.state.team!;
  const agent = chooseAgent(team, input);
  return agent ? { team, agent } : null;
}
