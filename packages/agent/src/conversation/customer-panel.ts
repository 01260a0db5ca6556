import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import { localTime } from './actions.js';
import type { CustomerInfo } from './view-model.js';

/** Who the customer is and what they did before: the context an agent reads before answering. */
@customElement('pa-customer-panel')
export class CustomerPanel extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; overflow-y: auto; padding: 14px; background: var(--pa-panel); border-left: 1px solid var(--pa-border); }
      h2 { font-size: 16px; margin: 0 0 8px; }
      h3 { font-size: 12px; text-transform: uppercase; color: var(--pa-muted); margin: 16px 0 6px; letter-spacing: .04em; }
      dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 10px; margin: 0; }
      dt { color: var(--pa-muted); }
      dd { margin: 0; overflow-wrap: anywhere; }
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 4px; }
      ul button { width: 100%; text-align: left; }
    `,
  ];

  @property({ attribute: false }) customer!: CustomerInfo;
  @property({ type: Number }) now = Date.now();

  override render(): TemplateResult {
    const c = this.customer;
    const time = localTime(c.timeZone, new Date(this.now));
    return html`
      <h2 data-field="name">${c.name || 'Visitor'}</h2>
      <dl>
        <dt>Email</dt><dd data-field="email">${c.email || '—'}</dd>
        <dt>Language</dt><dd data-field="language">${c.language || '—'}</dd>
        <dt>Local time</dt><dd data-field="time">${time || '—'}</dd>
        <dt>Came from</dt><dd data-field="page">${c.referralPage ? html`<a href=${c.referralPage} target="_blank" rel="noopener noreferrer">${c.referralPage}</a>` : '—'}</dd>
        ${Object.entries(c.fields).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
      </dl>
      <h3>Devices</h3>
      ${c.devices.length === 0 ? html`<p class="muted">One device</p>` : html`<ul>${c.devices.map((d) => html`<li>${d.label}</li>`)}</ul>`}
      <h3>Previous conversations</h3>
      ${c.previous.length === 0
        ? html`<p class="muted">None</p>`
        : html`<ul>${c.previous.map(
            (p) => html`<li><button data-doc=${p.doc} @click=${() => this.dispatchEvent(new CustomEvent<string>('pa-open', { detail: p.doc, bubbles: true, composed: true }))}>
              ${p.title} <span class="muted">· ${p.status} · ${new Date(p.at).toLocaleDateString()}</span></button></li>`,
          )}</ul>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-customer-panel': CustomerPanel;
  }
}
