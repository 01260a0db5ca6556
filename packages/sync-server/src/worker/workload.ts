/**
 * What the worker knows about every conversation it has read: who holds it, whether it is open,
 * and when each agent last got one by assignment. Capacity and round-robin are computed from it,
 * so after a restart the worker rebuilds the same picture from the documents themselves.
 */
import { effectiveStatus, isActive, type ConversationSnapshot } from '@parley/core';

interface Facts {
  assignee: string | null;
  active: boolean;
  /** agent id → latest assignment event time to that agent in this conversation */
  assignedAt: Map<string, number>;
}

export interface Workload {
  /** Open conversations assigned to `agentId`. */
  load(agentId: string): number;
  /** When `agentId` last got a conversation assigned (0: never), for round-robin order. */
  lastAssignedAt(agentId: string): number;
}

export interface Ledger extends Workload {
  record(doc: string, snapshot: ConversationSnapshot, now: number): void;
  readonly size: number;
}

export function createLedger(): Ledger {
  const facts = new Map<string, Facts>();
  return {
    record(doc, snapshot, now) {
      if (!snapshot.exists) return;
      const assignedAt = new Map<string, number>();
      for (const m of snapshot.messages) {
        const e = m.event;
        if (e?.type === 'assignment' && e.agent) assignedAt.set(e.agent.id, Math.max(assignedAt.get(e.agent.id) ?? 0, m.clientTime));
      }
      facts.set(doc, { assignee: snapshot.state.assignee?.id ?? null, active: isActive(effectiveStatus(snapshot, now)), assignedAt });
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
