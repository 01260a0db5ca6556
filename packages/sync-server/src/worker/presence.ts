/**
 * Which agents are online, from the awareness the agent app publishes on the workspace's directory
 * document (`agent: { id, name, presence }`, see packages/agent's PresenceController). Presence is
 * never stored: an agent whose socket closed simply has no state any more.
 */
import type { Awareness } from 'y-protocols/awareness';
import type { AgentRef } from '@parley/core';

/** Agents with at least one device `online` (away devices do not take new conversations). */
export function onlineAgents(awareness: Awareness): Map<string, AgentRef> {
  const out = new Map<string, AgentRef>();
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue;
    const agent = (state as { agent?: unknown }).agent;
    if (typeof agent !== 'object' || agent === null) continue;
    const { id, name, presence } = agent as { id?: unknown; name?: unknown; presence?: unknown };
    if (typeof id !== 'string' || id === '' || presence !== 'online') continue;
    out.set(id, { id, name: typeof name === 'string' && name !== '' ? name : id });
  }
  return out;
}

/** The awareness field workers announce themselves under, so that only one of them acts. */
export const WORKER_FIELD = 'routingWorker';

/**
 * Whether this worker is the one that acts: the lowest awareness client id among the workers
 * present on the directory. Deterministic, so two workers (e.g. one per relay process) agree
 * once each has seen the other; before that both may act (see README: the remaining race).
 */
export function isLeader(awareness: Awareness): boolean {
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId < awareness.clientID && (state as Record<string, unknown>)[WORKER_FIELD]) return false;
  }
  return true;
}
