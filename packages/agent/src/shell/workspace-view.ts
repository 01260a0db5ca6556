import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { theme } from '../ui/theme.js';
import '../inbox/inbox-view.js';
import '../conversation/conversation-pane.js';
import '../shortcuts/help-overlay.js';
import '../reports/reports-view.js';
import '../settings/settings-view.js';
import '../session/profile-view.js';
import { SettingsController } from '../controllers/settings-controller.js';
import { isParleyError, type Announcement, type WorkspaceSettings } from '@parley/core';
import { InboxController } from '../controllers/inbox-controller.js';
import { ConnectionController } from '../controllers/connection-controller.js';
import { PresenceController, type Presence } from '../controllers/presence-controller.js';
import { AgentDirectoryController } from '../controllers/agent-directory-controller.js';
import { createAgentsApi, type NewAgent } from '../agents/agents-api.js';
import { myTeams, teamsFromDirectory, transferOptions } from '../agents/transfer-options.js';
import '../settings/agent-accounts-view.js';
import type { AgentChange } from '../settings/agent-accounts-view.js';
import { createKeymap, type Command } from '../shortcuts/keymap.js';
import { notify, type NotifyPreference } from './notifications.js';
import type { AgentSync } from '../sync/sync-port.js';
import type { Session } from '../session/session.js';
import type { InboxItem, InboxQuery } from '../inbox/inbox-query.js';
import type { ConversationPane } from '../conversation/conversation-pane.js';
import type { ConversationControllerOptions } from '../controllers/conversation-controller.js';

export type Screen = 'inbox' | 'reports' | 'settings' | 'profile';

/**
 * The signed-in app: top bar (screens, connection, presence, notifications, sign-out), the inbox
 * column and the conversation tabs. Owns the data-source controllers; children only render.
 */
