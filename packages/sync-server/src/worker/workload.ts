/**
 * What the worker knows about every conversation it has read: who holds it, whether it is open,
 * and when each agent last got one by assignment. Capacity and round-robin are computed from it,
 * so after a restart the worker rebuilds the same picture from the documents themselves.
 */
import { effectiveStatus, isActive, type ConversationSnapshot } from '@parley/core';
import { waitingForAgent } from './routing.js';

interface Facts {
  assignee: string | null;
  active: boolean;
  /** agent id → latest assignment event time to that agent in this conversation */
  assignedAt: Map<string, number>;
  /** routed to a team while nobody could take it: since the customer's first message, else null */
  waitingSince: number | null;
}

export interface Workload {
  /** Open conversations assigned to `agentId`. */
  load(agentId: string): number;
  /** When `agentId` last got a conversation assigned (0: never), for round-robin order. */
  lastAssignedAt(agentId: string): number;
}

export interface Ledger extends Workload {
  /** True when this read freed a place: an agent no longer holds this conversation open. */
  record(doc: string, snapshot: ConversationSnapshot, now: number): boolean;
  /** Conversations waiting for an agent of their team, longest waiting first. */
  waiting(): string[];
  readonly size: number;
}

/** `botId`: the worker's own id, whose team-only assignments mark a conversation as waiting. */
export function createLedger(botId = 'router'): Ledger {
  const facts = new Map<string, Facts>();
  return {
    record(doc, snapshot, now) {
      if (!snapshot.exists) return false;
      const assignedAt = new Map<string, number>();
      for (const m of snapshot.messages) {
        const e = m.event;
        if (e?.type === 'assignment' && e.agent) assignedAt.set(e.agent.id, Math.max(assignedAt.get(e.agent.id) ?? 0, m.clientTime));
      }
      const before = facts.get(doc);
      const waitingSince = waitingForAgent(snapshot, botId, now) ? (snapshot.messages.find((m) => m.author.role === 'customer')?.clientTime ?? now) : null;
      const after: Facts = { assignee: snapshot.state.assignee?.id ?? null, active: isActive(effectiveStatus(snapshot, now)), assignedAt, waitingSince };
      facts.set(doc, after);
      return before !== undefined && before.active && before.assignee !== null && (!after.active || after.assignee !== before.assignee);
    },
    waiting() {
      return [...facts.entries()]
        .filter(([, f]) => f.waitingSince !== null)
        .sort(([, a], [, b]) => a.waitingSince! - b.waitingSince!)
        .map(([doc]) => doc);
    },
    load(agentId) {
      let n = 0;
      for (const f of facts.values()) if (f.active && f.assignee === agentId) n++;
      return n;
    },
    lastAssignedAt(agentId) {
      let last = 0;
      for (const f of facts.values()) last = Math.max(last, f.assignedAt.get(agentId) ?? 0);
      return last;
    },
    get size() {
      return facts.size;
    },
  };
}
