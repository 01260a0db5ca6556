import { LitElement, css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MAX_LABEL_LENGTH as MAX_LABEL } from '@parley/core';
import { theme } from '../ui/theme.js';

/**
 * The conversation's labels as removable chips plus an "add label" field, inline in the header.
 * Emits `pa-labels` with the whole new set; the controller turns it into one core call (one
 * transcript event). Keyboard: Enter or comma adds, Backspace in an empty field removes the last.
 * Leaving the field does not add what it holds: a click on a chip's × right after typing would
 * otherwise race two changes computed from the same old set.
 */
@customElement('pa-label-editor')
export class LabelEditor extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: inline-flex; }
      [role='group'] { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; }
      .chip { display: inline-flex; align-items: center; gap: 2px; font-size: 12px; padding: 1px 2px 1px 8px; border-radius: 10px; background: #e9ecf1; }
      .chip button { border: 0; background: transparent; padding: 0 5px; font-size: 13px; line-height: 1; border-radius: 8px; }
      .chip button:focus-visible { outline: 2px solid var(--pa-accent); }
      input { width: 8.5em; font-size: 12px; padding: 2px 6px; }
      .err { color: #b42318; font-size: 11px; }
    `,
  ];

  @property({ attribute: false }) labels: readonly string[] = [];
  /** labels used elsewhere in the workspace, offered while typing */
  @property({ attribute: false }) suggestions: readonly string[] = [];
  @state() private error = '';

  private emit(labels: string[]): void {
    this.dispatchEvent(new CustomEvent<string[]>('pa-labels', { detail: labels, bubbles: true, composed: true }));
  }

  private add(input: HTMLInputElement): void {
    const names = input.value.split(',').map((l) => l.trim()).filter(Boolean);
    if (names.length === 0) return;
    // Core would refuse it too; checked here so the agent sees why at once.
    const tooLong = names.find((l) => l.length > MAX_LABEL);
    if (tooLong) {
      this.error = `Labels are at most ${MAX_LABEL} characters.`;
      return;
    }
    this.error = '';
    input.value = '';
    const next = [...new Set([...this.labels, ...names])];
    if (next.length !== this.labels.length) this.emit(next);
  }

  private removeLabel(label: string): void {
    this.emit(this.labels.filter((l) => l !== label));
    // Keep focus in the control after the chip (and its button) disappears.
    void this.updateComplete.then(() => this.renderRoot.querySelector('input')?.focus());
  }

  private onKey(e: KeyboardEvent): void {
    const input = e.target as HTMLInputElement;
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      this.add(input);
    } else if (e.key === 'Backspace' && input.value === '' && this.labels.length > 0) {
      this.removeLabel(this.labels[this.labels.length - 1]!);
    } else if (e.key === 'Escape') {
      input.value = '';
      this.error = '';
    }
  }

  override render(): TemplateResult {
    const offered = this.suggestions.filter((s) => !this.labels.includes(s));
    return html`<div role="group" aria-label="Labels">
      ${this.labels.map(
        (l) => html`<span class="chip" data-label=${l}>${l}<button type="button" aria-label="Remove label ${l}" title="Remove label ${l}" @click=${() => this.removeLabel(l)}>×</button></span>`,
      )}
      <input type="text" name="add-label" aria-label="Add label" placeholder="+ label" list="pa-label-suggestions" maxlength=${MAX_LABEL * 4}
        aria-invalid=${this.error ? 'true' : 'false'} aria-describedby="label-error"
        @keydown=${this.onKey} />
      <datalist id="pa-label-suggestions">${offered.map((s) => html`<option value=${s}></option>`)}</datalist>
      <span id="label-error" class="err" role="status">${this.error}</span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-label-editor': LabelEditor;
  }
}