@customElement('pa-workspace')
export class WorkspaceView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: grid; grid-template-rows: auto auto 1fr; height: 100%; background: var(--pa-bg); }
      header { display: flex; align-items: center; gap: 10px; padding: 6px 12px; background: #1d2430; color: #fff; }
      header button { background: transparent; color: #fff; border-color: #4a5568; }
      header button[aria-current='page'] { background: #fff; color: #1d2430; }
      header select { padding: 2px 4px; color: var(--pa-text); }
      .brand { font-weight: 700; margin-right: 8px; }
      .spacer { flex: 1; }
      .conn { font-size: 12px; padding: 2px 8px; border-radius: 10px; }
      .conn.online { background: #157f3b; }
      .conn.connecting { background: #a15c07; }
      .conn.offline { background: #b42318; }
      .banner { background: #fdecea; color: #7a1a12; padding: 6px 12px; font-size: 13px; border-bottom: 1px solid #f5c2bd; }
      main { display: grid; grid-template-columns: 340px 1fr; min-height: 0; }
      pa-inbox { min-height: 0; }
      .tabs-area { display: grid; grid-template-rows: auto 1fr; min-height: 0; }
      .tabs { display: flex; gap: 2px; padding: 4px 6px 0; background: #e9ecf1; overflow-x: auto; }
      .tab { display: flex; align-items: center; gap: 4px; border-radius: 6px 6px 0 0; border-bottom: 0; padding: 4px 8px; background: #dfe3ea; white-space: nowrap; }
      .tab[aria-selected='true'] { background: var(--pa-panel); color: var(--pa-text); border-color: var(--pa-border); }
      .tab .x { border: 0; padding: 0 4px; background: transparent; }
      .panes { min-height: 0; position: relative; }
      .placeholder { display: grid; place-items: center; height: 100%; color: var(--pa-muted); }
      .signout { display: flex; align-items: center; gap: 6px; font-size: 12px; }
      .signout img { width: 22px; height: 22px; border-radius: 50%; object-fit: cover; }
      ::slotted(*) { min-height: 0; }
      .screen { min-height: 0; overflow: auto; }
      .accounts { margin: 16px 24px 0; max-width: 980px; background: var(--pa-panel); border: 1px solid var(--pa-border); border-radius: var(--pa-radius); padding: 12px 16px; }
      .accounts h2 { font-size: 15px; margin: 0 0 10px; }
    `,
  ];

  @property({ attribute: false }) session!: Session;
  @property({ attribute: false }) sync!: AgentSync;
  @property({ attribute: false }) deviceId = '';
  @state() private screen: Screen = 'inbox';
  @state() private query: InboxQuery = { view: 'all', status: 'open', me: '', teams: [], search: '' };
  @state() private tabs: string[] = [];
  @state() private active = '';
  @state() private help = false;
  @state() private now = Date.now();
  @state() private notifyPref: NotifyPreference = (localStorage.getItem('parley.agent.notify') as NotifyPreference | null) ?? 'mine';
  @state() private clearOnSignOut = false;
  private inbox!: InboxController;
  private connection!: ConnectionController;
  private presence!: PresenceController;
  private settings!: SettingsController;
  private directory!: AgentDirectoryController;
  @state() private accountsError = '';
  @state() private createdAccount: { email: string; password: string } | null = null;
  @state() private settingsError = '';
  /** the agent's avatar as their account has it (sign-in, then every directory refresh) */
  @state() private myAvatar: string | undefined;
  @state() private profileError = '';
  @state() private profileBusy = false;
  private readonly keymap = createKeymap();
  private clock: ReturnType<typeof setInterval> | undefined;
  private paneOptions!: ConversationControllerOptions;

  override connectedCallback(): void {
    if (!this.inbox) {
      const s = this.session;
      this.myAvatar = s.avatar;
      this.query = { ...this.query, me: s.agentId };
      this.inbox = new InboxController(this, this.sync, {
        ws: s.ws,
        me: s.agentId,
        onActivity: (item, kind) => notify(this.notifyPref, item, kind, { me: s.agentId, focused: this.active === item.doc && document.visibilityState === 'visible', open: (doc) => this.openTab(doc) }),
      });
      this.connection = new ConnectionController(this, this.sync);
      this.settings = new SettingsController(this, this.sync, s.ws);
      this.presence = new PresenceController(this, this.sync, { ws: s.ws, id: s.agentId, name: s.name });
      this.directory = new AgentDirectoryController(this, this.sync, createAgentsApi(s.relayUrl, () => this.session.token), s.ws, (agents) => {
        // The routing worker reads team members from the settings document (the relay never
        // writes documents), so an admin's app keeps them equal to the accounts' teams, including
        // accounts changed from the command line.
        if (s.role === 'admin') void this.settings.syncRoutingTeams(teamsFromDirectory(agents)).catch((err: unknown) => (this.settingsError = String(err)));
        // Changed on another device, or by an admin: replies from here carry the account's avatar.
        const mine = agents.find((a) => a.id === s.agentId);
        if (mine && mine.avatar !== this.myAvatar) this.setMyAvatar(mine.avatar);
      });
      this.paneOptions = {
        me: { id: s.agentId, name: s.name, role: s.role === 'admin' ? 'admin' : 'agent', ...(s.avatar ? { avatar: s.avatar } : {}) },
        deviceId: this.deviceId,
        relayUrl: s.relayUrl,
        token: s.token,
        previous: (customerId, except) =>
          [...this.inbox.items.values()]
            .filter((i) => i.customerId === customerId && i.doc !== except)
            .sort((a, b) => b.updatedAt - a.updatedAt)
            .map((i) => ({ doc: i.doc, title: i.preview || 'Conversation', status: i.status, at: i.updatedAt })),
      };
    }
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
    // Wait times tick; once every 15 s is precise enough for "waiting 12m".
    this.clock = setInterval(() => (this.now = Date.now()), 15_000);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    clearInterval(this.clock);
    super.disconnectedCallback();
  }

  /** The inbox's data source, for the reports and tests. */
  get inboxController(): InboxController {
    return this.inbox;
  }

  /** Other agents connected now, with their presence (what the transfer menu lists). */
  get otherAgents(): readonly { id: string; name: string; presence: Presence }[] {
    return this.presence.agents;
  }

  openTab(doc: string): void {
    if (!this.tabs.includes(doc)) this.tabs = [...this.tabs, doc];
    this.active = doc;
    this.screen = 'inbox';
    this.inbox.touch(doc);
  }

  closeTab(doc: string): void {
    const i = this.tabs.indexOf(doc);
    this.tabs = this.tabs.filter((d) => d !== doc);
    if (this.active === doc) this.active = this.tabs[Math.min(i, this.tabs.length - 1)] ?? '';
  }

  private get activePane(): ConversationPane | null {
    return this.renderRoot.querySelector<ConversationPane>(`pa-conversation-pane[data-doc="${CSS.escape(this.active)}"]`);
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    const command = this.keymap({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, target: target ?? null });
    if (command) {
      e.preventDefault();
      this.run(command);
    }
  };

  private run(command: Command): void {
    const pane = this.activePane;
    const items = this.inbox.query(this.query).items;
    const at = items.findIndex((i) => i.doc === this.active);
    switch (command) {
      case 'help':
        this.help = true;
        return;
      case 'search':
        this.screen = 'inbox';
        void this.updateComplete.then(() => this.renderRoot.querySelector('pa-inbox')?.focusSearch());
        return;
      case 'next':
      case 'previous': {
        const next = items[Math.max(0, Math.min(items.length - 1, at + (command === 'next' ? 1 : -1)))];
        if (next) this.openTab(next.doc);
        return;
      }
      case 'reply':
      case 'note':
        pane?.view?.focusComposer(command);
        return;
      case 'assignMe':
        pane?.act({ type: 'assign', agent: { id: this.session.agentId, name: this.session.name }, team: pane.conversation?.model.team ?? null });
        return;
      case 'resolve':
        pane?.act({ type: 'resolve' });
        return;
      case 'reopen':
        pane?.act({ type: 'reopen' });
        return;
      case 'closeTab':
        if (this.active) this.closeTab(this.active);
        return;
      case 'nextTab':
        if (this.tabs.length > 0) this.active = this.tabs[(this.tabs.indexOf(this.active) + 1) % this.tabs.length]!;
        return;
      case 'inbox':
        this.screen = 'inbox';
        return;
      case 'reports':
        this.screen = 'reports';
        return;
      case 'settings':
        if (this.session.role === 'admin') this.screen = 'settings';
        return;
    }
  }

  /** Teams from the routing rules, agents' memberships and conversations already assigned to one. */
  private get teams(): string[] {
    const teams = new Set(this.settings.teams);
    for (const a of this.directory.agents) for (const t of a.teams) teams.add(t);
    for (const item of this.inbox.items.values()) if (item.team) teams.add(item.team);
    return [...teams].sort();
  }

  /** Labels already used in conversations this device holds, offered by the label editor. */
  private get knownLabels(): string[] {
    const labels = new Set<string>();
    for (const item of this.inbox.items.values()) for (const l of item.labels) labels.add(l);
    return [...labels].sort();
  }

  /** The teams the signed-in agent answers for (the Team view). */
  get myTeams(): string[] {
    return myTeams(this.directory.agents, this.session.agentId, this.session.teams);
  }

  private async addAgent(agent: NewAgent): Promise<void> {
    try {
      const password = await this.directory.add(agent);
      this.createdAccount = password ? { email: agent.email, password } : null;
      this.accountsError = '';
    } catch (err) {
      this.accountsError = err instanceof Error ? err.message : String(err);
    }
  }

  private async changeAgent(change: AgentChange): Promise<void> {
    try {
      await this.directory.update(change.id, { ...(change.teams ? { teams: change.teams } : {}), ...(change.disabled !== undefined ? { disabled: change.disabled } : {}) });
      this.accountsError = '';
    } catch (err) {
      this.accountsError = err instanceof Error ? err.message : String(err);
    }
  }

  /** New pane options reach every open tab, whose controller reopens core's objects as the new author. */
  private setMyAvatar(avatar: string | undefined): void {
    this.myAvatar = avatar;
    const { avatar: _old, ...me } = this.paneOptions.me;
    this.paneOptions = { ...this.paneOptions, me: { ...me, ...(avatar ? { avatar } : {}) } };
    // The shell keeps the session (sessionStorage), so an offline reload still writes with it.
    this.dispatchEvent(new CustomEvent<{ avatar: string | undefined }>('pa-session-change', { detail: { avatar }, bubbles: true, composed: true }));
  }

  private async saveAvatar(avatar: string | null): Promise<void> {
    this.profileBusy = true;
    try {
      const entry = await this.directory.setAvatar(this.session.agentId, avatar);
      this.setMyAvatar(entry.avatar);
      this.profileError = '';
    } catch (err) {
      this.profileError = err instanceof Error ? err.message : String(err);
    } finally {
      this.profileBusy = false;
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
      this.settingsError = '';
    } catch (err) {
      this.settingsError = isParleyError(err) ? err.message : String(err);
    }
  }

  private signOut(): void {
    this.dispatchEvent(new CustomEvent<{ clear: boolean }>('pa-sign-out', { detail: { clear: this.clearOnSignOut }, bubbles: true, composed: true }));
  }

  private setNotify(pref: NotifyPreference): void {
    this.notifyPref = pref;
    localStorage.setItem('parley.agent.notify', pref);
    if (pref !== 'off' && 'Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
  }

  private tabTitle(doc: string): string {
    const item: InboxItem | undefined = this.inbox.items.get(doc);
    return item?.customerName || 'Visitor';
  }

  private renderMain(): TemplateResult {
    if (this.screen === 'profile') {
      const s = this.session;
      return html`<div class="screen"><pa-profile name=${s.name} email=${s.email} staff-role=${s.role} avatar=${this.myAvatar ?? ''} error=${this.profileError} ?busy=${this.profileBusy}
        @pa-save-avatar=${(e: CustomEvent<string | null>) => void this.saveAvatar(e.detail)}></pa-profile></div>`;
    }
    if (this.screen === 'reports') {
      return html`<div class="screen"><pa-reports .conversations=${[...this.inbox.snapshots.values()]} .listed=${this.inbox.items.size} .now=${this.now}></pa-reports></div>`;
    }
    if (this.screen === 'settings') {
      return html`<div class="screen"><section class="accounts"><h2>Agents</h2><pa-agent-accounts .agents=${this.directory.agents} me=${this.session.agentId}
          .error=${this.accountsError || this.directory.error} .created=${this.createdAccount}
          @pa-add-agent=${(e: CustomEvent<NewAgent>) => void this.addAgent(e.detail)}
          @pa-change-agent=${(e: CustomEvent<AgentChange>) => void this.changeAgent(e.detail)}></pa-agent-accounts></section><pa-settings .settings=${this.settings.settings} .announcements=${this.settings.announcements} .error=${this.settingsError}
        @pa-save-settings=${(e: CustomEvent<Partial<WorkspaceSettings>>) => this.guard(() => this.settings.update(e.detail))}
        @pa-add-announcement=${(e: CustomEvent<Omit<Announcement, 'id' | 'audience'>>) => this.guard(() => this.settings.putAnnouncement(e.detail))}
        @pa-remove-announcement=${(e: CustomEvent<string>) => this.guard(() => this.settings.removeAnnouncement(e.detail))}></pa-settings></div>`;
    }
    const teams = this.teams;
    // The Team view shows the teams this agent is a member of (accounts, via sign-in and the directory).
    const query = { ...this.query, teams: this.myTeams };
    const offline = this.connection.state !== 'online';
    const agents = transferOptions(this.directory.agents, this.presence.agents, { id: this.session.agentId, name: this.session.name });
    return html`<main>
      <pa-inbox .result=${this.inbox.query(query)} .query=${query} .now=${this.now} selected=${this.active}
        @pa-query=${(e: CustomEvent<Partial<InboxQuery>>) => (this.query = { ...this.query, ...e.detail })}
        @pa-open=${(e: CustomEvent<string>) => this.openTab(e.detail)}></pa-inbox>
      <section class="tabs-area">
        <div class="tabs" role="tablist" aria-label="Open conversations">
          ${this.tabs.map(
            (doc) => html`<div class="tab" role="tab" aria-selected=${doc === this.active} data-doc=${doc}>
              <button class="x" style="border:0;background:transparent" @click=${() => (this.active = doc)}>${this.tabTitle(doc)}</button>
              <button class="x" aria-label="Close ${this.tabTitle(doc)}" @click=${() => this.closeTab(doc)}>×</button></div>`,
          )}
        </div>
        <div class="panes" @pa-open=${(e: CustomEvent<string>) => { e.stopPropagation(); this.openTab(e.detail); }}>
          ${this.tabs.length === 0 ? html`<div class="placeholder"><p>Pick a conversation from the inbox. Press <kbd>?</kbd> for shortcuts.</p></div>` : null}
          ${repeat(
            this.tabs,
            (doc) => doc,
            (doc) => html`<pa-conversation-pane data-doc=${doc} .sync=${this.sync} .doc=${doc} .options=${this.paneOptions} .agents=${agents} .teams=${teams} .labelSuggestions=${this.knownLabels}
              .canned=${this.settings.settings.cannedReplies} ?offline=${offline} ?active=${doc === this.active} ?hidden=${doc !== this.active} .now=${this.now}></pa-conversation-pane>`,
          )}
        </div>
      </section>
    </main>`;
  }

  override render(): TemplateResult {
    const conn = this.connection.state;
    const nav = (screen: Screen, label: string): TemplateResult => html`<button data-screen=${screen} aria-current=${this.screen === screen ? 'page' : 'false'} @click=${() => (this.screen = screen)}>${label}</button>`;
    return html`
      <header>
        <span class="brand">Parley</span>
        ${nav('inbox', 'Inbox')} ${nav('reports', 'Reports')} ${this.session.role === 'admin' ? nav('settings', 'Settings') : null} ${nav('profile', 'My profile')}
        <span class="spacer"></span>
        <span class="conn ${conn}" role="status" data-connection=${conn}>${conn === 'online' ? 'Online' : conn === 'connecting' ? 'Connecting…' : 'Offline'}</span>
        <label>Me <select aria-label="My presence" data-presence=${this.presence.mine} @change=${(e: Event) => this.presence.choose(((e.target as HTMLSelectElement).value || null) as Presence | null)}>
          <option value="">Auto (${this.presence.mine})</option><option value="online">Online</option><option value="away">Away</option>
        </select></label>
        <label>Notify <select aria-label="Desktop notifications" .value=${this.notifyPref} @change=${(e: Event) => this.setNotify((e.target as HTMLSelectElement).value as NotifyPreference)}>
          <option value="all">All activity</option><option value="mine">Mine and new</option><option value="off">Off</option>
        </select></label>
        <button aria-label="Keyboard shortcuts" @click=${() => (this.help = true)}>?</button>
        <span class="signout">${this.myAvatar ? html`<img src=${this.myAvatar} alt="" referrerpolicy="no-referrer" />` : null}${this.session.name}
          <label><input type="checkbox" data-action="clear-data" .checked=${this.clearOnSignOut} @change=${(e: Event) => (this.clearOnSignOut = (e.target as HTMLInputElement).checked)} /> clear this device's data</label>
          <button data-action="sign-out" @click=${this.signOut}>Sign out</button></span>
      </header>
      ${conn === 'online' ? html`<div></div>` : html`<div class="banner" role="alert" data-offline>You are offline. You can read and write; replies are sent when the connection is back.</div>`}
      ${this.renderMain()}
      ${this.help ? html`<pa-help-overlay @pa-close=${() => (this.help = false)}></pa-help-overlay>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-workspace': WorkspaceView;
  }
}
