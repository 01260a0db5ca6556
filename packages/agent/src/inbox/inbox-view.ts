import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import '../ui/virtual-list.js';
import { STATUSES, VIEWS, formatWait, type InboxItem, type InboxQuery, type InboxResult } from './inbox-query.js';

const VIEW_LABEL = { mine: 'Mine', unassigned: 'Unassigned', team: 'Team', all: 'All' } as const;
const ROW_HEIGHT = 68;

/** The inbox column: view tabs, status filter with live counts, search, and the virtualised list. */
@customElement('pa-inbox')
export class InboxView extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: flex; flex-direction: column; min-height: 0; background: var(--pa-panel); border-right: 1px solid var(--pa-border); }
      .views, .statuses { display: flex; gap: 4px; padding: 8px 10px 0; flex-wrap: wrap; }
      .statuses button { font-size: 12px; }
      .count { display: inline-block; min-width: 1.6em; margin-left: 4px; padding: 0 5px; border-radius: 9px; background: rgba(0,0,0,.08); font-variant-numeric: tabular-nums; }
      input[type='search'] { margin: 8px 10px; }
      pa-virtual-list { flex: 1; min-height: 0; }
      .row { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; padding: 10px 12px; height: 100%; border-bottom: 1px solid var(--pa-border); cursor: pointer; text-align: left; width: 100%; border-radius: 0; border-width: 0 0 1px 0; background: transparent; }
      .row[aria-current='true'] { background: #eef2fd; }
      .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .unread .name::before { content: ''; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--pa-accent); margin-right: 6px; vertical-align: middle; }
      .wait { font-size: 12px; font-variant-numeric: tabular-nums; color: var(--pa-muted); }
      .wait.long { color: var(--pa-danger); font-weight: 600; }
      .preview { grid-column: 1 / -1; color: var(--pa-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 13px; }
      .empty { padding: 24px; text-align: center; }
    `,
  ];

  @property({ attribute: false }) result: InboxResult = { items: [], counts: { open: 0, pending: 0, snoozed: 0, resolved: 0 }, viewCounts: { mine: 0, unassigned: 0, team: 0, all: 0 } };
  @property({ attribute: false }) query!: InboxQuery;
  @property({ type: Number }) now = Date.now();
  @property() selected = '';

  private emitQuery(change: Partial<InboxQuery>): void {
    this.dispatchEvent(new CustomEvent<Partial<InboxQuery>>('pa-query', { detail: change, bubbles: true, composed: true }));
  }

  private open(doc: string): void {
    this.dispatchEvent(new CustomEvent<string>('pa-open', { detail: doc, bubbles: true, composed: true }));
  }

  /** Focuses the search box ('/' shortcut). */
  focusSearch(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=search]')?.focus();
  }

  private renderRow = (item: InboxItem): TemplateResult => {
    const waited = item.waitingSince === null ? null : this.now - item.waitingSince;
    return html`<button class="row ${item.unread > 0 ? 'unread' : ''}" data-doc=${item.doc} aria-current=${item.doc === this.selected} @click=${() => this.open(item.doc)}>
      <span class="name">${item.customerName || 'Visitor'}${item.unread > 0 ? html`<span class="sr-only"> (${item.unread} unread)</span>` : null}</span>
      ${waited === null
        ? html`<span class="wait">${item.loaded ? '' : 'syncing…'}</span>`
        : html`<span class="wait ${waited > 5 * 60_000 ? 'long' : ''}" title="Waiting for a reply">waiting ${formatWait(waited)}</span>`}
      <span class="preview">${item.preview}</span>
    </button>`;
  };

  override render(): TemplateResult {
    const q = this.query;
    const r = this.result;
    return html`
      <nav class="views" aria-label="Inbox views">
        ${VIEWS.map((v) => html`<button data-view=${v} aria-pressed=${q.view === v} @click=${() => this.emitQuery({ view: v })}>${VIEW_LABEL[v]}<span class="count">${r.viewCounts[v]}</span></button>`)}
      </nav>
      <nav class="statuses" aria-label="Status">
        ${STATUSES.map((s) => html`<button data-status=${s} aria-pressed=${q.status === s} @click=${() => this.emitQuery({ status: s })}>${s}<span class="count" data-count=${s}>${r.counts[s]}</span></button>`)}
      </nav>
      <input type="search" placeholder="Search name, email, messages" aria-label="Search conversations" .value=${q.search} @input=${(e: InputEvent) => this.emitQuery({ search: (e.target as HTMLInputElement).value })} />
      ${r.items.length === 0
        ? html`<p class="empty muted">No ${q.status} conversations here.</p>`
        : html`<pa-virtual-list aria-label="Conversations" .items=${r.items} .rowHeight=${ROW_HEIGHT} .renderItem=${this.renderRow}></pa-virtual-list>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-inbox': InboxView;
  }
}
