/**
 * The relay's agent directory (`GET /v1/agents`) and, for admins, account management
 * (`POST /v1/agents`, `PUT /v1/agents/:id`), and every agent's own avatar (`PUT /v1/agents/:id/avatar`). Plain fetch calls; every refusal is an AgentsApiError
 * carrying the relay's status and sentence, so the screen can show it as is.
 */

import type { AgentEntry, StaffRole } from '@parley/core';

// The app's modules import the directory's shape from here, beside the calls that fetch it.
export type { AgentEntry, StaffRole };

export interface NewAgent {
  email: string;
  name: string;
  role: StaffRole;
  teams: string[];
}

export class AgentsApiError extends Error {
  override readonly name = 'AgentsApiError';
  constructor(
    /** HTTP status; 0 when the relay could not be reached */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentsApi {
  list(): Promise<AgentEntry[]>;
  /** Resolves with the new account and, when the relay generated one, its password (shown once). */
  add(agent: NewAgent): Promise<{ agent: AgentEntry; password?: string }>;
  update(id: string, change: { teams?: string[]; disabled?: boolean }): Promise<AgentEntry>;
  /** Sets an avatar URL (null removes it); agents their own only, admins anyone's. */
  setAvatar(id: string, avatar: string | null): Promise<AgentEntry>;
}

export function createAgentsApi(relayUrl: string, token: () => string, fetchImpl: typeof fetch = (...a) => fetch(...a)): AgentsApi {
  const call = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    let res: Response;
    try {
      res = await fetchImpl(`${relayUrl}/v1${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${token()}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch {
      throw new AgentsApiError(0, 'Cannot reach Parley right now.');
    }
    const body = (await res.json().catch(() => ({}))) as { message?: unknown };
    if (!res.ok) throw new AgentsApiError(res.status, typeof body.message === 'string' ? body.message : `The relay answered ${res.status}.`);
    return body as T;
  };
  return {
    list: async () => (await call<{ agents: AgentEntry[] }>('/agents')).agents,
    add: (agent) => call<{ agent: AgentEntry; password?: string }>('/agents', { method: 'POST', body: agent }),
    update: async (id, change) => (await call<{ agent: AgentEntry }>(`/agents/${encodeURIComponent(id)}`, { method: 'PUT', body: change })).agent,
    setAvatar: async (id, avatar) => (await call<{ agent: AgentEntry }>(`/agents/${encodeURIComponent(id)}/avatar`, { method: 'PUT', body: { avatar } })).agent,
  };
}
