import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import type { AgentEntry, NewAgent } from '../agents/agents-api.js';

export interface AgentChange {
  id: string;
  teams?: string[];
  disabled?: boolean;
}

const splitTeams = (text: string): string[] => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];

/**
 * Admins' account list: add an agent (teams, role; the relay generates the password, shown once),
 * change an agent's teams, disable or enable. Emits `pa-add-agent` / `pa-change-agent`; the
 * workspace calls the relay and hands back `error` or `password`.
 */
@customElement('pa-agent-accounts')
export class AgentAccountsView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; }
      table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 10px; }
      th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--pa-border); }
      tr.disabled td { color: var(--pa-muted); }
      input[name='teams'] { width: 14em; }
      form { display: flex; gap: 6px; flex-wrap: wrap; align-items: end; }
      label { display: inline-grid; gap: 2px; font-size: 13px; }
      .error { color: var(--pa-danger); }
      .password { background: #fff8db; padding: 6px 10px; border-radius: 6px; }
      code { user-select: all; }
    `,
  ];

  @property({ attribute: false }) agents: readonly AgentEntry[] = [];
  /** the signed-in admin (cannot disable themself) */
  @property() me = '';
  @property() error = '';
  /** a generated password to show once, with the email it belongs to */
  @property({ attribute: false }) created: { email: string; password: string } | null = null;
  @state() private editing: Record<string, string> = {};

  private change(detail: AgentChange): void {
    this.dispatchEvent(new CustomEvent<AgentChange>('pa-change-agent', { detail, bubbles: true, composed: true }));
  }

  private add(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const detail: NewAgent = {
      email: String(data.get('email') ?? '').trim(),
      name: String(data.get('name') ?? '').trim(),
      role: data.get('role') === 'admin' ? 'admin' : 'agent',
      teams: splitTeams(String(data.get('teams') ?? '')),
    };
    this.dispatchEvent(new CustomEvent<NewAgent>('pa-add-agent', { detail, bubbles: true, composed: true }));
    form.reset();
  }

  private renderRow(a: AgentEntry): TemplateResult {
    const draft = this.editing[a.id] ?? a.teams.join(', ');
    const changed = draft !== a.teams.join(', ');
    return html`<tr class=${a.disabled ? 'disabled' : ''} data-agent=${a.email}>
      <td>${a.name}</td><td>${a.email}</td><td>${a.role}</td>
      <td><input name="teams" aria-label="Teams of ${a.name} (comma separated)" .value=${draft}
        @input=${(e: Event) => (this.editing = { ...this.editing, [a.id]: (e.target as HTMLInputElement).value })} />
        <button data-action="save-teams" ?disabled=${!changed} @click=${() => { this.change({ id: a.id, teams: splitTeams(draft) }); const { [a.id]: _, ...rest } = this.editing; this.editing = rest; }}>Save teams</button></td>
      <td>${a.disabled ? 'disabled' : 'active'}</td>
      <td>${a.id === this.me
        ? null
        : html`<button data-action=${a.disabled ? 'enable' : 'disable'} @click=${() => this.change({ id: a.id, disabled: !a.disabled })}>${a.disabled ? 'Enable' : 'Disable'}</button>`}</td>
    </tr>`;
  }

  override render(): TemplateResult {
    return html`
      <table>
        <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Teams</th><th>Status</th><th></th></tr></thead>
        <tbody>${this.agents.map((a) => this.renderRow(a))}</tbody>
      </table>
      <form @submit=${this.add} aria-label="Add an agent">
        <label>Name <input name="name" required /></label>
        <label>Email <input name="email" type="email" required /></label>
        <label>Role <select name="role"><option value="agent">agent</option><option value="admin">admin</option></select></label>
        <label>Teams <input name="teams" placeholder="tier1, sales" /></label>
        <button type="submit" data-action="add-agent">Add agent</button>
      </form>
      ${this.created
        ? html`<p class="password" role="status">Password for ${this.created.email}: <code data-password>${this.created.password}</code> — shown once; give it to them privately.</p>`
        : null}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-agent-accounts': AgentAccountsView;
  }
}
