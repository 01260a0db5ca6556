/**
 * Who a conversation can be handed to: every active agent of the workspace from the directory,
 * marked with their presence (awareness on the directory document), plus teams. Pure, so the
 * ordering rules are tested in Node.
 */
import type { AgentEntry } from './agents-api.js';

export type Presence = 'online' | 'away' | 'offline';

export interface TransferOption {
  id: string;
  /** what the menu shows, e.g. "Ann Lee · online" */
  label: string;
  name: string;
  presence: Presence;
}

const RANK: Record<Presence, number> = { online: 0, away: 1, offline: 2 };

/**
 * Directory agents (disabled ones left out) merged with who is connected; someone connected but
 * not (yet) in the directory, e.g. before the first fetch or offline, is still offered. Online
 * first, then away, then offline; by name within each. The signed-in agent comes first as "(me)".
 */
export function transferOptions(
  directory: readonly AgentEntry[],
  connected: readonly { id: string; name: string; presence: Presence }[],
  me: { id: string; name: string },
): TransferOption[] {
  const presence = new Map(connected.map((a) => [a.id, a.presence]));
  const people = new Map<string, { name: string; presence: Presence }>();
  for (const a of directory) if (!a.disabled && a.id !== me.id) people.set(a.id, { name: a.name, presence: presence.get(a.id) ?? 'offline' });
  for (const a of connected) if (a.id !== me.id && !people.has(a.id) && !directory.some((d) => d.id === a.id)) people.set(a.id, { name: a.name, presence: a.presence });
  const others = [...people.entries()]
    .map(([id, p]) => ({ id, name: p.name, presence: p.presence, label: `${p.name} · ${p.presence}` }))
    .sort((x, y) => RANK[x.presence] - RANK[y.presence] || x.name.localeCompare(y.name));
  return [{ id: me.id, name: me.name, presence: 'online', label: `${me.name} (me)` }, ...others];
}

/** The teams an agent answers for: the directory's current answer when it has one, else the sign-in's. */
export function myTeams(directory: readonly AgentEntry[], me: string, fromSignIn: readonly string[]): string[] {
  return [...(directory.find((a) => a.id === me)?.teams ?? fromSignIn)];
}

/** Team → member ids, from the directory, in the shape routing settings keep (disabled agents left out). */
export function teamsFromDirectory(directory: readonly AgentEntry[]): { name: string; members: string[] }[] {
  const teams = new Map<string, string[]>();
  for (const a of directory) {
    if (a.disabled) continue;
    for (const t of a.teams) teams.set(t, [...(teams.get(t) ?? []), a.id]);
  }
  return [...teams.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => ({ name, members: members.sort() }));
}
