/**
 * AgentDirectoryController: the workspace's agents and their teams, from the relay's
 * `GET /v1/agents`. Kept in localStorage per workspace so the transfer menu and the Team view work
 * after an offline reload; fetched again whenever the connection comes back. Admin changes go
 * through the same API and refresh the list.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AgentSync } from '../sync/sync-port.js';
import { AgentsApiError, type AgentEntry, type AgentsApi, type NewAgent } from '../agents/agents-api.js';

export class AgentDirectoryController implements ReactiveController {
  agents: AgentEntry[];
  /** the last refusal or network failure, for the admin screen */
  error = '';
  private stop: (() => void) | undefined;
  private readonly cacheKey: string;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
    private readonly api: AgentsApi,
    ws: string,
    /** called after every successful fetch with what the relay answered */
    private readonly onRefreshed: (agents: readonly AgentEntry[]) => void = () => undefined,
  ) {
    // Under parley.agent.* so "clear this device's data" removes it with the rest.
    this.cacheKey = `parley.agent.directory.${ws}`;
    this.agents = readCache(this.cacheKey);
    host.addController(this);
  }

  hostConnected(): void {
    this.stop = this.sync.onConnection((state) => {
      if (state === 'online') void this.refresh();
    });
    void this.refresh();
  }

  hostDisconnected(): void {
    this.stop?.();
  }

  async refresh(): Promise<void> {
    try {
      this.agents = await this.api.list();
      this.error = '';
      localStorage.setItem(this.cacheKey, JSON.stringify(this.agents));
      this.onRefreshed(this.agents);
    } catch (err) {
      // Offline or refused: keep what the cache holds; only the admin screen shows why.
      this.error = err instanceof AgentsApiError ? err.message : String(err);
    }
    this.host.requestUpdate();
  }

  /** Resolves with the generated password when the relay made one (shown once). */
  async add(agent: NewAgent): Promise<string | undefined> {
    const { password } = await this.api.add(agent);
    await this.refresh();
    return password;
  }

  async update(id: string, change: { teams?: string[]; disabled?: boolean }): Promise<void> {
    await this.api.update(id, change);
    await this.refresh();
  }

  /** Resolves with the account as the relay stored it; refusals reject with the relay's sentence. */
  async setAvatar(id: string, avatar: string | null): Promise<AgentEntry> {
    const entry = await this.api.setAvatar(id, avatar);
    await this.refresh();
    return entry;
  }
}

function readCache(key: string): AgentEntry[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as AgentEntry[]) : [];
  } catch {
    return [];
  }
}
