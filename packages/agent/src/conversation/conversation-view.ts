import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import './transcript-view.js';
import './composer.js';
import './customer-panel.js';
import './label-editor.js';
import { snoozeUntil, type ConversationAction } from './actions.js';
import type { CannedReply, TemplateVars } from './canned.js';
import type { ConversationModel } from './view-model.js';

export interface AgentOption {
  id: string;
  name: string;
  /** what the transfer menu shows (name and presence); `name` is what the document records */
  label?: string;
}

/**
 * One open conversation: header with the actions, transcript, composer and customer panel.
 * Actions leave as `pa-action` events; every one of them becomes a visible event in the transcript.
 */
@customElement('pa-conversation')
export class ConversationView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: grid; grid-template-columns: 1fr 280px; grid-template-rows: auto 1fr auto; min-height: 0; height: 100%; }
      header { grid-column: 1; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 8px 12px; background: var(--pa-panel); border-bottom: 1px solid var(--pa-border); }
      header h2 { font-size: 16px; margin: 0 8px 0 0; }
      .status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #e7ecf7; }
      pa-transcript { grid-column: 1; min-height: 0; }
      pa-composer { grid-column: 1; }
      pa-customer-panel { grid-column: 2; grid-row: 1 / span 3; }
      select { padding: 3px 6px; }
      @media (max-width: 900px) { :host { grid-template-columns: 1fr; } pa-customer-panel { display: none; } }
    `,
  ];

  @property({ attribute: false }) model!: ConversationModel;
  @property({ attribute: false }) me!: AgentOption;
  @property({ attribute: false }) agents: readonly AgentOption[] = [];
  @property({ attribute: false }) teams: readonly string[] = [];
  @property({ attribute: false }) labelSuggestions: readonly string[] = [];
  @property({ attribute: false }) canned: readonly CannedReply[] = [];
  @property({ attribute: false }) vars: TemplateVars = {};
  @property() draft = '';
  @property({ type: Boolean }) offline = false;
  @property({ type: Number }) now = Date.now();

  act(action: ConversationAction): void {
    this.dispatchEvent(new CustomEvent<ConversationAction>('pa-action', { detail: action, bubbles: true, composed: true }));
  }

  focusComposer(mode?: 'reply' | 'note'): void {
    const composer = this.renderRoot.querySelector('pa-composer');
    if (!composer) return;
    if (mode) composer.mode = mode;
    composer.focus();
  }

  private assignTo(value: string): void {
    if (value === '') return;
    if (value === '-') return this.act({ type: 'assign', agent: null, team: this.model.team });
    if (value.startsWith('team:')) return this.act({ type: 'assign', agent: this.model.assignee, team: value.slice(5) });
    const found = this.agents.find((a) => a.id === value) ?? (value === this.me.id ? this.me : { id: value, name: value });
    this.act({ type: 'assign', agent: { id: found.id, name: found.name }, team: this.model.team });
  }


  override render(): TemplateResult {
    const m = this.model;
    const resolved = m.status === 'resolved';
    return html`
      <header>
        <h2>${m.customer.name || 'Visitor'}</h2>
        <span class="status" data-status=${m.status}>${m.status}${m.status === 'snoozed' && m.snoozedUntil ? ` until ${new Date(m.snoozedUntil).toLocaleString()}` : ''}</span>
        <span class="muted">${m.assignee ? `→ ${m.assignee.name}` : 'unassigned'}${m.team ? ` · ${m.team}` : ''}</span>
        <pa-label-editor data-action="labels" .labels=${m.labels} .suggestions=${this.labelSuggestions} @pa-labels=${(e: CustomEvent<string[]>) => this.act({ type: 'labels', labels: e.detail })}></pa-label-editor>
        <span style="flex:1"></span>
        ${m.assignee?.id !== this.me.id ? html`<button data-action="assign-me" title="Assign to me (a)" @click=${() => this.act({ type: 'assign', agent: this.me, team: m.team })}>Assign to me</button>` : null}
        <select aria-label="Assign or transfer" data-action="assign" @change=${(e: Event) => { this.assignTo((e.target as HTMLSelectElement).value); (e.target as HTMLSelectElement).value = ''; }}>
          <option value="">Transfer…</option>
          <option value="-">Unassign</option>
          ${this.agents.map((a) => html`<option value=${a.id}>${a.label ?? a.name}</option>`)}
          ${this.teams.map((t) => html`<option value=${`team:${t}`}>Team ${t}</option>`)}
        </select>
        <select aria-label="Priority" data-action="priority" .value=${m.priority} @change=${(e: Event) => this.act({ type: 'priority', priority: (e.target as HTMLSelectElement).value as ConversationModel['priority'] })}>
          ${(['low', 'normal', 'high', 'urgent'] as const).map((p) => html`<option value=${p} ?selected=${p === m.priority}>${p}</option>`)}
        </select>
        <select aria-label="Snooze" data-action="snooze" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value as '1h' | '4h' | 'tomorrow' | ''; (e.target as HTMLSelectElement).value = ''; if (v) this.act({ type: 'snooze', until: snoozeUntil(v) }); }}>
          <option value="">Snooze…</option><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="tomorrow">Tomorrow 9:00</option>
        </select>
        ${m.status === 'snoozed' ? html`<button data-action="reopen" title="Unsnooze (o)" @click=${() => this.act({ type: 'reopen' })}>Unsnooze</button>` : null}
        ${resolved
          ? html`<button data-action="reopen" title="Reopen (o)" @click=${() => this.act({ type: 'reopen' })}>Reopen</button>`
          : html`<button class="primary" data-action="resolve" title="Resolve (e)" @click=${() => this.act({ type: 'resolve' })}>Resolve</button>`}
      </header>
      <pa-transcript .entries=${m.entries} .customerTyping=${m.customerTyping} customerName=${m.customer.name}></pa-transcript>
      <pa-composer .draft=${this.draft} .canned=${this.canned} .vars=${this.vars} ?offline=${this.offline}></pa-composer>
      <pa-customer-panel .customer=${m.customer} .now=${this.now}></pa-customer-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-conversation': ConversationView;
  }
}
