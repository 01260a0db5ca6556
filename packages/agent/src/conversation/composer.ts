import { LitElement, css, html, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from '../ui/theme.js';
import { applyCanned, matchCanned, slashQuery, type CannedReply, type TemplateVars } from './canned.js';

export type ComposerMode = 'reply' | 'note';

export interface ComposerSendDetail {
  mode: ComposerMode;
  text: string;
}

/**
 * Reply and note composer. Enter sends, Shift+Enter adds a line, `/` opens canned replies.
 * Text is handled as whole strings (never sliced by index), so emoji and combining marks survive.
 * Emits `pa-send`, `pa-draft` (every edit, for drafts that survive reloads) and `pa-typing`.
 */
@customElement('pa-composer')
export class Composer extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; border-top: 1px solid var(--pa-border); background: var(--pa-panel); padding: 8px 12px; position: relative; }
      .modes { display: flex; gap: 4px; margin-bottom: 6px; }
      textarea { width: 100%; min-height: 64px; max-height: 200px; resize: vertical; }
      :host([mode='note']) textarea { background: var(--pa-note); }
      .bar { display: flex; justify-content: space-between; align-items: center; margin-top: 6px; gap: 8px; }
      .hint { font-size: 12px; }
      ul.picker { position: absolute; bottom: 100%; left: 12px; right: 12px; max-height: 240px; overflow: auto; margin: 0; padding: 4px; list-style: none; background: #fff; border: 1px solid var(--pa-border); border-radius: 8px; box-shadow: 0 6px 20px rgba(0,0,0,.12); }
      ul.picker li { padding: 6px 8px; border-radius: 6px; cursor: pointer; }
      ul.picker li[aria-selected='true'] { background: #eef2fd; }
      ul.picker b { margin-right: 8px; }
    `,
  ];

  @property({ reflect: true }) mode: ComposerMode = 'reply';
  @property() draft = '';
  @property({ attribute: false }) canned: readonly CannedReply[] = [];
  @property({ attribute: false }) vars: TemplateVars = {};
  @property({ type: Boolean }) offline = false;
  @state() private text = '';
  @state() private pick = 0;
  @query('textarea') private textarea!: HTMLTextAreaElement;
  private lastTyping = 0;

  override willUpdate(changed: PropertyValues<this>): void {
    // A new conversation (or a restored draft) replaces what is in the box.
    if (changed.has('draft')) this.text = this.draft;
  }

  override focus(): void {
    this.textarea?.focus();
  }

  private get suggestions(): CannedReply[] {
    const q = this.mode === 'reply' ? slashQuery(this.text) : null;
    return q === null ? [] : matchCanned(this.canned, q).slice(0, 8);
  }

  private setText(text: string): void {
    this.text = text;
    this.pick = 0;
    this.dispatchEvent(new CustomEvent<ComposerSendDetail>('pa-draft', { detail: { mode: this.mode, text }, bubbles: true, composed: true }));
    const now = Date.now();
    // Typing is ephemeral awareness; one signal per second is plenty and keeps the socket quiet.
    if (text !== '' && now - this.lastTyping > 1000) {
      this.lastTyping = now;
      this.dispatchEvent(new CustomEvent<boolean>('pa-typing', { detail: true, bubbles: true, composed: true }));
    }
  }

  private choose(reply: CannedReply): void {
    this.setText(applyCanned(this.text, reply, this.vars));
    this.textarea.focus();
  }

  private send(): void {
    const text = this.text.trim();
    if (text === '') return;
    this.dispatchEvent(new CustomEvent<ComposerSendDetail>('pa-send', { detail: { mode: this.mode, text }, bubbles: true, composed: true }));
    this.lastTyping = 0;
    this.dispatchEvent(new CustomEvent<boolean>('pa-typing', { detail: false, bubbles: true, composed: true }));
    this.setText('');
  }

  private onKeydown(e: KeyboardEvent): void {
    // Never act on Enter while an input method is composing (Chinese, Japanese, Korean input).
    if (e.isComposing) return;
    const list = this.suggestions;
    if (list.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.pick = (this.pick + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.choose(list[Math.min(this.pick, list.length - 1)]!);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      this.send();
    }
    if (e.key === 'Escape') this.textarea.blur();
  }

  private setMode(mode: ComposerMode): void {
    this.mode = mode;
    this.dispatchEvent(new CustomEvent<ComposerMode>('pa-mode', { detail: mode, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    const list = this.suggestions;
    const placeholder = this.mode === 'note' ? 'Private note — only agents see this. @mention a colleague.' : 'Reply… (/ for canned replies)';
    return html`
      ${list.length > 0
        ? html`<ul class="picker" role="listbox" aria-label="Canned replies">
            ${list.map((r, i) => html`<li role="option" data-shortcut=${r.shortcut} aria-selected=${i === this.pick} @mousedown=${(e: Event) => { e.preventDefault(); this.choose(r); }}><b>/${r.shortcut}</b><span class="muted">${r.text}</span></li>`)}
          </ul>`
        : null}
      <div class="modes" role="tablist" aria-label="Composer mode">
        <button role="tab" data-mode="reply" aria-selected=${this.mode === 'reply'} @click=${() => this.setMode('reply')}>Reply</button>
        <button role="tab" data-mode="note" aria-selected=${this.mode === 'note'} @click=${() => this.setMode('note')}>Note</button>
      </div>
      <textarea aria-label=${this.mode === 'note' ? 'Private note' : 'Reply'} placeholder=${placeholder} .value=${this.text}
        @input=${(e: InputEvent) => this.setText((e.target as HTMLTextAreaElement).value)} @keydown=${this.onKeydown}></textarea>
      <div class="bar">
        <span class="hint muted">${this.offline ? 'Offline: your message will be sent when you reconnect.' : 'Enter to send · Shift+Enter for a new line'}</span>
        <button class="primary" data-action="send" @click=${this.send}>${this.mode === 'note' ? 'Add note' : 'Send'}</button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pa-composer': Composer;
  }
}
