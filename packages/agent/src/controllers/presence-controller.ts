/**
 * PresenceController: agents' online / away state, shared as awareness on the workspace's
 * directory document (every agent follows it), never stored. Away follows the tab being hidden
 * unless the agent chose a status by hand.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { directoryDoc } from '@parley/core';
import type { AgentSync, DocHandle } from '../sync/sync-port.js';

export type Presence = 'online' | 'away' | 'offline';

export interface AgentPresence {
  id: string;
  name: string;
  presence: Presence;
}

export class PresenceController implements ReactiveController {
  mine: Presence = 'online';
  private chosen: Presence | null = null;
  private handle: DocHandle | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
    private readonly me: { ws: string; id: string; name: string },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.handle = this.sync.open(directoryDoc(this.me.ws));
    this.handle.awareness.on('change', this.onChange);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.publish();
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.handle?.awareness.off('change', this.onChange);
    this.handle?.awareness.setLocalStateField('agent', null);
    this.handle?.release();
    this.handle = undefined;
  }

  /** Sets presence by hand; `null` goes back to following the tab's visibility. */
  choose(presence: Presence | null): void {
    this.chosen = presence;
    this.publish();
  }

  /** Other agents currently connected, with their presence (offline ones are simply absent). */
  get agents(): AgentPresence[] {
    const out = new Map<string, AgentPresence>();
    const aw = this.handle?.awareness;
    if (!aw) return [];
    for (const [clientId, state] of aw.getStates()) {
      if (clientId === aw.clientID) continue;
      const a = state.agent as Partial<AgentPresence> | null | undefined;
      if (!a || typeof a.id !== 'string' || a.id === this.me.id) continue;
      const presence: Presence = a.presence === 'away' || a.presence === 'offline' ? a.presence : 'online';
      const prev = out.get(a.id);
      // Several devices of one agent: the most available one wins.
      if (!prev || prev.presence !== 'online') out.set(a.id, { id: a.id, name: typeof a.name === 'string' ? a.name : a.id, presence });
    }
    return [...out.values()].sort((x, y) => x.name.localeCompare(y.name));
  }

  private publish(): void {
    this.mine = this.chosen ?? (document.visibilityState === 'hidden' ? 'away' : 'online');
    this.handle?.awareness.setLocalStateField('agent', { id: this.me.id, name: this.me.name, presence: this.mine });
    this.host.requestUpdate();
  }

  private readonly onChange = (): void => this.host.requestUpdate();
  private readonly onVisibility = (): void => this.publish();
}
