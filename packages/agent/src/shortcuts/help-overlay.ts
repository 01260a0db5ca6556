import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import { SHORTCUTS } from './keymap.js';

/** The `?` overlay listing every shortcut. Emits `pa-close` on Escape or a click outside. */
@customElement('pa-help-overlay')
export class HelpOverlay extends LitElement {
  static override styles = [
    theme,
    css`
      :host { position: fixed; inset: 0; background: rgba(20, 24, 32, .45); display: grid; place-items: center; z-index: 10; }
      section { background: var(--pa-panel); border-radius: 12px; padding: 20px 24px; min-width: 320px; max-height: 80vh; overflow: auto; }
      h2 { margin: 0 0 12px; font-size: 18px; }
      dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 16px; margin: 0; }
      kbd { font-family: ui-monospace, monospace; border: 1px solid var(--pa-border); border-bottom-width: 2px; border-radius: 4px; padding: 1px 6px; background: #f4f5f7; }
    `,
  ];

  private close(): void {
    this.dispatchEvent(new CustomEvent('pa-close', { bubbles: true, composed: true }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('click', (e) => e.target === this && this.close());
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector('button')?.focus();
  }

  override render(): TemplateResult {
    return html`<section role="dialog" aria-modal="true" aria-labelledby="h" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.close()}>
      <h2 id="h">Keyboard shortcuts</h2>
      <dl>${SHORTCUTS.map((s) => html`<dt>${s.key.split(' ').map((k) => html`<kbd>${k}</kbd> `)}</dt><dd>${s.description}</dd>`)}</dl>
      <p><button @click=${this.close}>Close (Esc)</button></p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-help-overlay': HelpOverlay;
  }
}
